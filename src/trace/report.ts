import { findLabel, type LabelSet, labelsOf } from '../labels/LabelSet.js'
import { PLACE_NAMES } from './Place.js'
import type { Policy } from './Policy.js'
import type { TraceDictionary } from './TransferColumns.js'
import {
  accountBalance,
  accountTaint,
  type Conservation,
  evidencePath,
  exitEvidence,
  mayHoldTaint,
  type TaintState,
} from './taintEngine.js'

/**
 * The trace report (`heistguard trace run --json`). Amounts are decimal strings in the token's
 * base units (wei for ETH); haircut amounts may carry fractional digits. `token` is `ETH` or the
 * token contract address.
 */
export type TraceReport = {
  policy: Policy
  heists: string[]
  /** Stolen amount per heist and token (what the case file's thefts and sources introduced). */
  stolen: Record<string, Record<string, string>>
  holders: TraceHolder[]
  exits: TraceExit[]
  freezable: TraceFreezable[]
  /** Shortfalls: a balance too small for an outgoing transfer; the missing part counted clean. */
  cleanTopUps: {
    count: number
    amounts: Record<string, string>
    /** The subset on accounts that held taint at that moment (the ones that dilute taint). */
    intoTainted: { count: number; amounts: Record<string, string> }
  }
  /** ETH taint burned as gas fees, per heist. */
  gasBurned: Record<string, string>
  conservation: Conservation
  transfersScanned: number
}

export type TraceHolder = {
  address: string
  token: string
  balance: string
  tainted: Record<string, string>
  labels: { category: string; name: string }[]
  /** Transaction hashes from the theft to this holder, along the largest taint-carrying inflows. */
  evidence: string[]
}

export type TraceExit = {
  /** The exit place (exchange hot wallet, bridge, mixer; a DEX that paid nothing back). */
  address: string
  category: string
  name: string
  token: string
  tainted: Record<string, string>
  tx: string
  block: number
  /** Who sent it there (for exchanges: the deposit address). */
  from: string
  memo?: string
  evidence: string[]
}

export type TraceFreezable =
  | {
      kind: 'token'
      token: string
      issuer: string
      holder: string
      balance: string
      tainted: Record<string, string>
    }
  | {
      kind: 'exchange'
      exchange: string
      exchangeAddress: string
      depositAddress: string
      token: string
      tainted: Record<string, string>
      tx: string
    }

/**
 * Formats a float64 base-unit amount as a decimal string: integers exactly as the float holds
 * them, otherwise with as many fractional digits as float64 carries (at most 6 beyond).
 *
 * @example
 * formatAmount(1.5e21) // '1500000000000000000000'
 */
export function formatAmount(x: number): string {
  if (!(x > 0)) return '0'
  if (x >= 1e15) return BigInt(Math.round(x)).toString()
  const digits = Math.min(6, Math.max(0, 15 - Math.floor(Math.log10(x)) - 1))
  const s = x.toFixed(digits)
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s
}

/**
 * Builds the report from a finished engine state. Holders below `minAmount` base units of taint
 * (haircut dust) are left out.
 *
 * @example
 * const report = buildTraceReport(state, dictionary, { heists: ['bybit'], labels, memos: new Map() })
 */
export function buildTraceReport(
  state: TaintState,
  dictionary: TraceDictionary,
  input: {
    heists: readonly string[]
    labels: LabelSet
    memos: Map<string, string>
    conservation: Conservation
    minAmount?: number
  },
): TraceReport {
  const K = state.K
  const minAmount = input.minAmount ?? 1
  const heistMap = (v: ArrayLike<number>) => {
    const out: Record<string, string> = {}
    for (let h = 0; h < K; h++) if (v[h]! > 0) out[input.heists[h]!] = formatAmount(v[h]!)
    return out
  }
  const txPath = (ids: number[]) => ids.map((id) => dictionary.txHashes[id]!)
  const holders: (TraceHolder & { total: number })[] = []
  for (let acc = 0; acc < state.accountCount; acc++) {
    if (minAmount > 0 && !mayHoldTaint(state, acc)) continue
    const t = accountTaint(state, acc)
    let total = 0
    for (let h = 0; h < K; h++) total += t[h]!
    if (!(total >= minAmount)) continue
    const address = dictionary.addresses[state.accountAddress[acc]!]!
    holders.push({
      address,
      token: dictionary.tokens[state.accountToken[acc]!]!,
      balance: formatAmount(accountBalance(state, acc)),
      tainted: heistMap(t),
      labels: labelsOf(input.labels, address).map((l) => ({ category: l.category, name: l.name })),
      evidence: txPath(evidencePath(state, acc)),
      total,
    })
  }
  holders.sort((a, b) => b.total - a.total || a.address.localeCompare(b.address))
  const exits: TraceExit[] = state.exits.map((e) => {
    const address = dictionary.addresses[e.to]!
    const label = findLabel(input.labels, address, ['exchange', 'bridge', 'mixer', 'dex'])
    const tx = dictionary.txHashes[e.txId]!
    const memo = input.memos.get(tx)
    return {
      address,
      category: PLACE_NAMES[e.place] ?? 'exit',
      name: label?.name ?? '',
      token: dictionary.tokens[e.token]!,
      tainted: heistMap(e.amounts),
      tx,
      block: e.block,
      from: dictionary.addresses[e.from]!,
      ...(memo !== undefined ? { memo } : {}),
      evidence: txPath(exitEvidence(state, e)),
    }
  })
  const freezable: TraceFreezable[] = []
  for (const h of holders) {
    if (h.token === 'ETH') continue
    const issuer = findLabel(input.labels, h.token, ['freezable-token'])
    if (issuer)
      freezable.push({
        kind: 'token',
        token: h.token,
        issuer: issuer.name,
        holder: h.address,
        balance: h.balance,
        tainted: h.tainted,
      })
  }
  for (const e of exits)
    if (e.category === 'exchange')
      freezable.push({
        kind: 'exchange',
        exchange: e.name,
        exchangeAddress: e.address,
        depositAddress: e.from,
        token: e.token,
        tainted: e.tainted,
        tx: e.tx,
      })
  const stolen: Record<string, Record<string, string>> = {}
  for (let h = 0; h < K; h++) stolen[input.heists[h]!] = {}
  for (const [token, ledger] of state.ledger)
    for (let h = 0; h < K; h++)
      if (ledger.introduced[h]! > 0)
        stolen[input.heists[h]!]![dictionary.tokens[token]!] = formatAmount(ledger.introduced[h]!)
  const amounts = (m: Float64Array) => {
    const out: Record<string, string> = {}
    m.forEach((x, t) => {
      if (x > 0) out[dictionary.tokens[t]!] = formatAmount(x)
    })
    return out
  }
  return {
    policy: state.policy,
    heists: [...input.heists],
    stolen,
    holders: holders.map(({ total: _total, ...h }) => h),
    exits,
    freezable,
    cleanTopUps: {
      count: state.topUps.count,
      amounts: amounts(state.topUps.byToken),
      intoTainted: {
        count: state.topUps.taintedCount,
        amounts: amounts(state.topUps.taintedByToken),
      },
    },
    gasBurned: heistMap(state.ledger.get(0)?.burned ?? new Float64Array(K)),
    conservation: input.conservation,
    transfersScanned: state.transfersSeen,
  }
}
