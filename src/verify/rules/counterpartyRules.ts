import type { Address } from '../../core/hex.js'
import { type Counterparty, counterpartiesOf } from '../callFacts.js'
import { addressKey } from '../format.js'
import type { Finding } from '../Verdict.js'
import { isKnown, nameAddress, type RuleContext } from './RuleContext.js'

/** How many leading and trailing hex digits a poisoned address copies from the real one. */
const LOOKALIKE_PREFIX = 4
const LOOKALIKE_SUFFIX = 4

/**
 * Every address the transaction deals with (recipients, spenders, targets, new admins, gas
 * refund receiver) checked against: sanctions and label lists (block), untrusted address-book
 * entries (block), look-alikes of address-book entries or owners (block: address poisoning,
 * clipboard swaps), and, for recipients and spenders, the address book itself (warn when absent).
 * Addresses covered by a matching intent are not warned about.
 */
export function counterpartyRules(context: RuleContext, covered: ReadonlySet<string>): Finding[] {
  const findings: Finding[] = []
  const parties: Counterparty[] = []
  for (const { call, asSafe } of context.calls) if (asSafe) parties.push(...counterpartiesOf(call))
  if (context.tx.gasPrice > 0n)
    parties.push({ address: context.tx.refundReceiver, role: 'recipient', callPath: [] })
  const seen = new Set<string>()
  const known = knownAddresses(context)
  for (const party of parties) {
    const key = addressKey(party.address)
    const once = `${key}:${party.role}`
    if (seen.has(once)) continue
    seen.add(once)
    if (/^0x0{40}$/.test(key)) continue
    const sanction = context.labels?.sanctioned?.get(key)
    if (sanction)
      findings.push({
        rule: 'sanctioned-counterparty',
        severity: 'critical',
        effect: 'block',
        callPath: party.callPath,
        address: party.address,
        message: `${party.address} (${party.role}) is on the list ${sanction.source}${sanction.name ? ` as "${sanction.name}"` : ''}, a sanctions or stolen-funds list the policy names: do not transact with it.`,
      })
    const entry = context.book.get(key)
    if (entry?.trust === 'untrusted')
      findings.push({
        rule: 'untrusted-counterparty',
        severity: 'critical',
        effect: 'block',
        callPath: party.callPath,
        address: party.address,
        message: `${party.address} (${party.role}) is marked untrusted in the address book ("${entry.name}").`,
      })
    if (!isKnown(context, party.address)) {
      const twin = lookalikeOf(party.address, known)
      if (twin)
        findings.push({
          rule: 'lookalike-address',
          severity: 'critical',
          effect: 'block',
          callPath: party.callPath,
          address: party.address,
          lookalikeOf: twin.address,
          message: `${party.address} (${party.role}) looks like ${twin.name} ${twin.address} (same first ${LOOKALIKE_PREFIX} and last ${LOOKALIKE_SUFFIX} hex digits) but is a different address: address poisoning or a swapped clipboard.`,
        })
      else if (
        context.policy &&
        !entry &&
        (party.role === 'recipient' || party.role === 'spender') &&
        !covered.has(key)
      )
        findings.push({
          rule: 'recipient-not-in-address-book',
          severity: 'medium',
          effect: 'warn',
          callPath: party.callPath,
          address: party.address,
          message: `${nameAddress(context, party.address)} (${party.role}) is not in this Safe's address book.`,
        })
    }
  }
  return findings
}

type KnownAddress = { address: Address; name: string }

function knownAddresses(context: RuleContext): KnownAddress[] {
  const out: KnownAddress[] = []
  for (const entry of context.book.values())
    if (entry.trust !== 'untrusted')
      out.push({ address: entry.address, name: `address-book entry "${entry.name}"` })
  for (const owner of context.owners) out.push({ address: owner as Address, name: 'owner' })
  return out
}

function lookalikeOf(address: Address, known: readonly KnownAddress[]): KnownAddress | undefined {
  const key = addressKey(address)
  const head = key.slice(2, 2 + LOOKALIKE_PREFIX)
  const tail = key.slice(-LOOKALIKE_SUFFIX)
  return known.find((entry) => {
    const other = addressKey(entry.address)
    return (
      other !== key &&
      other.slice(2, 2 + LOOKALIKE_PREFIX) === head &&
      other.slice(-LOOKALIKE_SUFFIX) === tail
    )
  })
}
