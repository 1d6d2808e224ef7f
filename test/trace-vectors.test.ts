import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { columnsFromRecords } from '../src/trace/columnsFromRecords.js'
import { POLICIES } from '../src/trace/Policy.js'
import { toNumber } from '../src/trace/reference/rational.js'
import { referenceTaint } from '../src/trace/reference/referenceTaint.js'
import { resolveTaintSetup } from '../src/trace/resolveTaintSetup.js'
import { summarizeTaint } from '../src/trace/summarizeTaint.js'
import type { TransferRecord } from '../src/trace/TransferRecord.js'
import { checkConservation, runTaint } from '../src/trace/taintEngine.js'

type Vector = {
  heists: { id: string; thefts: string[]; sources: [] }[]
  transfers: { block: number; tx: string; from: string; to: string; amount: string }[]
  expected: Record<string, Record<string, Record<string, number>>>
}
const vector = JSON.parse(
  readFileSync(new URL('./vectors/trace-blend-policies.json', import.meta.url), 'utf8'),
) as Vector
const records: TransferRecord[] = vector.transfers.map((t) => ({
  chainId: 1,
  block: t.block,
  txIndex: 0,
  txHash: t.tx,
  kind: 'native',
  ordinal: 0,
  from: t.from,
  to: t.to,
  token: 'ETH',
  amount: BigInt(t.amount),
}))

describe('known-answer vector: blended heists under every policy', () => {
  for (const policy of POLICIES)
    test(policy, () => {
      const expected = vector.expected[policy]!
      const { columns, dictionary } = columnsFromRecords(records)
      const state = runTaint(
        columns,
        resolveTaintSetup({ policy, heists: vector.heists, places: new Map() }, dictionary),
      )
      const engine = summarizeTaint(state, dictionary, ['A', 'B'])
      const truth = referenceTaint({
        policy,
        heists: vector.heists,
        places: new Map(),
        transfers: records.map((r) => ({ ...r, tx: r.txHash, kind: 'transfer' as const })),
      })
      const asObject = (m: Map<string, Map<string, number>>) =>
        Object.fromEntries(
          [...m].map(([k, v]) => [
            k.split('|')[0],
            Object.fromEntries([...v].map(([h, x]) => [h, x])),
          ]),
        )
      const engineHolders = asObject(engine.holders)
      const refHolders = asObject(
        new Map(
          [...truth.holders].map(([k, v]) => [
            k,
            new Map([...v].map(([h, x]) => [h, toNumber(x)])),
          ]),
        ),
      )
      for (const [address, byHeist] of Object.entries(expected))
        for (const [h, amount] of Object.entries(byHeist)) {
          expect(engineHolders[address]?.[h]).toBeCloseTo(amount, 9)
          expect(refHolders[address]?.[h]).toBeCloseTo(amount, 9)
        }
      expect(Object.keys(engineHolders).sort()).toEqual(Object.keys(expected).sort())
      expect(checkConservation(state).ok).toBe(true)
      expect(state.topUps.count).toBe(3)
      expect(state.topUps.taintedCount).toBe(0)
    })
})
