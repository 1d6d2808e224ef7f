import type { LabelSet } from '../labels/LabelSet.js'
import type { TransferScan, TransferStore } from '../store/TransferStore.js'
import { PLACE_BRIDGE, PLACE_DEX, PLACE_EXCHANGE, PLACE_MIXER } from './Place.js'
import type { Policy } from './Policy.js'
import { buildTraceReport, type TraceReport } from './report.js'
import { type HeistSpec, resolveTaintSetup } from './resolveTaintSetup.js'
import type { TraceDictionary } from './TransferColumns.js'
import {
  checkConservation,
  createTaintState,
  finishTaint,
  type TaintSetup,
  traceChunk,
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
  const scan = await store.scanTransfers({ lazyTxHashes: true, lazyAddresses: true })
  const places = placesFromLabels(input.labels)
  const setup = await resolveSetup(scan, input.policy, input.heists, places)
  const state = createTaintState(setup, (scan.addressCount ?? scan.dictionary.addresses.length) * 2)
  let engineMs = 0
  let seen = 0
  for await (const chunk of scan.chunks) {
    const e0 = performance.now()
    traceChunk(state, chunk)
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
  // Hashes and addresses stay in the store until now: a dry run of the report records which
  // ids it shows (holders, exits, evidence paths), and only those are resolved.
  let dictionary = scan.dictionary
  if (scan.txHashesOf || scan.addressesOf) {
    const wantedTx = new Set<number>()
    const wantedAddress = new Set<number>()
    const recorder = (wanted: Set<number>, placeholder: string) =>
      new Proxy([] as string[], {
        get: (target, key, receiver) => {
          if (typeof key === 'string' && /^[0-9]+$/.test(key)) {
            wanted.add(Number(key))
            return placeholder
          }
          return Reflect.get(target, key, receiver)
        },
      })
    build(
      {
        ...scan.dictionary,
        ...(scan.txHashesOf ? { txHashes: recorder(wantedTx, `0x${'0'.repeat(64)}`) } : {}),
        ...(scan.addressesOf ? { addresses: recorder(wantedAddress, `0x${'0'.repeat(40)}`) } : {}),
      },
      new Map(),
    )
    for (const e of state.exits) wantedTx.add(e.txId)
    const sparse = (found: Map<number, string>) => {
      const out: string[] = []
      for (const [id, value] of found) out[id] = value
      return out
    }
    dictionary = {
      ...scan.dictionary,
      ...(scan.txHashesOf ? { txHashes: sparse(await scan.txHashesOf([...wantedTx])) } : {}),
      ...(scan.addressesOf
        ? { addresses: sparse(await scan.addressesOf([...wantedAddress])) }
        : {}),
    }
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
 * Resolves the case against the scan. With lazily resolved tx hashes and addresses, only the
 * theft hashes, source addresses and labelled addresses are looked up in the store;
 * `resolveTaintSetup` sees a dictionary of just those (so a missing theft is still the same
 * InputError) and its ids are mapped back to the store's.
 */
async function resolveSetup(
  scan: TransferScan,
  policy: Policy,
  heists: HeistSpec[],
  places: Map<string, number>,
): Promise<TaintSetup> {
  let dictionary = scan.dictionary
  const thefts = [...new Set(heists.flatMap((h) => h.thefts.map((t) => t.toLowerCase())))]
  const txIds = scan.txIdsOf ? await scan.txIdsOf(thefts) : null
  const foundTx = thefts.filter((t) => txIds?.has(t))
  if (txIds) dictionary = { ...dictionary, txHashes: foundTx }
  const named = [
    ...new Set([
      ...heists.flatMap((h) => h.sources.map((s) => s.address.toLowerCase())),
      ...places.keys(),
    ]),
  ]
  const addressIds = scan.addressIdsOf ? await scan.addressIdsOf(named) : null
  const foundAddress = named.filter((a) => addressIds?.has(a))
  if (addressIds) dictionary = { ...dictionary, addresses: foundAddress }
  const setup = resolveTaintSetup({ policy, heists, places }, dictionary)
  if (txIds) {
    const theftTx = new Map<number, number>()
    for (const [local, heist] of setup.theftTx) theftTx.set(txIds.get(foundTx[local]!)!, heist)
    setup.theftTx = theftTx
  }
  if (addressIds) {
    const global = (local: number) => addressIds.get(foundAddress[local]!)!
    const count = scan.addressCount ?? 0
    const placeByAddress = new Uint8Array(count)
    setup.placeByAddress?.forEach((code, local) => {
      if (code !== 0) placeByAddress[global(local)] = code
    })
    setup.sources = setup.sources.map((s) => ({ ...s, address: global(s.address) }))
    setup.placeByAddress = placeByAddress
    setup.placeOf = (a) => placeByAddress[a] ?? 0
    setup.addressCount = count
  }
  return setup
}
