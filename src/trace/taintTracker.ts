import type { LabelSet } from '../labels/LabelSet.js'
import { findLabel } from '../labels/LabelSet.js'
import {
  columnsFromRecords,
  createInterner,
  type Interner,
  internId,
} from './columnsFromRecords.js'
import { PLACE_EXCHANGE, PLACE_NAMES } from './Place.js'
import type { Policy } from './Policy.js'
import { formatAmount } from './report.js'
import type { HeistSpec } from './resolveTaintSetup.js'
import type { TransferRecord } from './TransferRecord.js'
import {
  accountTaint,
  applyTransfers,
  createTaintState,
  evidencePath,
  exitEvidence,
  finishTaint,
  prepareTransfers,
  seedAccount,
  type TaintState,
} from './taintEngine.js'
import { placesFromLabels } from './traceCase.js'

/**
 * The live tripwire: the batch engine's state, fed block by block. The watch follower calls
 * {@link applyBlock} with each new block's transfers; when tainted funds reach a freezable
 * point (an exchange deposit, or a holder of a freezable token such as USDT/USDC) the returned
 * alerts name the amount per heist, the place and the evidence path, within that block.
 */
export type TaintTracker = {
  state: TaintState
  interner: Interner
  labels: LabelSet
  heists: string[]
  blocks: number
}

export type TaintTrackerInit = {
  policy: Policy
  heists: HeistSpec[]
  labels: LabelSet
  /** Holdings to continue from (e.g. `report.holders` of an earlier `heistguard trace run`). */
  holdings?: { address: string; token: string; balance: string; tainted: Record<string, string> }[]
}

/** Raised by {@link applyBlock}; amounts are decimal strings in base units. */
export type TaintAlert =
  | {
      kind: 'exchange-deposit'
      block: number
      tx: string
      exchange: string
      exchangeAddress: string
      depositAddress: string
      token: string
      tainted: Record<string, string>
      evidence: string[]
    }
  | {
      kind: 'freezable-token'
      block: number
      tx: string
      issuer: string
      token: string
      holder: string
      tainted: Record<string, string>
      evidence: string[]
    }
  | {
      kind: 'exit'
      block: number
      tx: string
      category: string
      place: string
      name: string
      token: string
      tainted: Record<string, string>
      evidence: string[]
    }

/**
 * Creates a tracker from a case (heists, policy, labels) and optional earlier holdings.
 *
 * @example
 * const tracker = createTaintTracker({ policy: 'haircut', heists: [{ id: 'bybit', thefts: [theftTx], sources: [] }], labels })
 */
export function createTaintTracker(init: TaintTrackerInit): TaintTracker {
  const interner = createInterner()
  const places = placesFromLabels(init.labels)
  const theftTx = new Map<number, number>()
  init.heists.forEach((h, i) => {
    for (const t of h.thefts) {
      const id = internId(interner, 'tx', t.toLowerCase())
      if (!theftTx.has(id)) theftTx.set(id, i)
    }
  })
  const sources = init.heists.flatMap((h, i) =>
    h.sources.map((s) => ({
      address: internId(interner, 'address', s.address.toLowerCase()),
      heist: i,
      block: s.block,
    })),
  )
  const state = createTaintState({
    policy: init.policy,
    heistCount: init.heists.length,
    theftTx,
    sources,
    placeOf: (a) => places.get(interner.dictionary.addresses[a]!) ?? 0,
  })
  const heists = init.heists.map((h) => h.id)
  for (const holding of init.holdings ?? []) {
    const vector = heists.map((h) => Number(holding.tainted[h] ?? 0))
    seedAccount(
      state,
      internId(interner, 'address', holding.address.toLowerCase()),
      internId(
        interner,
        'token',
        holding.token.toLowerCase() === 'eth' ? 'ETH' : holding.token.toLowerCase(),
      ),
      Number(holding.balance),
      vector,
    )
  }
  return { state, interner, labels: init.labels, heists, blocks: 0 }
}

/**
 * Applies one block's transfers (any order; they are sorted by tx index, kind, ordinal) and
 * returns the alerts this block raised.
 *
 * @example
 * const alerts = applyBlock(tracker, transfersOfBlock)
 */
export function applyBlock(
  tracker: TaintTracker,
  transfers: readonly TransferRecord[],
): TaintAlert[] {
  const { state, interner, labels } = tracker
  const { columns, dictionary } = columnsFromRecords(transfers, interner)
  const prepared = prepareTransfers(state, columns)
  // Snapshot the taint of freezable-token accounts this block credits, to report increases.
  const watched = new Map<number, { before: Float64Array; tx: number; block: number }>()
  for (let i = 0; i < columns.length; i++) {
    const token = dictionary.tokens[columns.token[i]!]!
    if (token === 'ETH' || columns.kind[i] !== 0) continue
    if (!findLabel(labels, token, ['freezable-token'])) continue
    const acc = prepared.toAccount[i]!
    if (state.setup.placeOf(columns.to[i]!) !== 0) continue
    const entry = watched.get(acc)
    if (entry) {
      entry.tx = columns.txId[i]!
    } else
      watched.set(acc, {
        before: accountTaint(state, acc),
        tx: columns.txId[i]!,
        block: columns.block[i]!,
      })
  }
  const exitsBefore = state.exits.length
  applyTransfers(state, columns, prepared)
  finishTaint(state)
  tracker.blocks++
  const hashes = (ids: number[]) => ids.map((id) => dictionary.txHashes[id]!)
  const amounts = (v: ArrayLike<number>) => {
    const out: Record<string, string> = {}
    for (let h = 0; h < state.K; h++) if (v[h]! > 0) out[tracker.heists[h]!] = formatAmount(v[h]!)
    return out
  }
  const alerts: TaintAlert[] = []
  for (const e of state.exits.slice(exitsBefore)) {
    const place = dictionary.addresses[e.to]!
    const base = {
      block: e.block,
      tx: dictionary.txHashes[e.txId]!,
      token: dictionary.tokens[e.token]!,
      tainted: amounts(e.amounts),
      evidence: hashes(exitEvidence(state, e)),
    }
    const label = findLabel(labels, place, ['exchange', 'bridge', 'mixer', 'dex'])
    if (e.place === PLACE_EXCHANGE)
      alerts.push({
        kind: 'exchange-deposit',
        ...base,
        exchange: label?.name ?? '',
        exchangeAddress: place,
        depositAddress: dictionary.addresses[e.from]!,
      })
    else
      alerts.push({
        kind: 'exit',
        ...base,
        category: PLACE_NAMES[e.place] ?? 'exit',
        place,
        name: label?.name ?? '',
      })
  }
  for (const [acc, w] of watched) {
    const after = accountTaint(state, acc)
    const increase = new Float64Array(state.K)
    let any = false
    for (let h = 0; h < state.K; h++) {
      increase[h] = Math.max(0, after[h]! - w.before[h]!)
      if (increase[h]! >= 1) any = true
    }
    if (!any) continue
    const token = dictionary.tokens[state.accountToken[acc]!]!
    alerts.push({
      kind: 'freezable-token',
      block: w.block,
      tx: dictionary.txHashes[w.tx]!,
      issuer: findLabel(labels, token, ['freezable-token'])?.name ?? '',
      token,
      holder: dictionary.addresses[state.accountAddress[acc]!]!,
      tainted: amounts(increase),
      evidence: hashes(evidencePath(state, acc)),
    })
  }
  return alerts
}
