import { getAddress } from 'viem'
import { InputError } from '../core/BaseError.js'
import { type Address, type Hex, parseHex, preview } from '../core/hex.js'
import { parseSafeVersion } from '../safe/parseSafeVersion.js'
import type { SafeContext, SafeTx } from '../safe/types.js'
import type { Confirmation } from './verifySafeTransaction.js'

/** Largest calldata accepted (1 MiB): far above any real Safe transaction, far below a DoS. */
export const MAX_CALLDATA_BYTES = 1024 * 1024

/** A value taken from a flag or a JSON key, with the name errors should use for it. */
export type RawField = { value: unknown; field: string }

export type RawTxFields = Partial<
  Record<
    | 'chainId'
    | 'safe'
    | 'version'
    | 'to'
    | 'value'
    | 'data'
    | 'operation'
    | 'safeTxGas'
    | 'baseGas'
    | 'gasPrice'
    | 'gasToken'
    | 'refundReceiver'
    | 'nonce'
    | 'signatures',
    RawField
  >
>

/** One transaction found in a `--tx` file. */
export type TxRecord = {
  format: 'heistguard' | 'safe-transaction-service'
  /** Where in the file, e.g. `tx.json: results[1]`. */
  where: string
  fields: RawTxFields
  confirmations?: { owner: Address; signature: Hex }[]
  claimedSafeTxHash?: Hex
  owners?: Address[]
  threshold?: number
}

/**
 * Parses JSON text; a syntax error becomes one InputError naming `file:line:column`.
 *
 * @example
 * parseJsonText('{"to": ', 'tx.json') // throws "tx.json:1:8: invalid JSON: Unexpected end of JSON input"
 */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? ''
    const match = /at position (\d+)/.exec(message)
    const position = match ? Number(match[1]) : /end of JSON input/.test(message) ? text.length : 0
    const before = text.slice(0, position)
    const line = before.split('\n').length
    const column = position - before.lastIndexOf('\n')
    throw new InputError(
      `invalid JSON: ${message.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '')}`,
      {
        code: 'INVALID_JSON',
        field: `${file}:${line}:${column}`,
      },
    )
  }
}

/**
 * The transactions of a `--tx` file: heistguard's own JSON (flat SafeTx fields plus `chainId`,
 * `safe`, `safeVersion`, optional `signatures`, `owners`, `threshold`), one Safe Transaction
 * Service multisig-transaction record, or a paginated `{results: [...]}` of them (confirmations
 * become per-owner signatures to check).
 *
 * @example
 * txRecordsOf(JSON.parse(stsPage), 'nonce71.json').length // 2
 */
export function txRecordsOf(data: unknown, file: string): TxRecord[] {
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new InputError('expected a JSON object (a transaction, or {"results": [...]})', {
      code: 'INVALID_TX_FILE',
      field: file,
    })
  const object = data as Record<string, unknown>
  if (Array.isArray(object['results'])) {
    const results = object['results'] as unknown[]
    if (results.length === 0)
      throw new InputError('"results" is empty', { code: 'INVALID_TX_FILE', field: file })
    return results.map((record, index) => recordOf(record, `${file}: results[${index}]`))
  }
  return [recordOf(object, file)]
}

function recordOf(data: unknown, where: string): TxRecord {
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new InputError('expected a transaction object', { code: 'INVALID_TX_FILE', field: where })
  const record = data as Record<string, unknown>
  const sts =
    'confirmations' in record || 'safeTxHash' in record || 'confirmationsRequired' in record
  const at = (key: string): RawField | undefined =>
    record[key] === undefined || record[key] === null
      ? undefined
      : { value: record[key], field: `${where}.${key}` }
  const fields: RawTxFields = {}
  const put = (name: keyof RawTxFields, ...keys: string[]) => {
    for (const key of keys) {
      const field = at(key)
      if (field) {
        fields[name] = field
        return
      }
    }
  }
  put('chainId', 'chainId')
  put('safe', 'safe')
  put('version', 'safeVersion', 'version')
  put('to', 'to')
  put('value', 'value')
  put('operation', 'operation')
  put('safeTxGas', 'safeTxGas')
  put('baseGas', 'baseGas', 'dataGas')
  put('gasPrice', 'gasPrice')
  put('gasToken', 'gasToken')
  put('refundReceiver', 'refundReceiver')
  put('nonce', 'nonce')
  put('signatures', 'signatures')
  // The Transaction Service writes `data: null` for plain transfers.
  fields.data = at('data') ?? { value: '0x', field: `${where}.data` }
  const out: TxRecord = { format: sts ? 'safe-transaction-service' : 'heistguard', where, fields }
  if (typeof record['safeTxHash'] === 'string')
    out.claimedSafeTxHash = parseHex(record['safeTxHash'], {
      field: `${where}.safeTxHash`,
      bytes: 32,
    })
  if (Array.isArray(record['confirmations']))
    out.confirmations = (record['confirmations'] as unknown[]).map((c, index) => {
      const item = (c ?? {}) as Record<string, unknown>
      const field = `${where}.confirmations[${index}]`
      return {
        owner: parseAddressInput(item['owner'], `${field}.owner`),
        signature: parseHex(item['signature'], {
          field: `${field}.signature`,
          maxBytes: 64 * 1024,
        }),
      }
    })
  if (Array.isArray(record['owners']))
    out.owners = (record['owners'] as unknown[]).map((owner, index) =>
      parseAddressInput(owner, `${where}.owners[${index}]`),
    )
  // The Transaction Service only accepts confirmations from owners: without a list of its own, the
  // record's confirming owners are the owners it vouches for (the policy's list takes precedence).
  if (!out.owners && sts && out.confirmations?.length)
    out.owners = out.confirmations.map((c) => c.owner)
  const threshold = record['threshold'] ?? record['confirmationsRequired']
  if (typeof threshold === 'number' && Number.isInteger(threshold) && threshold > 0)
    out.threshold = threshold
  // In an executed record `signatures` are the ones sent on chain; the confirmations are checked one by one.
  if (sts && out.confirmations && out.confirmations.length > 0) delete fields.signatures
  return out
}

/**
 * Validates the raw fields into a SafeContext and SafeTx. Missing identity fields are errors;
 * missing amounts and gas fields default to 0 (reported in `defaulted`, since a wrong default
 * changes the hash the hardware wallet shows).
 *
 * @example
 * buildSafeTx({ chainId: { value: '1', field: '--chain-id' }, ... }).tx.nonce // 71n
 */
export function buildSafeTx(fields: RawTxFields): {
  context: SafeContext
  tx: SafeTx
  signatures?: Hex
  defaulted: string[]
} {
  const defaulted: string[] = []
  const need = (name: keyof RawTxFields, flag: string): RawField => {
    const field = fields[name]
    if (field === undefined || field.value === undefined || field.value === '')
      throw new InputError('required but not given', { code: 'MISSING_FIELD', field: flag })
    return field
  }
  const optional = (name: keyof RawTxFields, fallback: unknown, label: string): RawField => {
    const field = fields[name]
    if (field === undefined) {
      defaulted.push(label)
      return { value: fallback, field: label }
    }
    return field
  }
  const chainId = parseUintInput(need('chainId', '--chain-id'), 64)
  if (chainId === 0n)
    throw new InputError('chain id must be positive', {
      code: 'INVALID_CHAIN_ID',
      field: fields.chainId!.field,
    })
  const safeField = need('safe', '--safe')
  const versionField = need('version', '--safe-version')
  const context: SafeContext = {
    chainId,
    safe: parseAddressInput(safeField.value, safeField.field),
    version: parseSafeVersion(versionField.value, versionField.field),
  }
  const to = need('to', '--to')
  const data = optional('data', '0x', 'data')
  const operation = optional('operation', 0, 'operation')
  const op = Number(typeof operation.value === 'string' ? operation.value.trim() : operation.value)
  if (op !== 0 && op !== 1)
    throw new InputError(
      `expected 0 (CALL) or 1 (DELEGATECALL), got ${preview(String(operation.value))}`,
      {
        code: 'INVALID_OPERATION',
        field: operation.field,
      },
    )
  const tx: SafeTx = {
    to: parseAddressInput(to.value, to.field),
    value: parseUintInput(optional('value', '0', 'value')),
    data: parseHex(data.value, { field: data.field, maxBytes: MAX_CALLDATA_BYTES }),
    operation: op,
    safeTxGas: parseUintInput(optional('safeTxGas', '0', 'safeTxGas')),
    baseGas: parseUintInput(optional('baseGas', '0', 'baseGas')),
    gasPrice: parseUintInput(optional('gasPrice', '0', 'gasPrice')),
    gasToken: parseAddressInput(
      optional('gasToken', ZERO, 'gasToken').value,
      fields.gasToken?.field ?? 'gasToken',
    ),
    refundReceiver: parseAddressInput(
      optional('refundReceiver', ZERO, 'refundReceiver').value,
      fields.refundReceiver?.field ?? 'refundReceiver',
    ),
    nonce: parseUintInput(need('nonce', '--nonce')),
  }
  const out: { context: SafeContext; tx: SafeTx; signatures?: Hex; defaulted: string[] } = {
    context,
    tx,
    defaulted: defaulted.filter((name) => !['data', 'value', 'operation'].includes(name)),
  }
  if (fields.signatures)
    out.signatures = parseHex(fields.signatures.value, {
      field: fields.signatures.field,
      maxBytes: 64 * 1024,
    })
  return out
}

const ZERO = '0x0000000000000000000000000000000000000000'

/**
 * An address from user input: 20 bytes of hex; a mixed-case address must carry a valid EIP-55
 * checksum (a wrong one means a typo or tampering). Returned checksummed.
 *
 * @example
 * parseAddressInput('0x1db92e2eebc8e0c075a02bea49a2935bcd2dfcf4', '--safe') // '0x1Db92e2E…'
 */
export function parseAddressInput(value: unknown, field: string): Address {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(value.trim()))
    throw new InputError(`expected a 20-byte 0x address, got ${preview(String(value))}`, {
      code: 'INVALID_ADDRESS',
      field,
    })
  const text = value.trim()
  const checksummed = getAddress(text.toLowerCase())
  const body = text.slice(2)
  if (body !== body.toLowerCase() && body !== body.toUpperCase() && checksummed !== text)
    throw new InputError(
      `bad EIP-55 checksum in ${text} (expected ${checksummed}); check the address character by character`,
      {
        code: 'INVALID_CHECKSUM',
        field,
      },
    )
  return checksummed
}

/**
 * An unsigned integer from a flag (decimal or 0x hex string) or JSON (string, or a safe-integer
 * number as the Transaction Service writes nonces and gas).
 *
 * @example
 * parseUintInput({ value: '45746', field: '--safe-tx-gas' }) // 45746n
 */
export function parseUintInput(raw: RawField, bits = 256): bigint {
  const { value, field } = raw
  let result: bigint | undefined
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) result = BigInt(value)
  else if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) result = BigInt(value.trim())
  else if (typeof value === 'string' && /^\s*0x[0-9a-fA-F]+\s*$/.test(value))
    result = BigInt(value.trim())
  if (result === undefined)
    throw new InputError(`expected an unsigned integer, got ${preview(String(value))}`, {
      code: 'INVALID_UINT',
      field,
    })
  if (result >= 1n << BigInt(bits))
    throw new InputError(`does not fit in ${bits} bits`, { code: 'INVALID_UINT', field })
  return result
}

/** Confirmations of a record in the shape `recoverSignatures` takes. */
export function confirmationsOf(record: TxRecord): Confirmation[] | undefined {
  return record.confirmations?.map(({ owner, signature }) => ({ owner, signature }))
}
