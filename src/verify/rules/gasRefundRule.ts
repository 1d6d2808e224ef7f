import { addressKey, ZERO_ADDRESS } from '../format.js'
import type { Finding } from '../Verdict.js'
import { isKnown, type RuleContext } from './RuleContext.js'

/**
 * With a non-zero gasPrice the Safe pays a refund (gas × gasPrice in gasToken) to the
 * refundReceiver, or to whoever executes when that is 0x0. An unknown receiver or token turns
 * "gas" into a payout of the attacker's choosing.
 */
export function gasRefundRule(context: RuleContext): Finding[] {
  const { tx } = context
  if (tx.gasPrice === 0n) return []
  const findings: Finding[] = []
  const receiverIsOrigin = addressKey(tx.refundReceiver) === ZERO_ADDRESS
  if (receiverIsOrigin || !isKnown(context, tx.refundReceiver))
    findings.push({
      rule: 'gas-refund-to-unknown',
      severity: 'critical',
      effect: 'block',
      message: receiverIsOrigin
        ? `gasPrice is ${tx.gasPrice} and refundReceiver is 0x0, so whoever executes the transaction collects the gas refund from the Safe; with a high gasPrice that drains funds.`
        : `gasPrice is ${tx.gasPrice} and the gas refund goes to ${tx.refundReceiver}, which is neither an owner nor in the address book.`,
    })
  if (addressKey(tx.gasToken) !== ZERO_ADDRESS && !isKnown(context, tx.gasToken))
    findings.push({
      rule: 'gas-refund-to-unknown',
      severity: 'critical',
      effect: 'block',
      message: `The gas refund is paid in token ${tx.gasToken}, which is not in the address book.`,
    })
  return findings
}
