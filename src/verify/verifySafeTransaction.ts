import type { Address, Hex } from '../core/hex.js'
import { hashSafeTx } from '../safe/hashSafeTx.js'
import type { ParsedSignature } from '../safe/parseSignatures.js'
import type { SafeContext, SafeTx } from '../safe/types.js'
import { flattenCalls } from './callFacts.js'
import { canonicalFacts } from './canonical.js'
import { decodeCall } from './decodeCall.js'
import { addressKey } from './format.js'
import type { Policy, PolicyAddressEntry } from './policy.js'
import { createRegistry, type Registry } from './registry/createRegistry.js'
import { adminRules, configChangeRule, signMessageRule } from './rules/adminRules.js'
import { counterpartyRules } from './rules/counterpartyRules.js'
import { decodeRules } from './rules/decodeRules.js'
import { delegatecallRule } from './rules/delegatecallRule.js'
import { gasRefundRule } from './rules/gasRefundRule.js'
import type { RuleContext } from './rules/RuleContext.js'
import { recordRules, signatureRules } from './rules/signatureRules.js'
import {
  intentRule,
  safeMovements,
  unlimitedApprovalRule,
  valueLimitRule,
} from './rules/valueRules.js'
import { selectSafePolicy } from './selectSafePolicy.js'
import type { Finding, ProposalSummary, Verdict, VerdictValue } from './Verdict.js'

/** One Transaction Service confirmation, with its signer once recovered. */
export type Confirmation = {
  owner: Address
  signature: Hex
  /** Recovered against this transaction's safeTxHash (by `recoverSignatures`). */
  signer?: Address | null
  type?: ParsedSignature['type']
  error?: string
}

/** What to verify: the signed fields, their domain, and whatever came with them. */
export type VerifyInput = {
  context: SafeContext
  tx: SafeTx
  /** Concatenated signatures as `execTransaction` takes them. */
  signatures?: Hex
  /** `signatures` split and recovered against this transaction (see `recoverSignatures`). */
  recovered?: ParsedSignature[] | { error: string }
  confirmations?: Confirmation[]
  /** The safeTxHash a Transaction Service record states for itself. */
  claimedSafeTxHash?: Hex
  /** Owners known from the input (Transaction Service); the policy's owners take precedence. */
  owners?: Address[]
  threshold?: number
  /** Every proposal for this Safe and nonce, this one included. */
  proposals?: ProposalSummary[]
}

/** Lists the verifier checks counterparties against, keyed by lowercase address. */
export type VerifyLabels = {
  sanctioned?: ReadonlyMap<string, { source: string; name?: string }>
}

export type VerifyOptions = {
  policy?: Policy
  labels?: VerifyLabels
  registry?: Registry
  /** For intent time windows; default `new Date()` is the only clock read, and only if omitted. */
  now?: Date
  /** An already computed simulation result, passed through to the Verdict. */
  simulation?: unknown
  /** Findings from elsewhere (e.g. the simulation), merged before the verdict is taken. */
  extraFindings?: Finding[]
}

const RANK: Record<VerdictValue, number> = { pass: 0, warn: 1, block: 2 }
const SEVERITY: Record<Finding['severity'], number> = {
  info: 0,
  low: 1,
  medium: 2,
  high: 3,
  critical: 4,
}

/**
 * Verifies a Safe transaction offline: computes the domain, message and safeTxHash, decodes the
 * calldata (nested MultiSend batches included), applies the policy and labels, checks signatures,
 * and returns a Verdict (pass | warn | block) with findings in plain words. Pure: no network, no
 * disk; the clock only when `now` is omitted. Signatures must be recovered first with
 * `recoverSignatures` (recovery is async in viem).
 *
 * @example
 * const verdict = verifySafeTransaction(
 *   { context: { chainId: 1n, safe: '0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4', version: '1.1.1' }, tx: bybitTx },
 *   { policy },
 * )
 * verdict.verdict // 'block'
 * verdict.hashes.safeTxHash // '0xb3476d061aeb8fc1d605a873c483a2402d88a68a9cdd1a8b47655dd55ba004f8'
 */
export function verifySafeTransaction(input: VerifyInput, options: VerifyOptions = {}): Verdict {
  const { context, tx } = input
  const hashes = hashSafeTx(context, tx)
  const policy = options.policy
    ? selectSafePolicy(options.policy, context.safe, context.chainId)
    : undefined
  const canonical = canonicalFacts(context.chainId)
  const book = new Map<string, PolicyAddressEntry>()
  for (const entry of policy?.addressBook ?? []) book.set(addressKey(entry.address), entry)
  const policyOwners = policy?.owners ?? []
  const ownerList = policyOwners.length > 0 ? policyOwners : (input.owners ?? [])
  const registry = options.registry ?? createRegistry()
  const root = decodeCall(
    { operation: tx.operation, to: tx.to, value: tx.value, data: tx.data },
    {
      registry,
      safe: context.safe,
      nameOf: (address) => book.get(addressKey(address))?.name,
      tokenOf: (address) => {
        const entry = book.get(addressKey(address))
        return entry
          ? {
              ...(entry.symbol ? { symbol: entry.symbol } : {}),
              ...(entry.decimals !== undefined ? { decimals: entry.decimals } : {}),
            }
          : undefined
      },
      contractOf: canonical.nameOf,
    },
  )
  const ruleContext: RuleContext = {
    input,
    context,
    tx,
    hashes,
    root,
    calls: flattenCalls(root, context.safe),
    policy,
    book,
    owners: new Set(ownerList.map(addressKey)),
    ownersSource:
      policyOwners.length > 0 ? 'policy' : ownerList.length > 0 ? 'transaction-service' : 'none',
    allowlist: new Set(
      (policy?.delegatecallAllowlist ?? canonical.defaultAllowlist()).map(addressKey),
    ),
    canonical,
    labels: options.labels,
    now: options.now ?? new Date(),
  }
  const findings: Finding[] = []
  if (!options.policy)
    findings.push({
      rule: 'no-policy',
      severity: 'medium',
      effect: 'warn',
      message:
        'No policy was given: recipients, owners and limits cannot be checked (pass --policy FILE).',
    })
  else if (!policy)
    findings.push({
      rule: 'policy-has-no-entry',
      severity: 'medium',
      effect: 'warn',
      message: `The policy ${options.policy.source} has no entry for Safe ${context.safe} on chain ${context.chainId}.`,
    })
  const movements = safeMovements(ruleContext)
  const intents = intentRule(ruleContext, movements)
  const signatures = signatureRules(ruleContext)
  findings.push(
    ...recordRules(ruleContext),
    ...signatures.findings,
    ...delegatecallRule(ruleContext),
    ...adminRules(ruleContext),
    ...configChangeRule(ruleContext),
    ...signMessageRule(ruleContext),
    ...gasRefundRule(ruleContext),
    ...counterpartyRules(ruleContext, intents.covered),
    ...valueLimitRule(ruleContext, movements),
    ...unlimitedApprovalRule(ruleContext),
    ...intents.findings,
    ...decodeRules(ruleContext),
    ...(options.extraFindings ?? []),
  )
  for (const entry of registry.shadowed)
    findings.push({
      rule: 'abi-shadowed',
      severity: 'info',
      effect: 'pass',
      message: `${entry.source} defines ${entry.signature}, whose selector ${entry.selector} already belongs to a built-in function; the built-in is used.`,
    })
  // Most serious first, so that a terminal or a notification shows what blocks before what informs.
  findings.sort(
    (a, b) => RANK[b.effect] - RANK[a.effect] || SEVERITY[b.severity] - SEVERITY[a.severity],
  )
  const verdict = findings.reduce<VerdictValue>(
    (worst, f) => (RANK[f.effect] > RANK[worst] ? f.effect : worst),
    'pass',
  )
  const result: Verdict = {
    verdict,
    context,
    tx,
    hashes,
    summary: sentence(root.summary),
    calls: [root],
    findings,
  }
  if (signatures.checks.length > 0) result.signatures = signatures.checks
  if (options.simulation !== undefined) result.simulation = options.simulation
  return result
}

function sentence(text: string): string {
  const trimmed = text.trim()
  if (trimmed === '') return trimmed
  return `${trimmed[0]!.toUpperCase()}${trimmed.slice(1)}${/[.!?]$/.test(trimmed) ? '' : '.'}`
}

/**
 * Recovers the signatures and confirmations of an input against its own safeTxHash (see
 * `recoverSignatures.ts`). Loads the secp256k1 code on first use, so that callers that verify
 * unsigned transactions never pay for it.
 *
 * @example
 * const verdict = verifySafeTransaction(await recoverSignatures({ context, tx, signatures }), { policy })
 */
export async function recoverSignatures(input: VerifyInput): Promise<VerifyInput> {
  const { recoverSignatures: recover } = await import('./recoverSignatures.js')
  return recover(input)
}
