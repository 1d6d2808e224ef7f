import type { Address } from '../../core/hex.js'
import { isUnlimitedApproval, type Movement, movementsOf } from '../callFacts.js'
import { addressKey, formatAmount } from '../format.js'
import type { PolicyIntent } from '../policy.js'
import type { Finding } from '../Verdict.js'
import { nameAddress, type RuleContext } from './RuleContext.js'

/** Movements of the whole transaction (batches included) that run as the Safe. */
export function safeMovements(context: RuleContext): Movement[] {
  const out: Movement[] = []
  for (const { call, asSafe } of context.calls)
    if (asSafe) out.push(...movementsOf(call, context.context.safe))
  return out
}

function tokenText(context: RuleContext, token: 'ETH' | Address, amount: bigint): string {
  if (token === 'ETH') return formatAmount(amount, { decimals: 18, symbol: 'ETH' })
  const entry = context.book.get(addressKey(token))
  return `${formatAmount(amount, { ...(entry?.decimals !== undefined ? { decimals: entry.decimals } : {}), ...(entry?.symbol ? { symbol: entry.symbol } : {}) })} of token ${token}`
}

/**
 * Per-token limits from the policy, summed over the whole batch (ten calls under the limit are
 * still one transfer over it). Approvals count against the limit one by one.
 */
export function valueLimitRule(context: RuleContext, movements: readonly Movement[]): Finding[] {
  const limits = context.policy?.limits ?? []
  if (limits.length === 0) return []
  const findings: Finding[] = []
  for (const limit of limits) {
    const key = limit.token === 'ETH' ? 'ETH' : addressKey(limit.token)
    const matching = movements.filter(
      (m) => (m.token === 'ETH' ? 'ETH' : addressKey(m.token)) === key,
    )
    const total = matching.filter((m) => !m.approval).reduce((sum, m) => sum + m.amount, 0n)
    if (total > limit.max)
      findings.push({
        rule: 'value-limit-exceeded',
        severity: 'high',
        effect: 'block',
        token: limit.token,
        message: `This transaction moves ${tokenText(context, limit.token, total)}, above the policy limit of ${tokenText(context, limit.token, limit.max)}.`,
      })
    for (const approval of matching.filter((m) => m.approval && m.amount > limit.max))
      findings.push({
        rule: 'value-limit-exceeded',
        severity: 'high',
        effect: 'block',
        callPath: approval.callPath,
        token: limit.token,
        message: `This transaction lets ${approval.to} spend more of ${limit.token === 'ETH' ? 'ETH' : `token ${limit.token}`} than the policy limit of ${tokenText(context, limit.token, limit.max)}.`,
      })
  }
  return findings
}

/** `approve(max)`, Permit2 max allowances, `setApprovalForAll(true)`: warn. */
export function unlimitedApprovalRule(context: RuleContext): Finding[] {
  const findings: Finding[] = []
  for (const { call, asSafe } of context.calls) {
    if (!asSafe || !isUnlimitedApproval(call)) continue
    findings.push({
      rule: 'unlimited-approval',
      severity: 'medium',
      effect: 'warn',
      callPath: call.path,
      message: `Unlimited approval: ${call.summary}. The spender can take every current and future token of this kind from the Safe.`,
    })
  }
  return findings
}

/**
 * Transfers that match an open intent (destination, token, amount within the maximum, inside
 * the time window) are reported as such, and their destinations count as expected. A transfer to
 * an intent's destination that falls outside it (too much, too early, too late) warns.
 */
export function intentRule(
  context: RuleContext,
  movements: readonly Movement[],
): { findings: Finding[]; covered: Set<string> } {
  const intents = context.policy?.intents ?? []
  const findings: Finding[] = []
  const covered = new Set<string>()
  if (intents.length === 0) return { findings, covered }
  const totals = new Map<
    string,
    { token: 'ETH' | Address; to: Address; amount: bigint; callPath: number[] }
  >()
  for (const m of movements) {
    if (m.approval) continue
    const key = `${m.token === 'ETH' ? 'ETH' : addressKey(m.token)}:${addressKey(m.to)}`
    const prior = totals.get(key)
    totals.set(key, {
      token: m.token,
      to: m.to,
      amount: (prior?.amount ?? 0n) + m.amount,
      callPath: prior?.callPath ?? m.callPath,
    })
  }
  for (const move of totals.values()) {
    const candidates = intents.filter(
      (intent) =>
        addressKey(intent.destination) === addressKey(move.to) &&
        (intent.token === 'ETH'
          ? move.token === 'ETH'
          : move.token !== 'ETH' && addressKey(intent.token) === addressKey(move.token)),
    )
    if (candidates.length === 0) continue
    const open = candidates.find(
      (intent) => inWindow(intent, context.now) && move.amount <= intent.maxAmount,
    )
    if (open) {
      covered.add(addressKey(move.to))
      findings.push({
        rule: 'intent-match',
        severity: 'info',
        effect: 'pass',
        callPath: move.callPath,
        intent: open.id,
        message: `Matches the pre-approved intent "${open.id}": ${tokenText(context, move.token, move.amount)} to ${nameAddress(context, move.to)} (at most ${tokenText(context, open.token, open.maxAmount)}${windowText(open)}).`,
      })
      continue
    }
    const intent = candidates[0]!
    const why = !inWindow(intent, context.now)
      ? `it is outside the intent's time window${windowText(intent)} (now ${context.now.toISOString()})`
      : `${tokenText(context, move.token, move.amount)} is more than the intent allows (${tokenText(context, intent.token, intent.maxAmount)})`
    findings.push({
      rule: 'intent-mismatch',
      severity: 'high',
      effect: 'warn',
      callPath: move.callPath,
      intent: intent.id,
      message: `A transfer to ${nameAddress(context, move.to)} resembles the intent "${intent.id}" but does not match it: ${why}.`,
    })
  }
  return { findings, covered }
}

function inWindow(intent: PolicyIntent, now: Date): boolean {
  if (intent.notBefore && now < intent.notBefore) return false
  if (intent.notAfter && now > intent.notAfter) return false
  return true
}

function windowText(intent: PolicyIntent): string {
  if (!intent.notBefore && !intent.notAfter) return ''
  return `, ${intent.notBefore?.toISOString() ?? '…'} to ${intent.notAfter?.toISOString() ?? '…'}`
}
