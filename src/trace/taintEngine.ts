import { PLACE_DEX, PLACE_NONE } from './Place.js'
import type { Policy } from './Policy.js'
import { KIND_GAS, type TransferColumns } from './TransferColumns.js'

/**
 * The taint engine: pure functions over time-ordered transfers in typed arrays.
 *
 * State is per account = (address id, token id). For haircut, TIHO and poison each account
 * has a balance and one float64 taint amount per heist (a vector), stored flat in
 * `taint[account * K + heist]`; FIFO/LIFO keep per-account lots instead. Float64 is used rather
 * than exact rationals because haircut splits every amount at every hop: exact fractions grow
 * without bound (the reference implementation shows it), while float64 keeps a relative error
 * below 1e-12 after millions of hops, which no report distinguishes, and runs at memory speed.
 *
 * The batch entry point is {@link runTaint}; the live tripwire (taintTracker.ts) drives the same
 * state block by block through {@link prepareTransfers} and {@link applyTransfers}.
 */

/** Taint sources and places, resolved to ids. */
export type TaintSetup = {
  policy: Policy
  /** Number of heists (K). Heist indexes are 0..K-1 in case-file order. */
  heistCount: number
  /** Transaction id -> heist index: every transfer in that transaction is stolen funds. */
  theftTx: Map<number, number>
  /** `address@block` sources: the address's whole balance at the start of `block` is stolen. */
  sources: TaintSource[]
  /** Place code (Place.ts) of an address id. */
  placeOf: (address: number) => number
}

export type TaintSource = { address: number; heist: number; block: number }

/** Where taint left the traced graph: an exit place, or a DEX that sent nothing back. */
export type ExitRecord = {
  /** Index of the transfer row (in the prepared order of the batch that produced it). */
  logIndex: number
  txId: number
  block: number
  from: number
  to: number
  token: number
  place: number
  /** Taint per heist that left. */
  amounts: Float64Array
}

/** Per (token) running totals, one float64 per heist; used for the conservation check. */
export type TokenLedger = {
  introduced: Float64Array
  exited: Float64Array
  burned: Float64Array
  convertedIn: Float64Array
  convertedOut: Float64Array
}

export type TaintState = {
  policy: Policy
  K: number
  setup: TaintSetup
  accountCount: number
  /** Account id + 1 of (address, ETH) by address id (0 = none): the common case, no hashing. */
  ethAccount: Int32Array
  /** Other tokens: token id -> address id -> account id (small-integer keys hash fast). */
  tokenAccounts: Map<number, Map<number, number>>
  accountAddress: Uint32Array
  accountToken: Uint32Array
  accountsOfAddress: Map<number, number[]>
  sourceAddresses: Set<number>
  /**
   * Per account, interleaved so one cache line serves a transfer's sender (or recipient):
   * `acct[acc * (K + 1)]` is the balance, `acct[acc * (K + 1) + 1 + h]` the taint of heist h
   * (haircut/tiho: amounts; poison: 1 once poisoned).
   */
  acct: Float64Array
  /** fifo/lifo only: per account lots as [label, amount, label, amount, ...] from `head`. */
  lots: Lots[]
  /** Evidence: per account, the log entry of the incoming transfer that carried most taint. */
  bestIn: Int32Array
  bestAmount: Float64Array
  /** Evidence log: one entry per taint-carrying transfer: its tx id and the parent entry. */
  logTx: Uint32Array
  logParent: Int32Array
  logLength: number
  exits: ExitRecord[]
  ledger: Map<number, TokenLedger>
  /** Shortfalls per token id (Float64Array grown on demand: no boxing in the hot path). */
  topUps: {
    count: number
    byToken: Float64Array
    taintedCount: number
    taintedByToken: Float64Array
  }
  /** Sources not yet applied, sorted by block. */
  pendingSources: TaintSource[]
  /** Active sources: address -> heist (top-ups of a source address after its block are stolen). */
  activeSource: Map<number, number>
  /** DEX conversions in flight within the current transaction, by the sending address. */
  dex: Map<number, DexPending>
  dexTx: number
  /** Scratch vector for the taint a transfer carries. */
  carried: Float64Array
  transfersSeen: number
}

type Lots = { labels: number[]; amounts: number[]; head: number }

type DexPending = {
  taint: Float64Array
  value: number
  token: number
  parent: number
  used: boolean
  block: number
  to: number
}

/** Per-row flags computed by {@link prepareTransfers}; 0 means the fast path. */
const F_FROM_PLACE = 1
const F_TO_PLACE = 2
const F_THEFT = 4
const F_GAS = 8

/** Transfers made ready for {@link applyTransfers}: account ids, flags and the order to visit. */
export type PreparedTransfers = {
  fromAccount: Uint32Array
  toAccount: Uint32Array
  flags: Uint8Array
  /** Visit order (row indexes), or null for 0..n-1. Set when a DEX pays out before it is paid. */
  order: Uint32Array | null
}

/** Relative slack under which a balance shortfall is float rounding, not a real top-up. */
const SLACK = 1e-12

/**
 * Creates empty engine state. `capacity` is a hint for the number of accounts.
 *
 * @example
 * const state = createTaintState({ policy: 'haircut', heistCount: 1, theftTx: new Map([[0, 0]]), sources: [], placeOf: () => 0 })
 */
export function createTaintState(setup: TaintSetup, capacity = 1024): TaintState {
  const K = setup.heistCount
  const cap = Math.max(16, capacity)
  return {
    policy: setup.policy,
    K,
    setup,
    accountCount: 0,
    ethAccount: new Int32Array(cap),
    tokenAccounts: new Map(),
    accountAddress: new Uint32Array(cap),
    accountToken: new Uint32Array(cap),
    accountsOfAddress: new Map(),
    sourceAddresses: new Set(setup.sources.map((x) => x.address)),
    acct: new Float64Array(cap * (K + 1)),
    lots: [],
    bestIn: new Int32Array(cap).fill(-1),
    bestAmount: new Float64Array(cap),
    logTx: new Uint32Array(1024),
    logParent: new Int32Array(1024),
    logLength: 0,
    exits: [],
    ledger: new Map(),
    topUps: {
      count: 0,
      byToken: new Float64Array(8),
      taintedCount: 0,
      taintedByToken: new Float64Array(8),
    },
    pendingSources: [...setup.sources].sort((a, b) => a.block - b.block),
    activeSource: new Map(),
    dex: new Map(),
    dexTx: -1,
    carried: new Float64Array(K),
    transfersSeen: 0,
  }
}

function growAccounts(state: TaintState, needed: number): void {
  const old = state.accountAddress.length
  if (needed <= old) return
  let cap = old
  while (cap < needed) cap *= 2
  const grow = <T extends Float64Array | Uint32Array | Int32Array>(
    a: T,
    size: number,
    fill?: number,
  ): T => {
    const b = new (a.constructor as new (n: number) => T)(size)
    b.set(a)
    if (fill !== undefined) b.fill(fill, a.length)
    return b
  }
  state.accountAddress = grow(state.accountAddress, cap)
  state.accountToken = grow(state.accountToken, cap)
  state.acct = grow(state.acct, cap * (state.K + 1))
  state.bestIn = grow(state.bestIn, cap, -1)
  state.bestAmount = grow(state.bestAmount, cap)
}

function accountOf(state: TaintState, address: number, token: number): number {
  let byAddress: Map<number, number> | undefined
  if (token === 0) {
    if (address < state.ethAccount.length) {
      const known = state.ethAccount[address]!
      if (known > 0) return known - 1
    } else {
      let cap = state.ethAccount.length
      while (cap <= address) cap *= 2
      const grown = new Int32Array(cap)
      grown.set(state.ethAccount)
      state.ethAccount = grown
    }
  } else {
    byAddress = state.tokenAccounts.get(token)
    if (!byAddress) {
      byAddress = new Map()
      state.tokenAccounts.set(token, byAddress)
    }
    const known = byAddress.get(address)
    if (known !== undefined) return known
  }
  let id: number
  id = state.accountCount++
  growAccounts(state, state.accountCount)
  if (token === 0) state.ethAccount[address] = id + 1
  else byAddress!.set(address, id)
  state.accountAddress[id] = address
  state.accountToken[id] = token
  // Only source addresses need the reverse index (their whole balance is tainted at a block).
  if (state.sourceAddresses.has(address)) {
    let list = state.accountsOfAddress.get(address)
    if (!list) {
      list = []
      state.accountsOfAddress.set(address, list)
    }
    list.push(id)
  }
  if (state.policy === 'fifo' || state.policy === 'lifo')
    state.lots[id] = { labels: [], amounts: [], head: 0 }
  return id
}

/**
 * Seeds an account with a known balance and taint (e.g. holdings of an earlier trace that the
 * live tracker continues from). The seeded taint counts as introduced, so conservation holds.
 *
 * @example
 * seedAccount(state, addressId, 0, 10n ** 21n, Float64Array.of(1e21))
 */
export function seedAccount(
  state: TaintState,
  address: number,
  token: number,
  balance: number,
  taint: ArrayLike<number>,
): number {
  const acc = accountOf(state, address, token)
  const K = state.K
  const ledger = ledgerOf(state, token)
  state.acct[acc * (K + 1)]! += balance
  let tainted = 0
  for (let h = 0; h < K; h++) {
    const x = taint[h] ?? 0
    if (!(x > 0)) continue
    tainted += x
    ledger.introduced[h]! += x
    if (state.policy === 'poison') state.acct[acc * (K + 1) + 1 + h] = 1
    else if (state.policy === 'haircut' || state.policy === 'tiho')
      state.acct[acc * (K + 1) + 1 + h]! += x
    else pushLot(state.lots[acc]!, h, x)
  }
  if ((state.policy === 'fifo' || state.policy === 'lifo') && balance - tainted > 0)
    pushLot(state.lots[acc]!, -1, balance - tainted)
  return acc
}

/**
 * Resolves account ids and flags for a batch of transfers and fixes the visit order inside
 * transactions where a DEX pays out before it is paid (callbacks, flash swaps, and the
 * trace-before-log order of ingest), so conversions always see the input first.
 *
 * @example
 * const prepared = prepareTransfers(state, columns)
 */
export function prepareTransfers(state: TaintState, columns: TransferColumns): PreparedTransfers {
  const n = columns.length
  const fromAccount = new Uint32Array(n)
  const toAccount = new Uint32Array(n)
  const flags = new Uint8Array(n)
  const { placeOf } = state.setup
  const theft = state.setup.theftTx
  let needsOrder = false
  const place = placeOf
  let lastDexIn = -1
  let txStart = 0
  for (let i = 0; i < n; i++) {
    const tx = columns.txId[i]!
    if (i > 0 && tx !== columns.txId[i - 1]) {
      txStart = i
      lastDexIn = -1
    }
    const from = columns.from[i]!
    const to = columns.to[i]!
    const token = columns.token[i]!
    let f = 0
    const pf = place(from)
    if (pf !== PLACE_NONE) f |= F_FROM_PLACE
    else fromAccount[i] = accountOf(state, from, token)
    if (columns.kind[i] === KIND_GAS) f |= F_GAS
    else {
      const pt = place(to)
      if (pt !== PLACE_NONE) f |= F_TO_PLACE
      else toAccount[i] = accountOf(state, to, token)
      if (pt === PLACE_DEX && pf === PLACE_NONE) lastDexIn = i
      if (pf === PLACE_DEX && pt === PLACE_NONE && lastDexIn < 0) {
        // A payout seen before any input in this transaction: look ahead for an input.
        for (let j = i + 1; j < n && columns.txId[j] === tx; j++)
          if (place(columns.to[j]!) === PLACE_DEX && place(columns.from[j]!) === PLACE_NONE) {
            needsOrder = true
            break
          }
      }
    }
    if (theft.size > 0 && theft.has(tx)) f |= F_THEFT
    flags[i] = f
    void txStart
  }
  return { fromAccount, toAccount, flags, order: needsOrder ? dexOrder(columns, place) : null }
}

/** Within each transaction, moves DEX payouts that precede the last DEX input to just after it. */
function dexOrder(columns: TransferColumns, place: (a: number) => number): Uint32Array {
  const n = columns.length
  const order = new Uint32Array(n)
  let out = 0
  let start = 0
  while (start < n) {
    let end = start + 1
    while (end < n && columns.txId[end] === columns.txId[start]) end++
    let lastIn = -1
    for (let i = start; i < end; i++)
      if (
        place(columns.to[i]!) === PLACE_DEX &&
        place(columns.from[i]!) === PLACE_NONE &&
        columns.kind[i] !== KIND_GAS
      )
        lastIn = i
    const moved: number[] = []
    for (let i = start; i < end; i++) {
      const isPayout =
        place(columns.from[i]!) === PLACE_DEX &&
        place(columns.to[i]!) === PLACE_NONE &&
        columns.kind[i] !== KIND_GAS
      if (isPayout && i < lastIn) moved.push(i)
      else order[out++] = i
      if (i === lastIn) for (const m of moved) order[out++] = m
    }
    start = end
  }
  return order
}

function ledgerOf(state: TaintState, token: number): TokenLedger {
  let l = state.ledger.get(token)
  if (!l) {
    const K = state.K
    l = {
      introduced: new Float64Array(K),
      exited: new Float64Array(K),
      burned: new Float64Array(K),
      convertedIn: new Float64Array(K),
      convertedOut: new Float64Array(K),
    }
    state.ledger.set(token, l)
  }
  return l
}

function appendLog(state: TaintState, txId: number, parent: number): number {
  if (state.logLength === state.logTx.length) {
    const tx = new Uint32Array(state.logTx.length * 2)
    tx.set(state.logTx)
    const p = new Int32Array(state.logParent.length * 2)
    p.set(state.logParent)
    state.logTx = tx
    state.logParent = p
  }
  const id = state.logLength++
  state.logTx[id] = txId
  state.logParent[id] = parent
  return id
}

function applyDueSources(state: TaintState, block: number): void {
  const due = state.pendingSources
  while (due.length > 0 && due[0]!.block <= block) {
    const source = due.shift()!
    state.activeSource.set(source.address, source.heist)
    for (const acc of state.accountsOfAddress.get(source.address) ?? [])
      taintWholeBalance(state, acc, source.heist)
  }
}

function taintWholeBalance(state: TaintState, acc: number, h: number): void {
  const K = state.K
  const ledger = ledgerOf(state, state.accountToken[acc]!)
  const b = state.acct[acc * (K + 1)]!
  if (b <= 0) return
  if (state.policy === 'fifo' || state.policy === 'lifo') {
    const lots = state.lots[acc]!
    for (let j = lots.head; j < lots.labels.length; j++)
      if (lots.labels[j] === -1) {
        lots.labels[j] = h
        ledger.introduced[h]! += lots.amounts[j]!
      }
  } else if (state.policy === 'poison') {
    if (state.acct[acc * (K + 1) + 1 + h] === 0) ledger.introduced[h]! += b
    state.acct[acc * (K + 1) + 1 + h] = 1
  } else {
    let t = 0
    for (let k = 0; k < K; k++) t += state.acct[acc * (K + 1) + 1 + k]!
    if (b > t) {
      state.acct[acc * (K + 1) + 1 + h]! += b - t
      ledger.introduced[h]! += b - t
    }
  }
}

/** Records a shortfall: the missing part is clean (or stolen, on an active source address). */
function topUp(state: TaintState, acc: number, missing: number): void {
  const token = state.accountToken[acc]!
  const sourceHeist =
    state.activeSource.size > 0 ? state.activeSource.get(state.accountAddress[acc]!) : undefined
  const K = state.K
  let tainted = false
  if (state.policy === 'fifo' || state.policy === 'lifo') {
    const lots = state.lots[acc]!
    for (let j = lots.head; j < lots.labels.length; j++) if (lots.labels[j]! >= 0) tainted = true
    const label = sourceHeist ?? -1
    // Funds missing from the data were there before it starts: they are the oldest lot.
    if (lots.head > 0) {
      lots.head--
      lots.labels[lots.head] = label
      lots.amounts[lots.head] = missing
    } else {
      lots.labels.unshift(label)
      lots.amounts.unshift(missing)
    }
  } else {
    for (let k = 0; k < K; k++) if (state.acct[acc * (K + 1) + 1 + k]! > 0) tainted = true
  }
  state.acct[acc * (K + 1)]! += missing
  if (sourceHeist !== undefined) {
    ledgerOf(state, token).introduced[sourceHeist]! += missing
    if (state.policy === 'poison') state.acct[acc * (K + 1) + 1 + sourceHeist] = 1
    else if (state.policy !== 'fifo' && state.policy !== 'lifo')
      state.acct[acc * (K + 1) + 1 + sourceHeist]! += missing
    return
  }
  const t = state.topUps
  if (token >= t.byToken.length) {
    const grow = (a: Float64Array) => {
      const b = new Float64Array(Math.max(token + 1, a.length * 2))
      b.set(a)
      return b
    }
    t.byToken = grow(t.byToken)
    t.taintedByToken = grow(t.taintedByToken)
  }
  t.count++
  t.byToken[token]! += missing
  if (tainted) {
    t.taintedCount++
    t.taintedByToken[token]! += missing
  }
}

/** Removes v from a tracked account; writes the taint it carries into `c`. */
function debit(state: TaintState, acc: number, v: number, c: Float64Array): void {
  const K = state.K
  let b = state.acct[acc * (K + 1)]!
  if (b < v) {
    if (v - b > v * SLACK) topUp(state, acc, v - b)
    else state.acct[acc * (K + 1)] = v
    b = state.acct[acc * (K + 1)]!
  }
  const taint = state.acct
  const base = acc * (K + 1) + 1
  switch (state.policy) {
    case 'haircut': {
      const r = b > 0 ? v / b : 0
      for (let h = 0; h < K; h++) {
        const x = taint[base + h]! * r
        c[h] = x
        taint[base + h]! -= x
      }
      break
    }
    case 'tiho': {
      let t = 0
      for (let h = 0; h < K; h++) t += taint[base + h]!
      if (t <= 0) {
        c.fill(0)
        break
      }
      if (v >= t * (1 - SLACK)) {
        for (let h = 0; h < K; h++) {
          c[h] = taint[base + h]!
          taint[base + h] = 0
        }
      } else {
        const r = v / t
        for (let h = 0; h < K; h++) {
          const x = taint[base + h]! * r
          c[h] = x
          taint[base + h]! -= x
        }
      }
      break
    }
    case 'poison':
      for (let h = 0; h < K; h++) c[h] = taint[base + h]! > 0 ? v : 0
      break
    default: {
      c.fill(0)
      const lots = state.lots[acc]!
      let remaining = v
      const fifo = state.policy === 'fifo'
      while (remaining > v * SLACK && lots.labels.length > lots.head) {
        const j = fifo ? lots.head : lots.labels.length - 1
        const amount = lots.amounts[j]!
        // A lot within float slack of the remainder is consumed whole, so no dust lots linger.
        const take = amount <= remaining * (1 + SLACK) ? amount : remaining
        const label = lots.labels[j]!
        if (label >= 0) c[label]! += take
        remaining -= take
        if (take === amount) {
          if (fifo) lots.head++
          else {
            lots.labels.pop()
            lots.amounts.pop()
          }
        } else lots.amounts[j] = amount - take
      }
      if (fifo && lots.head > 64 && lots.head * 2 > lots.labels.length) {
        lots.labels = lots.labels.slice(lots.head)
        lots.amounts = lots.amounts.slice(lots.head)
        lots.head = 0
      }
    }
  }
  state.acct[acc * (K + 1)] = b - v
}

/** Adds v carrying taint `c` to a tracked account. */
function credit(state: TaintState, acc: number, v: number, c: Float64Array): void {
  const K = state.K
  state.acct[acc * (K + 1)]! += v
  const base = acc * (K + 1) + 1
  switch (state.policy) {
    case 'haircut':
    case 'tiho':
      for (let h = 0; h < K; h++) state.acct[base + h]! += c[h]!
      break
    case 'poison':
      for (let h = 0; h < K; h++) if (c[h]! > 0) state.acct[base + h] = 1
      break
    default: {
      const lots = state.lots[acc]!
      let tainted = 0
      for (let h = 0; h < K; h++) {
        const x = c[h]!
        if (x > 0) {
          pushLot(lots, h, x)
          tainted += x
        }
      }
      const clean = v - tainted
      if (clean > v * SLACK) pushLot(lots, -1, clean)
    }
  }
}

function pushLot(lots: Lots, label: number, amount: number): void {
  const last = lots.labels.length - 1
  if (last >= lots.head && lots.labels[last] === label) lots.amounts[last]! += amount
  else {
    lots.labels.push(label)
    lots.amounts.push(amount)
  }
}

function noteEvidence(state: TaintState, toAcc: number, log: number, total: number): void {
  if (total > state.bestAmount[toAcc]!) {
    state.bestAmount[toAcc] = total
    state.bestIn[toAcc] = log
  }
}

/** DEX inputs nobody got paid for in their transaction: the taint stays at the DEX (an exit). */
function flushDex(state: TaintState): void {
  for (const [address, p] of state.dex) {
    if (p.used) continue
    let total = 0
    for (let h = 0; h < state.K; h++) total += p.taint[h]!
    if (total <= 0) continue
    const ledger = ledgerOf(state, p.token)
    for (let h = 0; h < state.K; h++) {
      ledger.convertedOut[h]! -= p.taint[h]!
      ledger.exited[h]! += p.taint[h]!
    }
    state.exits.push({
      logIndex: p.parent,
      txId: state.dexTx,
      block: p.block,
      from: address,
      to: p.to,
      token: p.token,
      place: PLACE_DEX,
      amounts: Float64Array.from(p.taint),
    })
  }
  state.dex.clear()
}

/**
 * Runs a prepared batch of transfers through the state. The hot path (no label, no theft, no
 * gas) touches only typed arrays; everything else goes through {@link slowStep}.
 *
 * @example
 * applyTransfers(state, columns, prepareTransfers(state, columns))
 */
export function applyTransfers(
  state: TaintState,
  columns: TransferColumns,
  prepared: PreparedTransfers,
): void {
  const n = columns.length
  const { amount, block, txId } = columns
  const { fromAccount, toAccount, flags, order } = prepared
  const K = state.K
  const c = state.carried
  let nextSourceBlock =
    state.pendingSources.length > 0 ? state.pendingSources[0]!.block : Number.POSITIVE_INFINITY
  const haircut = state.policy === 'haircut'
  // Accounts were all created by prepareTransfers, so these arrays do not move during the loop.
  const acct = state.acct
  const S = K + 1
  const bestIn = state.bestIn
  const bestAmount = state.bestAmount
  for (let j = 0; j < n; j++) {
    const i = order === null ? j : order[j]!
    if (block[i]! >= nextSourceBlock) {
      applyDueSources(state, block[i]!)
      nextSourceBlock =
        state.pendingSources.length > 0 ? state.pendingSources[0]!.block : Number.POSITIVE_INFINITY
    }
    if (state.dex.size > 0 && txId[i] !== state.dexTx) flushDex(state)
    const v = amount[i]!
    if (!(v > 0)) continue
    if (flags[i] === 0 && haircut) {
      // Fast path: haircut between two ordinary accounts, inlined.
      const fa = fromAccount[i]!
      const ta = toAccount[i]!
      const fo = fa * S
      const to = ta * S
      let b = acct[fo]!
      if (b < v) {
        if (v - b > v * SLACK) topUp(state, fa, v - b)
        else acct[fo] = v
        b = acct[fo]!
      }
      const r = v / b
      const fb = fo + 1
      const tb = to + 1
      let total = 0
      for (let h = 0; h < K; h++) {
        const t = acct[fb + h]!
        if (t !== 0) {
          const x = t * r
          acct[fb + h] = t - x
          acct[tb + h]! += x
          total += x
        }
      }
      acct[fo] = b - v
      acct[to]! += v
      if (total > 0) {
        const log = appendLog(state, txId[i]!, bestIn[fa]!)
        if (total > bestAmount[ta]!) {
          bestAmount[ta] = total
          bestIn[ta] = log
        }
      }
      continue
    }
    slowStep(state, columns, prepared, i, c)
  }
  state.transfersSeen += n
}

function slowStep(
  state: TaintState,
  columns: TransferColumns,
  prepared: PreparedTransfers,
  i: number,
  c: Float64Array,
): void {
  const K = state.K
  const v = columns.amount[i]!
  const f = prepared.flags[i]!
  const tx = columns.txId[i]!
  const token = columns.token[i]!
  const from = columns.from[i]!
  const to = columns.to[i]!
  let parent = -1
  c.fill(0)
  if (f & F_FROM_PLACE) {
    if (!(f & F_TO_PLACE) && !(f & F_GAS) && state.setup.placeOf(from) === PLACE_DEX) {
      let p = state.dex.get(to)
      // A swap paying someone other than the sender (Uniswap's `to`): convert the input that
      // nobody has been paid for yet in this transaction.
      if (p === undefined && state.dexTx === tx)
        for (const q of state.dex.values())
          if (!q.used) {
            p = q
            break
          }
      if (p !== undefined && state.dexTx === tx && p.value > 0) {
        p.used = true
        parent = p.parent
        const ledger = ledgerOf(state, token)
        for (let h = 0; h < K; h++) {
          const x =
            state.policy === 'poison' ? (p.taint[h]! > 0 ? v : 0) : (p.taint[h]! / p.value) * v
          c[h] = x
          ledger.convertedIn[h]! += x
        }
      }
    }
  } else {
    const fa = prepared.fromAccount[i]!
    debit(state, fa, v, c)
    parent = state.bestIn[fa]!
  }
  if (f & F_GAS) {
    let total = 0
    for (let h = 0; h < K; h++) total += c[h]!
    if (total > 0) {
      const ledger = ledgerOf(state, token)
      for (let h = 0; h < K; h++) ledger.burned[h]! += c[h]!
    }
    return
  }
  // Between two places (router to pool, pool to hot wallet) nothing is tracked.
  if (f & F_FROM_PLACE && f & F_TO_PLACE) return
  if (f & F_THEFT) {
    const h = state.setup.theftTx.get(tx)!
    let total = 0
    for (let k = 0; k < K; k++) total += c[k]!
    if (state.policy === 'poison') {
      if (c[h] === 0) ledgerOf(state, token).introduced[h]! += v
      c[h] = v
    } else if (v - total > 0) {
      ledgerOf(state, token).introduced[h]! += v - total
      c[h]! += v - total
    }
  }
  let total = 0
  for (let h = 0; h < K; h++) total += c[h]!
  const log = total > 0 ? appendLog(state, tx, parent) : -1
  if (f & F_TO_PLACE) {
    const place = state.setup.placeOf(to)
    if (place === PLACE_DEX) {
      if (state.dexTx !== tx) {
        flushDex(state)
        state.dexTx = tx
      }
      let p = state.dex.get(from)
      if (!p) {
        p = {
          taint: new Float64Array(K),
          value: 0,
          token,
          parent: log,
          used: false,
          block: columns.block[i]!,
          to,
        }
        state.dex.set(from, p)
      }
      p.value += v
      if (total > 0) {
        const ledger = ledgerOf(state, token)
        for (let h = 0; h < K; h++) {
          p.taint[h]! += c[h]!
          ledger.convertedOut[h]! += c[h]!
        }
        if (p.parent < 0) p.parent = log
      }
      return
    }
    if (total > 0) {
      const ledger = ledgerOf(state, token)
      for (let h = 0; h < K; h++) ledger.exited[h]! += c[h]!
      state.exits.push({
        logIndex: log,
        txId: tx,
        block: columns.block[i]!,
        from,
        to,
        token,
        place,
        amounts: Float64Array.from(c),
      })
    }
    return
  }
  const ta = prepared.toAccount[i]!
  credit(state, ta, v, c)
  if (total > 0) noteEvidence(state, ta, log, total)
}

/**
 * Ends a batch run: settles DEX inputs still in flight.
 *
 * @example
 * finishTaint(state)
 */
export function finishTaint(state: TaintState): void {
  flushDex(state)
}

/**
 * Taint per heist held by an account (for poison: the balance, once poisoned).
 *
 * @example
 * const heldByHeist = accountTaint(state, 3)
 */
export function accountTaint(state: TaintState, acc: number): Float64Array {
  const K = state.K
  const out = new Float64Array(K)
  if (state.policy === 'fifo' || state.policy === 'lifo') {
    const lots = state.lots[acc]!
    for (let j = lots.head; j < lots.labels.length; j++)
      if (lots.labels[j]! >= 0) out[lots.labels[j]!]! += lots.amounts[j]!
  } else if (state.policy === 'poison') {
    for (let h = 0; h < K; h++)
      out[h] = state.acct[acc * (K + 1) + 1 + h]! > 0 ? Math.max(0, state.acct[acc * (K + 1)]!) : 0
  } else for (let h = 0; h < K; h++) out[h] = state.acct[acc * (K + 1) + 1 + h]!
  return out
}

/**
 * Balance of an account as the data shows it (plus clean top-ups).
 *
 * @example
 * accountBalance(state, 0)
 */
export function accountBalance(state: TaintState, acc: number): number {
  return state.acct[acc * (state.K + 1)]!
}

/** Result of the conservation check: stolen = held + exited + burned (+ conversions) per token. */
export type Conservation = { checked: boolean; ok: boolean; maxRelativeError: number }

/**
 * Checks that taint is conserved per (heist, token): introduced + converted in = held + exited +
 * burned + converted out. Poison is not conserved by design (it grows), so it is not checked.
 *
 * @example
 * const { ok } = checkConservation(state)
 */
export function checkConservation(state: TaintState, tolerance = 1e-9): Conservation {
  if (state.policy === 'poison') return { checked: false, ok: true, maxRelativeError: 0 }
  const K = state.K
  const held = new Map<number, Float64Array>()
  for (let acc = 0; acc < state.accountCount; acc++) {
    const t = accountTaint(state, acc)
    const token = state.accountToken[acc]!
    let sum = held.get(token)
    if (!sum) {
      sum = new Float64Array(K)
      held.set(token, sum)
    }
    for (let h = 0; h < K; h++) sum[h]! += t[h]!
  }
  let maxRelativeError = 0
  for (const [token, l] of state.ledger) {
    const h0 = held.get(token) ?? new Float64Array(K)
    for (let h = 0; h < K; h++) {
      const inflow = l.introduced[h]! + l.convertedIn[h]!
      const outflow = h0[h]! + l.exited[h]! + l.burned[h]! + l.convertedOut[h]!
      const scale = Math.max(inflow, outflow, 1)
      maxRelativeError = Math.max(maxRelativeError, Math.abs(inflow - outflow) / scale)
    }
  }
  for (const [token, sum] of held)
    if (!state.ledger.has(token))
      for (let h = 0; h < K; h++) if (sum[h]! > 0) maxRelativeError = Math.max(maxRelativeError, 1)
  return { checked: true, ok: maxRelativeError <= tolerance, maxRelativeError }
}

/**
 * Runs a whole trace over time-ordered columns: prepare, apply, settle, check conservation.
 *
 * @example
 * const state = runTaint(columns, { policy: 'haircut', heistCount: 1, theftTx: new Map([[0, 0]]), sources: [], placeOf: () => 0 })
 */
export function runTaint(columns: TransferColumns, setup: TaintSetup): TaintState {
  const state = createTaintState(setup, columns.length / 4)
  applyTransfers(state, columns, prepareTransfers(state, columns))
  finishTaint(state)
  return state
}

/**
 * The evidence path of an account: tx ids from the theft to its largest taint-carrying inflow.
 *
 * @example
 * const txIds = evidencePath(state, accountId)
 */
export function evidencePath(state: TaintState, acc: number, maxHops = 256): number[] {
  const path: number[] = []
  let log = state.bestIn[acc]!
  while (log >= 0 && path.length < maxHops) {
    const tx = state.logTx[log]!
    if (path[path.length - 1] !== tx) path.push(tx)
    log = state.logParent[log]!
  }
  return path.reverse()
}
