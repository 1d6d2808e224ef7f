import type { TaintSummary } from '../summarizeTaint.js'
import type { GroundTruth } from './groundTruth.js'

/**
 * Differences between an engine summary and exact ground truth, beyond a relative tolerance of
 * `tolerance` times the largest amount in the ground truth (float64 vs exact rationals). Gas
 * and dust well under that scale are ignored as such. Returns [] when they agree.
 *
 * @example
 * expect(compareWithTruth(summary, truth)).toEqual([])
 */
export function compareWithTruth(
  summary: TaintSummary,
  truth: GroundTruth,
  tolerance = 1e-9,
): string[] {
  const problems: string[] = []
  const scale = Math.max(
    1,
    ...Object.values(truth.holders).flatMap((h) => Object.values(h).map(Number)),
    ...Object.values(truth.exits).map(Number),
  )
  const eps = scale * tolerance
  const close = (what: string, a: number, b: number) => {
    if (Math.abs(a - b) > eps) problems.push(`${what}: engine ${a} vs truth ${b}`)
  }
  const holderKeys = new Set([...summary.holders.keys(), ...Object.keys(truth.holders)])
  for (const key of holderKeys) {
    const e = summary.holders.get(key)
    const t = truth.holders[key] ?? {}
    const heists = new Set([...(e?.keys() ?? []), ...Object.keys(t)])
    for (const h of heists) close(`holder ${key} ${h}`, e?.get(h) ?? 0, Number(t[h] ?? 0))
  }
  for (const key of new Set([...summary.exits.keys(), ...Object.keys(truth.exits)]))
    close(`exit ${key}`, summary.exits.get(key) ?? 0, Number(truth.exits[key] ?? 0))
  for (const key of new Set([...summary.gasBurned.keys(), ...Object.keys(truth.gasBurned)]))
    close(`gas ${key}`, summary.gasBurned.get(key) ?? 0, Number(truth.gasBurned[key] ?? 0))
  if (summary.taintedTopUps.count !== truth.taintedTopUps.count)
    problems.push(
      `tainted top-ups: engine ${summary.taintedTopUps.count} vs truth ${truth.taintedTopUps.count}`,
    )
  return problems
}
