import type { Policy } from '../Policy.js'
import { toDecimal } from '../reference/rational.js'
import { type RefPlace, type RefTransfer, referenceTaint } from '../reference/referenceTaint.js'
import { KIND_RANK, type TransferRecord } from '../TransferRecord.js'
import type { Scenario } from './generateScenario.js'

/** Ground truth of a generated dataset, per policy, as exact decimal strings. */
export type GroundTruth = {
  policy: Policy
  /** `address|token` -> heist id -> amount. */
  holders: Record<string, Record<string, string>>
  /** `place|token|heist` -> amount. */
  exits: Record<string, string>
  gasBurned: Record<string, string>
  taintedTopUps: { count: number; byToken: Record<string, string> }
}

const PLACE_CATEGORIES: Record<string, RefPlace> = {
  dex: 'dex',
  exchange: 'exchange',
  bridge: 'bridge',
  mixer: 'mixer',
}

/**
 * Runs the exact reference implementation over the laundering transactions of a scenario.
 *
 * @example
 * const truth = computeGroundTruth(scenario, heistRecords, 'haircut')
 */
export function computeGroundTruth(
  scenario: Scenario,
  records: readonly TransferRecord[],
  policy: Policy,
): GroundTruth {
  const places = new Map<string, RefPlace>()
  for (const l of scenario.labels) {
    const p = PLACE_CATEGORIES[l.category]
    if (p) places.set(l.address, p)
  }
  const transfers: RefTransfer[] = records.map((r) => ({
    block: r.block,
    txIndex: r.txIndex,
    ordinal: KIND_RANK[r.kind] * 1e9 + r.ordinal,
    tx: r.txHash,
    from: r.from,
    to: r.to,
    token: r.token,
    amount: r.amount,
    kind: r.kind === 'gas' ? 'gas' : 'transfer',
  }))
  const heists = scenario.caseFile.heists.map((h) => ({
    id: h.id,
    thefts: h.thefts ?? [],
    sources: (h.sources ?? []).map((s) => {
      const [address, block] = s.split('@')
      return { address: address!, block: Number(block) }
    }),
  }))
  const result = referenceTaint({ policy, heists, places, transfers })
  const holders: GroundTruth['holders'] = {}
  for (const [key, byHeist] of result.holders)
    holders[key] = Object.fromEntries([...byHeist].map(([h, x]) => [h, toDecimal(x, 6)]))
  return {
    policy,
    holders,
    exits: Object.fromEntries([...result.exits].map(([k, x]) => [k, toDecimal(x, 6)])),
    gasBurned: Object.fromEntries([...result.gasBurned].map(([k, x]) => [k, toDecimal(x, 6)])),
    taintedTopUps: {
      count: result.taintedTopUps.count,
      byToken: Object.fromEntries(
        [...result.taintedTopUps.byToken].map(([k, x]) => [k, x.toString()]),
      ),
    },
  }
}
