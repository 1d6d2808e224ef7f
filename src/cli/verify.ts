import { readFile, stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { InputError } from '../core/BaseError.js'
import { VERSION } from '../core/version.js'
import {
  buildSafeTx,
  confirmationsOf,
  parseJsonText,
  parseUintInput,
  type RawTxFields,
  type TxRecord,
  txRecordsOf,
} from '../verify/parseTxInput.js'
import type { Policy } from '../verify/policy.js'
import { type AbiSource, createRegistry } from '../verify/registry/createRegistry.js'
import { renderVerdictText } from '../verify/renderVerdictText.js'
import { selectSafePolicy } from '../verify/selectSafePolicy.js'
import { toJsonValue } from '../verify/toJsonValue.js'
import type { Finding, ProposalSummary, Verdict } from '../verify/Verdict.js'
import {
  type VerifyInput,
  type VerifyLabels,
  verifySafeTransaction,
} from '../verify/verifySafeTransaction.js'
import type { CliContext } from './context.js'
import { parseFlags } from './parseFlags.js'

/** A fork simulation the integrator may inject; verify itself never touches the network. */
export type VerifySimulate = (request: {
  rpc: string | undefined
  input: VerifyInput
  verdict: Verdict
  signal: AbortSignal
}) => Promise<{ result?: unknown; findings?: Finding[] }>

export type VerifyCliContext = CliContext & { simulate?: VerifySimulate }

const FLAGS = {
  'chain-id': { type: 'string' },
  safe: { type: 'string' },
  'safe-version': { type: 'string' },
  to: { type: 'string' },
  value: { type: 'string' },
  data: { type: 'string' },
  operation: { type: 'string' },
  'safe-tx-gas': { type: 'string' },
  'base-gas': { type: 'string' },
  'gas-price': { type: 'string' },
  'gas-token': { type: 'string' },
  'refund-receiver': { type: 'string' },
  nonce: { type: 'string' },
  signatures: { type: 'string' },
  policy: { type: 'string' },
  rpc: { type: 'string' },
  simulate: { type: 'boolean' },
  tx: { type: 'string' },
  receipt: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

const USAGE = `usage: heistguard verify --chain-id N --safe ADDR --safe-version V --to ADDR [--value WEI]
         [--data HEX] [--operation 0|1] [--safe-tx-gas N] [--base-gas N] [--gas-price N]
         [--gas-token ADDR] [--refund-receiver ADDR] --nonce N [--signatures HEX]
         [--policy FILE] [--rpc URL [--simulate]] [--receipt FILE] [--json]
       heistguard verify --tx FILE [--nonce N] [--chain-id N] [--safe-version V] [...] 

Decodes and hashes a Safe transaction offline and says whether to sign it.
--tx reads heistguard JSON or Safe Transaction Service JSON (one record or {"results": [...]});
flags given with --tx override the file. Calldata is limited to 1 MiB.
--receipt FILE writes a signed verification receipt for \`heistguard watch\`: signed with the key in
$HEISTGUARD_RECEIPT_PRIVATE_KEY (EIP-191), or with $HEISTGUARD_RECEIPT_HMAC_KEY and
$HEISTGUARD_RECEIPT_KEY_ID (HMAC-SHA256). Keys are read from the environment only, never flags.
exit codes: 0 pass, 3 warn, 4 block, 2 bad input, 1 tool failure
`

/** Largest --tx / --policy file read (the 1 MiB calldata limit applies on top). */
const MAX_FILE_BYTES = 64 * 1024 * 1024

/**
 * `heistguard verify`: the signer's check before signing. Reads flags or a `--tx` file, the
 * policy and the lists it names, verifies offline, prints the Ledger-style hashes and the
 * verdict; exit 0 pass, 3 warn, 4 block.
 *
 * @example
 * await run({ ...context, argv: ['--tx', 'nonce71.json', '--chain-id', '1', '--safe-version', '1.1.1'] }) // 4
 */
export async function run(context: VerifyCliContext): Promise<number> {
  const { values } = parseFlags(context.argv, FLAGS, { command: 'verify' })
  if (values.help) {
    context.stdout.write(USAGE)
    return 0
  }
  if (values.simulate && !values.rpc)
    throw new InputError('--simulate needs --rpc URL (a node to fork from)', {
      code: 'USAGE',
      field: '--simulate',
    })

  const flagFields: RawTxFields = {}
  const flag = (name: keyof RawTxFields, key: keyof typeof values) => {
    const value = values[key]
    if (typeof value === 'string') flagFields[name] = { value, field: `--${key}` }
  }
  flag('chainId', 'chain-id')
  flag('safe', 'safe')
  flag('version', 'safe-version')
  flag('to', 'to')
  flag('value', 'value')
  flag('data', 'data')
  flag('operation', 'operation')
  flag('safeTxGas', 'safe-tx-gas')
  flag('baseGas', 'base-gas')
  flag('gasPrice', 'gas-price')
  flag('gasToken', 'gas-token')
  flag('refundReceiver', 'refund-receiver')
  flag('nonce', 'nonce')
  flag('signatures', 'signatures')

  let records: TxRecord[] = [{ format: 'heistguard', where: 'flags', fields: {} }]
  if (values.tx !== undefined) {
    const path = resolve(context.cwd, values.tx)
    records = txRecordsOf(parseJsonText(await readText(path, values.tx), values.tx), values.tx)
    if (values.nonce !== undefined) {
      const nonce = parseUintInput({ value: values.nonce, field: '--nonce' })
      records = records.filter((r) => r.fields.nonce && safeUint(r.fields.nonce.value) === nonce)
      if (records.length === 0)
        throw new InputError(`no transaction with nonce ${nonce} in the file`, {
          code: 'NOT_FOUND',
          field: values.tx,
        })
    }
    // Proposals compete only within one Safe: keep the records of the first record's Safe.
    const safeOf = (r: TxRecord) => String(r.fields.safe?.value ?? '').toLowerCase()
    const firstSafe = safeOf(records[0]!)
    records = records.filter((r) => safeOf(r) === firstSafe)
    const nonces = [...new Set(records.map((r) => String(r.fields.nonce?.value ?? '?')))]
    if (nonces.length > 1)
      throw new InputError(
        `the file holds transactions with ${nonces.length} nonces (${nonces.slice(0, 8).join(', ')}${nonces.length > 8 ? ', …' : ''}); choose one with --nonce`,
        {
          code: 'AMBIGUOUS',
          field: values.tx,
        },
      )
  }
  const inputs = records.map((record) => {
    const built = buildSafeTx({ ...record.fields, ...flagFields })
    const input: VerifyInput = { context: built.context, tx: built.tx }
    if (built.signatures) input.signatures = built.signatures
    const confirmations = confirmationsOf(record)
    if (confirmations && flagFields.signatures === undefined) input.confirmations = confirmations
    if (record.claimedSafeTxHash) input.claimedSafeTxHash = record.claimedSafeTxHash
    if (record.owners) input.owners = record.owners
    if (record.threshold !== undefined) input.threshold = record.threshold
    return { input, defaulted: record.format === 'heistguard' ? built.defaulted : [] }
  })
  const first = inputs[0]!

  let policy: Policy | undefined
  let labels: VerifyLabels | undefined
  const abis: AbiSource[] = []
  if (values.policy !== undefined) {
    // Loaded on demand: YAML and zod, secp256k1 and list parsing cost start-up time nobody
    // without a policy or signatures should pay.
    const { parsePolicy } = await import('../verify/policy.js')
    const path = resolve(context.cwd, values.policy)
    policy = parsePolicy(await readText(path, values.policy), values.policy)
    const entry = selectSafePolicy(policy, first.input.context.safe, first.input.context.chainId)
    const base = dirname(path)
    if (entry) {
      const { readAddressList } = await import('../labels/addressList.js')
      const { parseAbiFile } = await import('../verify/registry/parseAbiFile.js')
      const sanctioned = new Map<string, { source: string; name?: string }>()
      for (const list of entry.sanctionsLists) {
        const parsed = await readAddressList(resolve(base, list))
        for (const [key, item] of parsed.byAddress)
          if (!sanctioned.has(key))
            sanctioned.set(
              key,
              item.name ? { source: parsed.source, name: item.name } : { source: parsed.source },
            )
      }
      labels = { sanctioned }
      for (const file of entry.abis)
        abis.push(parseAbiFile(await readText(resolve(base, file), file), file))
    }
  }
  const registry = createRegistry(abis)
  if (first.defaulted.length > 0)
    context.stderr.write(
      `heistguard: note: ${first.defaulted.join(', ')} not given, taken as 0 (a wrong value changes the hashes)\n`,
    )

  const options = { registry, ...(policy ? { policy } : {}), ...(labels ? { labels } : {}) }
  const needsRecovery = inputs.some(
    ({ input }) => input.signatures !== undefined || input.confirmations !== undefined,
  )
  const recover = needsRecovery
    ? (await import('../verify/recoverSignatures.js')).recoverSignatures
    : undefined
  const recovered = await Promise.all(inputs.map(({ input }) => (recover ? recover(input) : input)))
  if (recovered.length > 1) {
    const proposals: ProposalSummary[] = recovered.map((input) => {
      const verdict = verifySafeTransaction(input, options)
      return {
        safeTxHash: verdict.hashes.safeTxHash,
        to: input.tx.to,
        value: input.tx.value,
        operation: input.tx.operation,
        summary: verdict.summary.replace(/\.$/, ''),
        verdict: verdict.verdict,
      }
    })
    recovered[0]!.proposals = proposals
  }
  let verdict = verifySafeTransaction(recovered[0]!, options)
  if (values.simulate) {
    if (!context.simulate)
      throw new InputError('simulation not available in this build', {
        code: 'NOT_AVAILABLE',
        field: '--simulate',
      })
    const simulation = await context.simulate({
      rpc: values.rpc,
      input: recovered[0]!,
      verdict,
      signal: context.signal,
    })
    verdict = verifySafeTransaction(recovered[0]!, {
      ...options,
      simulation: simulation.result,
      extraFindings: simulation.findings ?? [],
    })
  } else if (values.rpc) {
    context.stderr.write(
      'heistguard: note: --rpc without --simulate: nothing was fetched (verify is offline)\n',
    )
  }

  if (values.receipt !== undefined) await writeReceipt(context, values.receipt, verdict)
  if (values.json) context.stdout.write(`${JSON.stringify(toJsonValue(verdict))}\n`)
  else {
    context.stdout.write(renderVerdictText(verdict))
    if (verdict.simulation !== undefined) {
      const { renderSimulationText } = await import('../chain/renderSimulationText.js')
      context.stdout.write(
        `\n${renderSimulationText(verdict.simulation as Parameters<typeof renderSimulationText>[0])}`,
      )
    }
  }
  return verdict.verdict === 'pass' ? 0 : verdict.verdict === 'warn' ? 3 : 4
}

function safeUint(value: unknown): bigint | undefined {
  try {
    return parseUintInput({ value, field: 'nonce' })
  } catch {
    return undefined
  }
}

async function readText(path: string, shown: string): Promise<string> {
  try {
    const info = await stat(path)
    if (!info.isFile())
      throw new InputError('not a file', { code: 'FILE_UNREADABLE', field: shown })
    if (info.size > MAX_FILE_BYTES)
      throw new InputError(
        `${info.size} bytes is more than the ${MAX_FILE_BYTES}-byte limit for input files`,
        {
          code: 'INPUT_TOO_LARGE',
          field: shown,
        },
      )
    return await readFile(path, 'utf8')
  } catch (error) {
    if (error instanceof InputError) throw error
    const code = (error as NodeJS.ErrnoException).code
    throw new InputError(code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? 'error'})`, {
      code: 'FILE_UNREADABLE',
      field: shown,
    })
  }
}

/**
 * `--receipt FILE`: "I verified this safeTxHash and my verdict was …", signed so that `watch` can
 * require k independent receipts before a Safe executes. The key comes from the environment so it
 * never shows in `ps` or shell history; the file is written whole (temp file + rename).
 */
async function writeReceipt(context: VerifyCliContext, file: string, verdict: Verdict) {
  const { createReceipt } = await import('../watch/receipts.js')
  const privateKey = context.env.HEISTGUARD_RECEIPT_PRIVATE_KEY
  const hmacKey = context.env.HEISTGUARD_RECEIPT_HMAC_KEY
  const keyId = context.env.HEISTGUARD_RECEIPT_KEY_ID
  let signer: { privateKey: `0x${string}` } | { hmacKey: string; keyId: string }
  if (privateKey !== undefined) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(privateKey))
      throw new InputError('not a 32-byte 0x hex private key', {
        code: 'INVALID_KEY',
        field: 'HEISTGUARD_RECEIPT_PRIVATE_KEY',
      })
    signer = { privateKey: privateKey as `0x${string}` }
  } else if (hmacKey !== undefined && keyId !== undefined) signer = { hmacKey, keyId }
  else
    throw new InputError(
      'needs HEISTGUARD_RECEIPT_PRIVATE_KEY, or HEISTGUARD_RECEIPT_HMAC_KEY and HEISTGUARD_RECEIPT_KEY_ID, in the environment',
      { code: 'USAGE', field: '--receipt' },
    )
  const receipt = await createReceipt(
    {
      safeTxHash: verdict.hashes.safeTxHash,
      verdict: verdict.verdict,
      summary: verdict.summary,
      verifierVersion: `heistguard ${VERSION}`,
      time: new Date().toISOString(),
    },
    signer,
  )
  const { rename, writeFile } = await import('node:fs/promises')
  const path = resolve(context.cwd, file)
  const temporary = `${path}.tmp-${process.pid}`
  try {
    await writeFile(temporary, `${JSON.stringify(receipt, null, 2)}\n`, { flag: 'wx', mode: 0o644 })
    await rename(temporary, path)
  } catch (error) {
    throw new InputError(
      `cannot write the receipt (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      {
        code: 'FILE_NOT_WRITABLE',
        field: file,
      },
    )
  }
}
