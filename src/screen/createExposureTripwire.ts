import {
  createLabelSet,
  LABEL_CATEGORIES,
  type Label,
  type LabelCategory,
} from '../labels/LabelSet.js'
import { POLICIES, type Policy } from '../trace/Policy.js'
import { formatAmount } from '../trace/report.js'
import type { TransferRecord } from '../trace/TransferRecord.js'
import { accountBalance, accountTaint } from '../trace/taintEngine.js'
import { applyBlock, createTaintTracker, type TaintTracker } from '../trace/taintTracker.js'
import { getAddressId } from './AddressTable.js'
import { addAmounts } from './amounts.js'
import type { ExposureIndex } from './Exposure.js'
import { updateExposure } from './updateExposure.js'

/**
 * The live tripwire that keeps the exposure index current: each followed trace case continues
 * block by block from the holdings its report ended with (the taint tracker of src/trace), and
 * every block's taint movements are written into the index the HTTP API screens from.
 */
export type ExposureTripwire = {
  /** Starts following a case (again, if `id` was followed before) from its trace report. */
  follow(id: string, report: unknown): void
  /** Feeds one block's transfers to every followed case; returns the addresses updated. */
  applyBlock(transfers: readonly TransferRecord[]): string[]
  /** Ids of the cases followed. */
  cases(): string[]
}

type ReportShape = {
  policy?: unknown
  heists?: unknown
  holders?: {
    address: string
    token: string
    balance?: string
    tainted: Record<string, string>
    labels?: { category: string; name: string }[]
  }[]
  exits?: { address: string; category?: string; name?: string }[]
}

/**
 * Creates the tripwire over `index`. Writes, for each address whose taint grew or that already
 * had a tripwire entry: role `tripwire` with `holds` = its tainted balance now and `received` =
 * everything tainted it received since following began; exchange deposits and other exits the
 * tracker reports in the block become `exit` entries (and the depositing address a `hop`).
 *
 * @example
 * const tripwire = createExposureTripwire(index)
 * tripwire.follow('c1', report)
 * tripwire.applyBlock(transfersFromBlock(block)) // ['0x…']
 */
export function createExposureTripwire(index: ExposureIndex): ExposureTripwire {
  const trackers = new Map<string, Followed>()
  return {
    follow(id, value) {
      const report = value as ReportShape
      const heists = heistIds(report.heists)
      if (heists.length === 0) {
        trackers.delete(id)
        return
      }
      const labels: Label[] = []
      for (const e of report.exits ?? [])
        if (isCategory(e.category))
          labels.push({
            address: e.address.toLowerCase(),
            category: e.category,
            name: e.name ?? e.category,
            source: `case ${id}`,
          })
      for (const h of report.holders ?? [])
        for (const l of h.labels ?? [])
          if (isCategory(l.category))
            labels.push({
              address: h.address.toLowerCase(),
              category: l.category,
              name: l.name,
              source: `case ${id}`,
            })
      const policy = POLICIES.includes(report.policy as Policy)
        ? (report.policy as Policy)
        : 'haircut'
      trackers.set(id, {
        accounts: new Map(),
        indexed: 0,
        tracker: createTaintTracker({
          policy,
          heists: heists.map((h) => ({ id: h, thefts: [], sources: [] })),
          labels: createLabelSet(labels),
          holdings: (report.holders ?? []).map((h) => ({
            address: h.address,
            token: h.token,
            balance: h.balance ?? '0',
            tainted: h.tainted,
          })),
        }),
      })
    },
    applyBlock(transfers) {
      const updated = new Set<string>()
      for (const followed of trackers.values())
        for (const a of applyToIndex(index, followed, transfers)) updated.add(a)
      return [...updated]
    },
    cases: () => [...trackers.keys()],
  }
}

/** A followed case: its tracker and a reverse index of its accounts by address id. */
type Followed = { tracker: TaintTracker; accounts: Map<number, number[]>; indexed: number }

// The engine appends accounts and never removes them, so the reverse index catches up with the
// accounts created since the last call only.
function syncAccounts(f: Followed): void {
  const { state } = f.tracker
  for (; f.indexed < state.accountCount; f.indexed++) {
    const address = state.accountAddress[f.indexed]!
    const list = f.accounts.get(address)
    if (list) list.push(f.indexed)
    else f.accounts.set(address, [f.indexed])
  }
}

function applyToIndex(
  index: ExposureIndex,
  followed: Followed,
  transfers: readonly TransferRecord[],
): string[] {
  const { tracker } = followed
  const { state, interner } = tracker
  const touched = new Set<string>()
  for (const t of transfers) {
    touched.add(t.from)
    if (t.to) touched.add(t.to)
  }
  const accountsOf = (address: string) => {
    const id = interner.address.get(address)
    return id === undefined ? [] : (followed.accounts.get(id) ?? [])
  }
  syncAccounts(followed)
  const before = new Map<number, Float64Array>()
  for (const a of touched)
    for (const acc of accountsOf(a)) before.set(acc, accountTaint(state, acc))
  const alerts = applyBlock(tracker, transfers)
  syncAccounts(followed)
  const updated: string[] = []
  for (const address of touched) {
    for (const acc of accountsOf(address)) {
      const after = accountTaint(state, acc)
      const was = before.get(acc)
      const token = interner.dictionary.tokens[state.accountToken[acc]!]!.toLowerCase()
      const balance = accountBalance(state, acc)
      for (let h = 0; h < state.K; h++) {
        const heist = tracker.heists[h]!
        const increase = Math.max(0, after[h]! - (was?.[h] ?? 0))
        const old = existing(index, address, heist, token)
        if (increase < 1 && !old) continue
        updateExposure(index, {
          address,
          replace: true,
          direct: [
            {
              heist,
              token,
              holds: formatAmount(after[h]!),
              received: old
                ? addAmounts(old.received, formatAmount(increase))
                : formatAmount(increase),
              share: balance > 0 ? Math.round(Math.min(1, after[h]! / balance) * 1e6) / 1e6 : 0,
              role: 'tripwire',
            },
          ],
        })
        updated.push(address)
      }
    }
  }
  for (const alert of alerts) {
    if (alert.kind === 'freezable-token') continue // the holder was written above
    const place = alert.kind === 'exchange-deposit' ? alert.exchangeAddress : alert.place
    const from = alert.kind === 'exchange-deposit' ? alert.depositAddress : null
    for (const [heist, amount] of Object.entries(alert.tainted)) {
      const token = alert.token.toLowerCase()
      const exit = { heist, token, holds: '0', received: amount, share: 0 }
      updateExposure(index, { address: place, direct: [{ ...exit, role: 'exit' }] })
      updated.push(place)
      if (from) {
        updateExposure(index, { address: from, direct: [{ ...exit, role: 'hop' }] })
        updated.push(from)
      }
    }
  }
  return updated
}

function existing(index: ExposureIndex, address: string, heist: string, token: string) {
  const id = getAddressId(index.table, address)
  if (id < 0) return undefined
  return index.entries[id]?.direct.find(
    (d) => d.heist === heist && d.token === token && d.role === 'tripwire',
  )
}

function heistIds(value: unknown): string[] {
  if (Array.isArray(value))
    return value
      .map((h) => (typeof h === 'string' ? h : (h as { id?: unknown })?.id))
      .filter((h): h is string => typeof h === 'string')
  if (value && typeof value === 'object') return Object.keys(value)
  return []
}

function isCategory(value: unknown): value is LabelCategory {
  return LABEL_CATEGORIES.includes(value as LabelCategory)
}
