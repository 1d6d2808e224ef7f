import { addressKey } from '../format.js'
import type { Finding } from '../Verdict.js'
import { nameAddress, type RuleContext } from './RuleContext.js'

/**
 * DELEGATECALL runs the target's code with the Safe's storage and balance: the target can
 * rewrite owners, modules, or slot 0 (the implementation), as in Bybit and WazirX. Only the
 * allowlist (default: canonical MultiSendCallOnly, SignMessageLib, SafeMigration) may be the
 * target; anything else blocks, inside batches too.
 */
export function delegatecallRule(context: RuleContext): Finding[] {
  const findings: Finding[] = []
  for (const { call, asSafe } of context.calls) {
    if (call.operation !== 1 || !asSafe) continue
    if (context.allowlist.has(addressKey(call.to))) continue
    const canonical = context.canonical.nameOf(call.to)
    const what = canonical
      ? `the canonical ${canonical}, which is not on this Safe's DELEGATECALL allowlist`
      : 'an unknown contract (not on the allowlist, not a canonical Safe library)'
    findings.push({
      rule: 'delegatecall-not-allowlisted',
      severity: 'critical',
      effect: 'block',
      callPath: call.path,
      target: call.to,
      message: `DELEGATECALL to ${nameAddress(context, call.to)}, ${what}: its code would run with this Safe's storage and balance and could replace the Safe's implementation or owners and take everything (the Bybit theft).`,
    })
  }
  return findings
}
