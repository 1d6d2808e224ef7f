import type { TransactionRecord } from '../../store/TransferStore.js'
import type { HeistSpec } from '../resolveTaintSetup.js'
import type { TransferRecord } from '../TransferRecord.js'
import {
  type GeneratedTx,
  generateScenario,
  type Scenario,
  type ScenarioParameters,
} from './generateScenario.js'

/** A small generated dataset held in memory (tests, engine benchmarks). */
export type InMemoryDataset = {
  scenario: Scenario
  txs: GeneratedTx[]
  records: TransferRecord[]
  /** Records of laundering and theft transactions only (what the reference needs). */
  heistRecords: TransferRecord[]
  heists: HeistSpec[]
  /** Place code by address, from the scenario labels. */
  places: Map<string, number>
}

const PLACE_CODES: Record<string, number> = { dex: 1, exchange: 2, bridge: 3, mixer: 4 }

/**
 * Generates a dataset into memory.
 *
 * @example
 * const data = generateInMemory({ transfers: 1000, heists: 2, seed: 1 })
 */
export function generateInMemory(params: ScenarioParameters): InMemoryDataset {
  const txs: GeneratedTx[] = []
  const scenario = generateScenario(params, (tx) => txs.push(tx))
  const places = new Map<string, number>()
  for (const l of scenario.labels)
    if (PLACE_CODES[l.category]) places.set(l.address, PLACE_CODES[l.category]!)
  return {
    scenario,
    txs,
    records: txs.flatMap((t) => t.records),
    heistRecords: txs.filter((t) => t.heist).flatMap((t) => t.records),
    heists: heistSpecsOf(scenario),
    places,
  }
}

/**
 * The scenario's case file as engine heist specs.
 *
 * @example
 * const heists = heistSpecsOf(scenario)
 */
export function heistSpecsOf(scenario: Scenario): HeistSpec[] {
  return scenario.caseFile.heists.map((h) => ({
    id: h.id,
    thefts: h.thefts ?? [],
    sources: (h.sources ?? []).map((s) => {
      const [address, block] = s.split('@')
      return { address: address!, block: Number(block) }
    }),
  }))
}

/**
 * A generated transaction as the transfer store keeps it (successful, receipt fields filled).
 *
 * @example
 * await store.importRecords({ transfers, transactions: data.txs.map(transactionRecordOf) })
 */
export function transactionRecordOf(t: GeneratedTx): TransactionRecord {
  return {
    chainId: t.records[0]?.chainId ?? 1,
    hash: t.hash,
    block: t.block,
    txIndex: t.txIndex,
    from: t.from,
    to: t.to,
    value: t.value,
    gasPrice: t.gasPrice,
    gasUsed: t.gasUsed,
    effectiveGasPrice: t.gasPrice,
    status: 1,
  }
}
