import { formatEther } from './format.js'
import type { DecodedCall, Verdict } from './Verdict.js'

const HEADLINE = {
  pass: 'PASS: nothing found that should stop you signing',
  warn: 'WARN: read the findings before you sign',
  block: 'BLOCK: do not sign this transaction',
} as const

/**
 * `0x6ff9…` as a person compares it with a hardware wallet screen: full length, then in groups of
 * four (upper case, as device screens print hashes).
 *
 * @example
 * groupHash('0xb3476d06…') // 'B347 6D06 …'
 */
export function groupHash(hash: string): string {
  return (
    hash
      .slice(2)
      .toUpperCase()
      .match(/.{1,4}/g) ?? []
  ).join(' ')
}

/**
 * The terminal report: verdict, what the transaction does in one sentence, the hashes a Ledger
 * shows when blind-signing (domain hash and message hash) and the safeTxHash, findings, decoded
 * calls and signatures.
 *
 * @example
 * process.stdout.write(renderVerdictText(verdict))
 */
export function renderVerdictText(verdict: Verdict): string {
  const { context, tx, hashes } = verdict
  const lines: string[] = []
  lines.push(HEADLINE[verdict.verdict])
  lines.push(`What it does: ${verdict.summary}`)
  lines.push('')
  lines.push(
    `Safe ${context.safe} on chain ${context.chainId} (Safe ${context.version}), nonce ${tx.nonce}`,
  )
  lines.push('')
  lines.push('Hashes to compare with your hardware wallet (a Ledger blind-signing a Safe')
  lines.push('transaction shows "Domain hash" and "Message hash"; eth_sign shows the safeTxHash):')
  for (const [label, hash] of [
    ['Domain hash ', hashes.domainHash],
    ['Message hash', hashes.messageHash],
    ['safeTxHash  ', hashes.safeTxHash],
  ] as const) {
    lines.push(`  ${label}  ${hash}`)
    lines.push(`  ${' '.repeat(label.length)}  ${groupHash(hash)}`)
  }
  lines.push('')
  if (verdict.findings.length === 0) lines.push('Findings: none')
  else {
    lines.push(`Findings (${verdict.findings.length}):`)
    for (const finding of verdict.findings) {
      const where = finding.callPath?.length ? ` [call ${finding.callPath.join('.')}]` : ''
      lines.push(
        `  ${finding.effect.toUpperCase().padEnd(5)} ${finding.severity.padEnd(8)} ${finding.rule}${where}`,
      )
      lines.push(`        ${finding.message}`)
    }
  }
  lines.push('')
  lines.push('Calls:')
  for (const call of verdict.calls) renderCall(call, lines, 1)
  if (verdict.signatures?.length) {
    lines.push('')
    lines.push('Signatures (recovered over this safeTxHash):')
    for (const sig of verdict.signatures) {
      const owner =
        sig.isOwner === true ? 'owner' : sig.isOwner === false ? 'NOT AN OWNER' : 'owners unknown'
      const claimed =
        sig.claimedOwner && sig.claimedOwner !== sig.signer
          ? ` (claimed by ${sig.claimedOwner})`
          : ''
      lines.push(
        `  #${sig.index} ${sig.type.padEnd(13)} ${sig.signer ?? '?'}  ${owner}${claimed}${sig.note ? `; ${sig.note}` : ''}`,
      )
    }
  }
  lines.push('')
  return `${lines.join('\n')}\n`
}

function renderCall(call: DecodedCall, lines: string[], depth: number): void {
  const pad = '  '.repeat(depth)
  const op = call.operation === 1 ? 'DELEGATECALL' : 'CALL'
  const fn = call.function
    ? call.function.signature
    : call.data === '0x'
      ? '(no data)'
      : `unknown ${call.data.slice(0, 10)}`
  const path = call.path.length ? `${call.path.join('.')}: ` : ''
  lines.push(
    `${pad}${path}${op} ${call.to} ${fn}${call.value > 0n ? ` value ${formatEther(call.value)} ETH` : ''}`,
  )
  for (const arg of call.function?.args ?? []) {
    if (call.kind === 'multisend' && arg.type === 'bytes') continue
    lines.push(`${pad}    ${arg.name} (${arg.type}) = ${argText(arg.value)}`)
  }
  lines.push(`${pad}    → ${call.summary}`)
  for (const child of call.children ?? []) renderCall(child, lines, depth + 1)
}

function argText(value: unknown): string {
  const text =
    JSON.stringify(value, (_key, item) => (typeof item === 'bigint' ? item.toString() : item)) ??
    String(value)
  return text.length > 140 ? `${text.slice(0, 137)}…` : text
}
