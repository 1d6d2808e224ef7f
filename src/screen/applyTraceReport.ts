import { addAmounts } from './amounts.js'
import type { DirectExposure, ExposureIndex, LabelHit } from './Exposure.js'
import { exposureInputFromReport } from './exposureInputFromReport.js'
import { updateExposure } from './updateExposure.js'

/**
 * Folds a finished trace report (a case run through POST /api/trace/cases, or one stored earlier)
 * into a live exposure index: its holders, exits and exit senders become direct exposure, its
 * holder labels label hits, its heists known heists. Amounts replace the ones an earlier run gave
 * for the same address, heist, token and role, so running a case again states its current totals
 * instead of doubling them. Returns how many addresses changed. Screening sees the change at once
 * (the index is updated in place; see updateExposure).
 *
 * @example
 * applyTraceReport(index, report, 'case c1') // 7
 */
export function applyTraceReport(index: ExposureIndex, report: unknown, source: string): number {
  const input = exposureInputFromReport(report, source)
  for (const h of input.heists) if (!index.heists.some((x) => x.id === h.id)) index.heists.push(h)
  const byAddress = new Map<string, { direct: DirectExposure[]; labels: LabelHit[] }>()
  const slot = (address: string) => {
    const key = address.toLowerCase()
    let s = byAddress.get(key)
    if (!s) {
      s = { direct: [], labels: [] }
      byAddress.set(key, s)
    }
    return s
  }
  for (const { address, ...d } of input.direct) {
    const list = slot(address).direct
    // One report can name an address twice in one role (two exits into the same bridge): sum.
    const same = list.find((x) => x.heist === d.heist && x.token === d.token && x.role === d.role)
    if (same) {
      same.received = addAmounts(same.received, d.received)
      same.holds = addAmounts(same.holds, d.holds)
    } else list.push(d)
  }
  for (const { address, ...l } of input.labels ?? []) slot(address).labels.push(l)
  for (const [address, s] of byAddress)
    updateExposure(index, { address, direct: s.direct, labels: s.labels, replace: true })
  return byAddress.size
}
