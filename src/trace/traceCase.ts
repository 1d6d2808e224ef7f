import type { LabelSet } from '../labels/LabelSet.js'
import type { TransferScan, TransferStore } from '../store/TransferStore.js'
import { PLACE_BRIDGE, PLACE_DEX, PLACE_EXCHANGE, PLACE_MIXER } from './Place.js'
import type { Policy } from './Policy.js'
import { buildTraceReport, type TraceReport } from './report.js'
import { type HeistSpec, resolveTaintSetup } from './resolveTaintSetup.js'
import type { TraceDictionary } from './TransferColumns.js'
import {
  applyTransfers,
  checkConservation,
  createTaintState,
  finishTaint,
  prepareTransfers,
  type TaintSetup,
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
  const scan = await store.scanTransfers({ lazyTxHashes: true })
  const places = placesFromLabels(input.labels)
  const setup = await resolveSetup(scan, input.policy, input.heists, places)
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
  const build = (dictionary: TraceDictionary, memos: Map<string, string>) =>
    buildTraceReport(state, dictionary, {
      heists: input.heists.map((h) => h.id),
      labels: input.labels,
      memos,
      conservation,
    })
  let dictionary = scan.dictionary
  if (scan.txHashesOf) {
    // Hashes stay in the store until now: a dry run of the report records which tx ids it
    // shows (exits, evidence paths), and only those are resolved.
    const wanted = new Set<number>()
    const recorder = new Proxy([] as string[], {
      get: (target, key, receiver) => {
        if (typeof key === 'string' && /^[0-9]+$/.test(key)) {
          wanted.add(Number(key))
          return `0x${'0'.repeat(64)}`
        }
        return Reflect.get(target, key, receiver)
      },
    })
    build({ ...scan.dictionary, txHashes: recorder }, new Map())
    for (const e of state.exits) wanted.add(e.txId)
    const hashes = await scan.txHashesOf([...wanted])
    const sparse: string[] = []
    for (const [id, hash] of hashes) sparse[id] = hash
    dictionary = { ...scan.dictionary, txHashes: sparse }
  }
  const exitTx = [...new Set(state.exits.map((e) => dictionary.txHashes[e.txId]!))]
  const memos = await store.findMemos(exitTx)
  const report = build(dictionary, memos)
  return {
    report,
    timings: { scanMs: performance.now() - t0 - engineMs, engineMs, rows: scan.rows },
  }
}

/**
 * Resolves the case against the scan. With lazily resolved tx hashes, only the theft hashes are
 * looked up in the store; `resolveTaintSetup` sees a dictionary of just those (so a missing one
 * is still the same InputError) and its tx ids are mapped back to the store's.
 */
async function resolveSetup(
  scan: TransferScan,
  policy: Policy,
  heists: HeistSpec[],
  places: Map<string, number>,
): Promise<TaintSetup> {
  if (!scan.txIdsOf) return resolveTaintSetup({ policy, heists, places }, scan.dictionary)
  const thefts = [...new Set(heists.flatMap((h) => h.thefts.map((t) => t.toLowerCase())))]
  const ids = await scan.txIdsOf(thefts)
  const found = thefts.filter((t) => ids.has(t))
  const setup = resolveTaintSetup(
    { policy, heists, places },
    { ...scan.dictionary, txHashes: found },
  )
  const theftTx = new Map<number, number>()
  for (const [local, heist] of setup.theftTx) theftTx.set(ids.get(found[local]!)!, heist)
  return { ...setup, theftTx }
}
