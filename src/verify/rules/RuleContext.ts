import type { Address } from '../../core/hex.js'
import type { SafeContext, SafeTx, SafeTxHashes } from '../../safe/types.js'
import type { FlatCall } from '../callFacts.js'
import type { CanonicalFacts } from '../canonical.js'
import { addressKey } from '../format.js'
import type { PolicyAddressEntry, SafePolicy } from '../policy.js'
import type { DecodedCall, Finding } from '../Verdict.js'
import type { VerifyInput, VerifyLabels } from '../verifySafeTransaction.js'

/** Everything a rule may look at. Built once per verification; rules are pure functions of it. */
export type RuleContext = {
  input: VerifyInput
  context: SafeContext
  tx: SafeTx
  hashes: SafeTxHashes
  root: DecodedCall
  calls: FlatCall[]
  policy: SafePolicy | undefined
  /** Address book by lowercase address. */
  book: Map<string, PolicyAddressEntry>
  /** Owners by lowercase address (policy first, else the Transaction Service record). */
  owners: Set<string>
  ownersSource: 'policy' | 'transaction-service' | 'none'
  allowlist: Set<string>
  canonical: CanonicalFacts
  labels: VerifyLabels | undefined
  now: Date
}

export type Rule = (context: RuleContext) => Finding[]

/** Owner, address-book entry (not untrusted), canonical Safe contract, or the Safe itself. */
export function isKnown(context: RuleContext, address: Address): boolean {
  const key = addressKey(address)
  if (key === addressKey(context.context.safe)) return true
  if (context.owners.has(key)) return true
  const entry = context.book.get(key)
  if (entry) return entry.trust !== 'untrusted'
  return context.canonical.nameOf(address) !== undefined
}

/** `0x88a1…Ade3 ("hot wallet")`: how findings name an address. */
export function nameAddress(context: RuleContext, address: string): string {
  const key = addressKey(address)
  if (key === addressKey(context.context.safe)) return `this Safe (${address})`
  const name = context.book.get(key)?.name ?? context.canonical.nameOf(address as Address)
  return name ? `${address} ("${name}")` : address
}
