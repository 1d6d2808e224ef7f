import type { DirectExposure, IndirectExposure, LabelHit, RiskLevel } from './Exposure.js'

// Thresholds on the indirect taint share. 10% mirrors the share above which exchanges commonly
// freeze a deposit for review; 1% is the level at which most KYT tools start to report exposure.
const HIGH_SHARE = 0.1
const MEDIUM_SHARE = 0.01

const ORDER: Record<RiskLevel, number> = { none: 0, low: 1, medium: 2, high: 3, severe: 4 }

/**
 * Decides the risk level of one address and says why, one plain sentence per reason, most
 * serious first. Pure: the same exposure always gives the same answer.
 *
 * Rules: a sanctions hit, an attribution to a heist, or holding stolen funds is `severe`; having
 * received stolen funds (exit, hop) is `high`; indirect exposure is `high`, `medium` or `low` by
 * taint share; other labels are reported without raising the level.
 *
 * @example
 * assessRisk([], [{ heist: 'bybit', hops: 2, share: 0.5, via: '0x…' }], [])
 * // { risk: 'high', reasons: ['2 hops from bybit funds (via 0x…): 50.00% of inflow tainted'] }
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
        reason: `holds ${d.holds} of token ${d.token} stolen in ${d.heist}${shareText(d.share)}`,
      })
    else
      found.push({
        level: 'high',
        reason: `received ${d.received} of token ${d.token} stolen in ${d.heist} (${d.role})`,
      })
  }
  for (const i of indirect) {
    const level: RiskLevel =
      i.share >= HIGH_SHARE ? 'high' : i.share >= MEDIUM_SHARE ? 'medium' : 'low'
    found.push({
      level,
      reason: `${i.hops} hop${i.hops === 1 ? '' : 's'} from ${i.heist} funds (via ${i.via}): ${(i.share * 100).toFixed(2)}% of inflow tainted`,
    })
  }
  found.sort((a, b) => ORDER[b.level] - ORDER[a.level])
  const risk = found.reduce<RiskLevel>(
    (max, f) => (ORDER[f.level] > ORDER[max] ? f.level : max),
    'none',
  )
  return { risk, reasons: found.map((f) => f.reason) }
}

function shareText(share: number): string {
  return share > 0 ? ` (${(share * 100).toFixed(2)}% of its balance)` : ''
}

/** Numeric order of a risk level, for filters such as "high or worse". */
export function riskRank(level: RiskLevel): number {
  return ORDER[level]
}
