import { getAddress, isAddress } from 'viem'
import { InputError } from '../core/BaseError.js'
import { type Address, type Hex, parseHex } from '../core/hex.js'
import { parseSafeVersion } from '../safe/parseSafeVersion.js'
import type { Operation } from '../safe/types.js'
import type { Confirmation, VerifyInput } from '../verify/verifySafeTransaction.js'

/**
 * Turns the JSON a signer pastes (into the web page or POST /api/verify) into a VerifyInput. The
 * shape is the Safe Transaction Service multisig-transaction object (`safe`, `to`, `value`, `data`,
 * `operation`, `safeTxGas`, `baseGas`, `gasPrice`, `gasToken`, `refundReceiver`, `nonce`,
 * `confirmations`, `safeTxHash`) plus what the service leaves out: `chainId` and `version`
 * (the Safe's VERSION()). A `{results: [...]}` page of one transaction is accepted too, and
 * `signatures` (concatenated, as execTransaction takes them). Other service fields are ignored.
 * Pure and browser-safe: the offline page runs it too. Errors are one-line InputErrors naming
 * the JSON key.
 *
 * @example
 * parseVerifyRequest({ chainId: 1, version: '1.1.1', safe: '0x1Db9…', to: '0x9622…', value: '0', data: '0xa9059cbb…',
 *   operation: 1, safeTxGas: '45746', baseGas: '0', gasPrice: '0', gasToken: '0x0000…', refundReceiver: '0x0000…', nonce: 71 })
 */
export function parseVerifyRequest(body: unknown): VerifyInput {
  let o = body
  if (isObject(o) && Array.isArray(o.results)) {
    if (o.results.length !== 1)
      throw new InputError(`expected one transaction, got ${o.results.length}; paste one of them`, {
        code: 'INVALID_INPUT',
        field: 'results',
      })
    o = {
      ...o.results[0],
      ...(o.chainId === undefined ? {} : { chainId: o.chainId }),
      ...(o.version === undefined ? {} : { version: o.version }),
    }
  }
  if (!isObject(o))
    throw new InputError('expected a JSON object', { code: 'INVALID_INPUT', field: 'body' })
  const chainId = uint(o.chainId, 'chainId')
  if (chainId === 0n)
    throw new InputError('must be positive', { code: 'INVALID_INPUT', field: 'chainId' })
  const operation = uint(o.operation ?? 0, 'operation')
  if (operation > 1n)
    throw new InputError('expected 0 (CALL) or 1 (DELEGATECALL)', {
      code: 'INVALID_INPUT',
      field: 'operation',
    })
  const input: VerifyInput = {
    context: {
      chainId,
      safe: address(o.safe, 'safe'),
      version: parseSafeVersion(o.version, 'version'),
    },
    tx: {
      to: address(o.to, 'to'),
      value: uint(o.value ?? 0, 'value'),
      data:
        o.data === null || o.data === undefined
          ? '0x'
          : parseHex(o.data, { field: 'data', maxBytes: 1 << 19 }),
      operation: Number(operation) as Operation,
      safeTxGas: uint(o.safeTxGas ?? 0, 'safeTxGas'),
      baseGas: uint(o.baseGas ?? o.dataGas ?? 0, 'baseGas'),
      gasPrice: uint(o.gasPrice ?? 0, 'gasPrice'),
      gasToken: address(o.gasToken ?? ZERO, 'gasToken'),
      refundReceiver: address(o.refundReceiver ?? ZERO, 'refundReceiver'),
      nonce: uint(o.nonce, 'nonce'),
    },
  }
  if (o.signatures !== undefined && o.signatures !== null)
    input.signatures = parseHex(o.signatures, { field: 'signatures', maxBytes: 65 * 100 })
  if (o.safeTxHash !== undefined && o.safeTxHash !== null)
    input.claimedSafeTxHash = parseHex(o.safeTxHash, { field: 'safeTxHash', bytes: 32 })
  if (Array.isArray(o.confirmations) && o.confirmations.length > 0) {
    input.confirmations = o.confirmations.map((c, i): Confirmation => {
      if (!isObject(c))
        throw new InputError('expected an object', {
          code: 'INVALID_INPUT',
          field: `confirmations.${i}`,
        })
      return {
        owner: address(c.owner, `confirmations.${i}.owner`),
        signature: parseHex(c.signature, {
          field: `confirmations.${i}.signature`,
          maxBytes: 65 * 10,
        }) as Hex,
      }
    })
  } else if (
    o.confirmations !== undefined &&
    o.confirmations !== null &&
    !Array.isArray(o.confirmations)
  )
    throw new InputError('expected an array', { code: 'INVALID_INPUT', field: 'confirmations' })
  if (o.threshold !== undefined && o.threshold !== null)
    input.threshold = Number(uint(o.threshold, 'threshold'))
  return input
}

const ZERO = '0x0000000000000000000000000000000000000000'

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function uint(v: unknown, field: string): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v)
  if (typeof v === 'string' && /^[0-9]{1,78}$/.test(v)) return BigInt(v)
  if (v === undefined || v === null)
    throw new InputError('missing', { code: 'INVALID_INPUT', field })
  throw new InputError('expected a non-negative integer (number or decimal string)', {
    code: 'INVALID_INPUT',
    field,
  })
}

function address(v: unknown, field: string): Address {
  if (v === undefined || v === null)
    throw new InputError('missing', { code: 'INVALID_INPUT', field })
  const hex = parseHex(v, { field, bytes: 20 })
  const text = v as string
  // Mixed case must be a valid EIP-55 checksum: a wrong one means the address was altered.
  const mixed = text.slice(2) !== hex.slice(2) && text.slice(2) !== hex.slice(2).toUpperCase()
  if (mixed && !isAddress(text, { strict: true }))
    throw new InputError('mixed-case address with a wrong EIP-55 checksum', {
      code: 'INVALID_ADDRESS',
      field,
    })
  return getAddress(hex)
}
