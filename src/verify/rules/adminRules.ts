import { counterpartiesOf } from '../callFacts.js'
import { addressKey } from '../format.js'
import type { Finding } from '../Verdict.js'
import { isKnown, nameAddress, type RuleContext } from './RuleContext.js'

const ADMIN_KINDS = new Set([
  'proxy-upgrade',
  'proxyadmin-upgrade',
  'proxy-changeAdmin',
  'proxyadmin-changeProxyAdmin',
  'ownership-transfer',
  'role-grant',
  'safe-owners',
  'safe-modules',
  'safe-guard',
  'safe-fallback',
  'safe-masterCopy',
])

const CONFIG_KINDS = new Set([
  'safe-owners',
  'safe-modules',
  'safe-guard',
  'safe-fallback',
  'safe-masterCopy',
  'safe-migration',
  'safe-setup',
])

/**
 * Control of a contract handed to a stranger blocks (Radiant: `transferOwnership` to an attacker
 * contract; a proxy upgrade to unknown code; a new Safe owner or module nobody listed).
 * Renouncing ownership blocks too: it cannot be undone. Revoking roles or accepting ownership
 * only warns.
 */
export function adminRules(context: RuleContext): Finding[] {
  const findings: Finding[] = []
  for (const { call } of context.calls) {
    if (call.operation !== 0 || !call.function) continue
    if (ADMIN_KINDS.has(call.kind ?? '')) {
      for (const party of counterpartiesOf(call)) {
        if (party.role === 'contract' || party.role === 'recipient' || party.role === 'spender')
          continue
        if (/^0x0{40}$/.test(party.address)) continue
        const known =
          party.role === 'implementation' && call.kind === 'safe-masterCopy'
            ? context.canonical.isSingleton(party.address)
            : isKnown(context, party.address)
        if (known) continue
        findings.push({
          rule: 'admin-transfer-to-unknown',
          severity: 'critical',
          effect: 'block',
          callPath: call.path,
          function: call.function.signature,
          address: party.address,
          message: `${call.function.name} on ${nameAddress(context, call.to)} gives control (${party.role}) to ${party.address}, which is ${call.kind === 'safe-masterCopy' ? 'not a canonical Safe singleton' : 'not in the address book'}: whoever controls it would control the contract (the Radiant pattern).`,
        })
      }
    }
    if (call.kind === 'ownership-renounce')
      findings.push({
        rule: 'ownership-renounce',
        severity: 'high',
        effect: 'block',
        callPath: call.path,
        message: `renounceOwnership on ${nameAddress(context, call.to)} gives up control of it for good.`,
      })
    if (
      call.kind === 'role-revoke' ||
      call.kind === 'role-renounce' ||
      call.kind === 'ownership-accept'
    )
      findings.push({
        rule: 'admin-change',
        severity: 'medium',
        effect: 'warn',
        callPath: call.path,
        message: `${call.function.name} changes who administers ${nameAddress(context, call.to)}.`,
      })
  }
  return findings
}

/** Owners, threshold, modules, guard, fallback handler, implementation: warn, or block by policy. */
export function configChangeRule(context: RuleContext): Finding[] {
  const findings: Finding[] = []
  const effect = context.policy?.configChanges ?? 'warn'
  for (const { call, asSafe } of context.calls) {
    if (!CONFIG_KINDS.has(call.kind ?? '')) continue
    const self = addressKey(call.to) === addressKey(context.context.safe)
    // SafeMigration works only through DELEGATECALL: it rewrites the Safe's own singleton slot.
    const migration = call.kind === 'safe-migration' && call.operation === 1 && asSafe
    if (!(call.operation === 0 && self) && !migration) continue
    findings.push({
      rule: 'safe-config-change',
      severity: 'high',
      effect,
      callPath: call.path,
      function: call.function?.signature,
      message: `This transaction changes the Safe's own configuration: ${call.summary}.`,
    })
  }
  return findings
}

/**
 * SignMessageLib through DELEGATECALL marks a message as signed by the Safe: any contract that
 * checks EIP-1271 (Permit2, CoW orders, Seaport) then accepts it, so it can move funds. Warn.
 */
export function signMessageRule(context: RuleContext): Finding[] {
  const findings: Finding[] = []
  for (const { call, asSafe } of context.calls) {
    if (call.kind !== 'safe-signMessage' || call.operation !== 1 || !asSafe) continue
    findings.push({
      rule: 'safe-signs-message',
      severity: 'medium',
      effect: 'warn',
      callPath: call.path,
      message:
        "This transaction signs a message in the Safe's name (SignMessageLib): contracts that accept the Safe's signature (permits, off-chain orders) will treat it as approved by all owners; check what the message is.",
    })
  }
  return findings
}
