import type { DirectExposure, IndirectExposure, LabelHit, RiskLevel } from './Exposure.js'
import { formatTokenAmount } from './formatTokenAmount.js'

// Thresholds on the indirect taint share. 10% mirrors the share above which exchanges commonly
// freeze a deposit for review; 1% is the level at which most KYT tools start to report exposure.
const HIGH_SHARE = 0.1
const MEDIUM_SHARE = 0.01

const ORDER: Record<RiskLevel, number> = { none: 0, low: 1, medium: 2, high: 3, severe: 4 }

/**
 * Decides the risk level of one address and says why, one plain sentence per reason, most
 * serious first, with amounts in token units (`10,000 ETH`; see formatTokenAmount) for people;
 * the exact base-unit strings stay in the exposure's fields for machines. Pure: the same exposure
 * always gives the same answer.
 *
 * Rules: a sanctions hit, an attribution to a heist, or holding stolen funds is `severe`; having
 * received stolen funds (exit, hop) is `high`; indirect exposure is `high`, `medium` or `low` by
 * taint share; other labels are reported without raising the level.
 *
 * @example
 * assessRisk([], [{ heist: 'bybit', hops: 2, share: 0.5, via: '0x…' }], [])
 * // { risk: 'high', reasons: ['2 hops from bybit-tainted funds (via 0x…): 50% of its inflow tainted'] }
 */
export function assessRisk(
  direct: readonly DirectExposure[],
  indirect: readonly IndirectExposure[],
  labels: readonly LabelHit[],
): { risk: RiskLevel; reasons: string[] } {
  const found: { level: RiskLevel; reason: string }[] = []
  for (const label of labels) {
    if (label.sanctioned)
      found.push({ level: 'severe', reason: `sanctioned: ${label.name} (${label.source})` })
    else if (label.heist)
      found.push({
        level: 'severe',
        reason: `attributed to the ${label.heist} heist: ${label.name} (${label.source})`,
      })
    else
      found.push({
        level: 'none',
        reason: `labelled ${label.category}: ${label.name} (${label.source})`,
      })
  }
  for (const d of direct) {
    if (Number(d.holds) > 0)
      found.push({
        level: 'severe',
        reason: `holds ${formatTokenAmount(d.holds, d.token)} of ${d.heist}-tainted funds${d.share > 0 ? ` (${percent(d.share)} of its balance)` : ''}${d.role === 'tripwire' ? roleText(d) : ''}`,
      })
    else
      found.push({
        level: 'high',
        reason: `received ${formatTokenAmount(d.received, d.token)} of ${d.heist}-tainted funds${roleText(d)}`,
      })
  }
  for (const i of indirect) {
    const level: RiskLevel =
      i.share >= HIGH_SHARE ? 'high' : i.share >= MEDIUM_SHARE ? 'medium' : 'low'
    found.push({
      level,
      reason: `${i.hops} hop${i.hops === 1 ? '' : 's'} from ${i.heist}-tainted funds (via ${i.via}): ${percent(i.share)} of its inflow tainted`,
    })
  }
  found.sort((a, b) => ORDER[b.level] - ORDER[a.level])
  const risk = found.reduce<RiskLevel>(
    (max, f) => (ORDER[f.level] > ORDER[max] ? f.level : max),
    'none',
  )
  return { risk, reasons: found.map((f) => f.reason) }
}

/** Where the address sits in the laundering, in words. */
function roleText(d: DirectExposure): string {
  if (d.role === 'exit') return ' as an exit (a bridge, exchange or mixer took them in)'
  if (d.role === 'tripwire') return ', seen live by the tripwire'
  if (d.role === 'hop')
    return d.hops === undefined
      ? ' and passed them on'
      : ` and passed them on, ${d.hops} hop${d.hops === 1 ? '' : 's'} from the theft`
  return ''
}

/** 0.0625 -> '6.25%', 1 -> '100%', 0.00001 -> '<0.01%'. */
function percent(share: number): string {
  if (share > 0 && share < 0.0001) return '<0.01%'
  return `${Number((share * 100).toFixed(2))}%`
}

/** Numeric order of a risk level, for filters such as "high or worse". */
export function riskRank(level: RiskLevel): number {
  return ORDER[level]
}
