import type { LabelSet } from '../labels/LabelSet.js'
import type { TransferStore } from '../store/TransferStore.js'
import { PLACE_BRIDGE, PLACE_DEX, PLACE_EXCHANGE, PLACE_MIXER } from './Place.js'
import type { Policy } from './Policy.js'
import { buildTraceReport, type TraceReport } from './report.js'
import { type HeistSpec, resolveTaintSetup } from './resolveTaintSetup.js'
import {
  applyTransfers,
  checkConservation,
  createTaintState,
  finishTaint,
  prepareTransfers,
} from './taintEngine.js'

const PLACE_OF_CATEGORY: Record<string, number> = {
  dex: PLACE_DEX,
  exchange: PLACE_EXCHANGE,
  bridge: PLACE_BRIDGE,
  mixer: PLACE_MIXER,
}

/**
 * Place codes of every labelled address (the first place-like label of an address wins).
 *
 * @example
 * const places = placesFromLabels(labels)
 */
export function placesFromLabels(labels: LabelSet): Map<string, number> {
  const places = new Map<string, number>()
  for (const [address, list] of labels.byAddress)
    for (const l of list) {
      const code = PLACE_OF_CATEGORY[l.category]
      if (code !== undefined && !places.has(address)) places.set(address, code)
    }
  return places
}

export type TraceTimings = { scanMs: number; engineMs: number; rows: number }

/**
 * Traces a case over a transfer store: scan chunks into the engine, settle, check conservation,
 * build the report (with bridge memos from the store).
 *
 * @example
 * const { report } = await traceCase(store, { policy: 'haircut', heists, labels })
 */
export async function traceCase(
  store: TransferStore,
  input: {
    policy: Policy
    heists: HeistSpec[]
    labels: LabelSet
    onProgress?: (line: string) => void
  },
): Promise<{ report: TraceReport; timings: TraceTimings }> {
  const t0 = performance.now()
  const scan = await store.scanTransfers()
  const setup = resolveTaintSetup(
    { policy: input.policy, heists: input.heists, places: placesFromLabels(input.labels) },
    scan.dictionary,
  )
  const state = createTaintState(setup, scan.dictionary.addresses.length * 2)
  let engineMs = 0
  let seen = 0
  for await (const chunk of scan.chunks) {
    const e0 = performance.now()
    applyTransfers(state, chunk, prepareTransfers(state, chunk))
    engineMs += performance.now() - e0
    seen += chunk.length
    input.onProgress?.(
      `traced ${seen.toLocaleString('en')} / ${scan.rows.toLocaleString('en')} transfers`,
    )
  }
  finishTaint(state)
  const conservation = checkConservation(state)
  const exitTx = [...new Set(state.exits.map((e) => scan.dictionary.txHashes[e.txId]!))]
  const memos = await store.findMemos(exitTx)
  const report = buildTraceReport(state, scan.dictionary, {
    heists: input.heists.map((h) => h.id),
    labels: input.labels,
    memos,
    conservation,
  })
  return {
    report,
    timings: { scanMs: performance.now() - t0 - engineMs, engineMs, rows: scan.rows },
  }
}
