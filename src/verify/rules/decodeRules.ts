import type { Finding } from '../Verdict.js'
import type { RuleContext } from './RuleContext.js'

/**
 * What the decoder could not vouch for: unknown selectors (reported, never guessed), calldata
 * that does not decode, batches that do not parse, and arguments that do not re-encode to the
 * exact bytes (extra or non-canonical bytes a UI would not show: possible smuggling).
 */
export function decodeRules(context: RuleContext): Finding[] {
  const findings: Finding[] = []
  for (const { call } of context.calls) {
    const where = call.path.length ? ` (call ${call.path.join('.')} of the batch)` : ''
    if (call.kind === 'unknown')
      findings.push({
        rule: 'unknown-function',
        severity: 'medium',
        effect: 'warn',
        callPath: call.path,
        selector: call.data.slice(0, 10),
        message: `The call to ${call.to}${where} uses function selector ${call.data.slice(0, 10)}, which is not in the registry: heistguard cannot say what it does (add its ABI to the policy to decode it).`,
      })
    if (call.error) {
      const batch = call.kind === 'multisend'
      findings.push({
        rule: batch ? 'multisend-malformed' : 'calldata-malformed',
        severity: 'high',
        effect: batch ? 'block' : 'warn',
        callPath: call.path,
        message: `The calldata to ${call.to}${where} is malformed: ${call.error}.`,
      })
    } else if (call.function && !call.function.reencodes) {
      findings.push({
        rule: 'non-canonical-calldata',
        severity: 'high',
        effect: 'warn',
        callPath: call.path,
        message: `The calldata to ${call.to}${where} decodes as ${call.function.signature} but does not re-encode to the same bytes: it carries extra or non-canonical bytes that a signing screen would not show (possible hidden payload).`,
      })
    }
  }
  return findings
}
