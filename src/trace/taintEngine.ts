import { PLACE_DEX, PLACE_NONE } from './Place.js'
import type { Policy } from './Policy.js'
import { KIND_GAS, sliceTransferColumns, type TransferColumns } from './TransferColumns.js'

/**
 * The taint engine: pure functions over time-ordered transfers in typed arrays.
 *
 * State is per account = (address id, token id): `balance[account]` (dense, all the clean
 * majority of transfers touches), a tainted bit per account, and a row of K + 2 float64s per
 * account: the taint per heist (a vector: haircut/TIHO amounts, poison 1 once poisoned) and the
 * account's evidence (largest taint-carrying inflow and its log entry), so a tainted transfer
 * reads one cache line per side. FIFO/LIFO keep lots, but only for accounts that ever held
 * taint: a clean account's lots are a single clean lot equal to its balance, so they are
 * materialized from the balance on the first tainted credit. Float64 is used rather than
 * exact rationals because haircut splits every amount at every hop: exact fractions grow without
 * bound (the reference implementation shows it), while float64 keeps a relative error below
 * 1e-12 after millions of hops, which no report distinguishes, and runs at memory speed.
 *
 * Speed comes from the tainted bit: a transfer whose sender never held taint (the vast majority
 * in real data) carries none, so it only moves balance: no per-heist loop, no evidence work.
 * Evidence is a parent-pointer log written only when a transfer becomes the recipient's largest
 * taint-carrying inflow so far (or exits), and paths are walked afterwards.
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
  /** Place code (Place.ts) of an address id. Asked once per address id, then cached. */
  placeOf: (address: number) => number
  /**
   * Address ids known up front (0..addressCount-1, the dictionary of a batch trace): their ETH
   * accounts are indexed by address id directly, so resolving an ETH row reads no table.
   */
  addressCount?: number
  /** The same answers as `placeOf` for 0..addressCount-1, precomputed (optional). */
  placeByAddress?: Uint8Array
}

export type TaintSource = { address: number; heist: number; block: number }

/** Where taint left the traced graph: an exit place, or a DEX that sent nothing back. */
export type ExitRecord = {
  /** Evidence log entry of the exiting transfer (walk it with {@link exitEvidence}). */
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
  /**
   * Addresses below `direct` (`setup.addressCount`) have their ETH account at id = address id
   * and their place in `placeBits`/`placeCode`; accounts of other tokens and of later addresses
   * get ids from `direct` up.
   */
  direct: number
  /** One bit per address below `direct`: it is a place (stays in the L2 cache). */
  placeBits: Int32Array
  /** Place code per address below `direct`. */
  placeCode: Uint8Array
  /**
   * Per address id at or above `direct` (the live tracker's growing dictionary), one lookup for
   * both questions a row asks: 0 = not seen yet; -1 = ordinary
   * address without an ETH account yet; `-(2 + place)` = a place (`placeOf` is asked once per
   * address); `id + 1` = ordinary address whose (address, ETH) account is `id`.
   */
  addressInfo: Int32Array
  /**
   * Other accounts: open addressing on (address, token), linear probing. A slot is 4 int32s
   * `[address, token, account id + 1, 0]` (16 bytes: a probe reads one cache line, no
   * indirection to verify the key).
   */
  tokenTable: Int32Array
  tokenTableUsed: number
  /**
   * Per token id, for busy tokens: account id + 1 by address id (addresses below `direct`; 0 =
   * no account yet), replacing the hash probe (a cache miss in a table of tens of MB) by one read
   * of a table of 4 bytes per address. A token gets one after {@link DENSE_AFTER} hash lookups
   * (then the table costs at most a few bytes per lookup so far), within {@link DENSE_BUDGET}.
   */
  tokenDense: (Int32Array | undefined)[]
  /** Hash lookups per token id so far (promotion to `tokenDense`). */
  tokenLookups: Uint32Array
  /** Entries allocated in `tokenDense` so far. */
  tokenDenseEntries: number
  /** Reused per-slice account ids and flags of {@link traceChunk}. */
  slice: PreparedTransfers
  /** Theft transaction ids as a bitmap by tx id (heist index in `setup.theftTx`). */
  theftBits: Uint8Array
  accountAddress: Uint32Array
  accountToken: Uint32Array
  accountsOfAddress: Map<number, number[]>
  sourceAddresses: Set<number>
  /** Balance per account as the data shows it (plus clean top-ups). */
  balance: Float64Array
  /**
   * One row of S = K + 2 float64s per account, so that a tainted transfer reads one cache line
   * per side: `taint[acc * S + h]` the taint of heist h (haircut/tiho: amounts; poison: 1 once
   * poisoned), `taint[acc * S + K]` the largest taint-carrying inflow so far (evidence) and
   * `taint[acc * S + K + 1]` its evidence log entry + 1 (0 = none).
   */
  taint: Float64Array
  /**
   * One bit per account (`acc >>> 5`, bit `acc & 31`): set once the account may hold taint (it
   * received some, has lots, or is an `address@block` source). Clear means all-zero taint: the
   * fast path. A bitset (not a byte array) so that it stays in the L2 cache.
   */
  taintedBits: Int32Array
  /** fifo/lifo only: lots of accounts that have held taint (undefined = one clean lot). */
  lots: (Lots | undefined)[]
  /** Evidence log: one entry per best-so-far inflow or exit: its tx id and the parent entry. */
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
  /** DEX inputs in flight within transaction `dexTx`, in arrival order (`dexCount` in use). */
  dex: DexPending[]
  dexCount: number
  dexTx: number
  /** Some DEX input in flight carries taint (else payouts are clean whichever input they pay). */
  dexTainted: boolean
  /** Scratch vector for the taint a transfer carries. */
  carried: Float64Array
  transfersSeen: number
}

type Lots = { labels: number[]; amounts: number[]; head: number }

type DexPending = {
  /** The address that paid into the DEX. */
  from: number
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
/** The recipient is a DEX (set with F_TO_PLACE): conversion, not an exit. */
const F_TO_DEX = 16
/** An ordinary account paying into a DEX. */
const F_TO_DEX_INPUT = F_TO_PLACE | F_TO_DEX

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

const isLots = (policy: Policy) => policy === 'fifo' || policy === 'lifo'

/**
 * Creates empty engine state. `capacity` is a hint for the number of accounts.
 *
 * @example
 * const state = createTaintState({ policy: 'haircut', heistCount: 1, theftTx: new Map([[0, 0]]), sources: [], placeOf: () => 0 })
 */
export function createTaintState(setup: TaintSetup, capacity = 1024): TaintState {
  const K = setup.heistCount
  const direct = setup.addressCount ?? 0
  const cap = Math.max(16, Math.ceil(capacity), direct + 16)
  let placeCode: Uint8Array
  if (setup.placeByAddress && setup.placeByAddress.length >= direct)
    placeCode = setup.placeByAddress.subarray(0, direct)
  else {
    placeCode = new Uint8Array(direct)
    for (let a = 0; a < direct; a++) placeCode[a] = setup.placeOf(a)
  }
  const placeBits = new Int32Array((direct >>> 5) + 1)
  for (let a = 0; a < direct; a++)
    if (placeCode[a] !== PLACE_NONE) placeBits[a >>> 5]! |= 1 << (a & 31)
  let maxTheft = -1
  for (const tx of setup.theftTx.keys()) maxTheft = Math.max(maxTheft, tx)
  const theftBits = new Uint8Array(maxTheft + 1)
  for (const tx of setup.theftTx.keys()) theftBits[tx] = 1
  const state: TaintState = {
    policy: setup.policy,
    K,
    setup,
    accountCount: direct,
    direct,
    placeBits,
    placeCode,
    addressInfo: new Int32Array(direct > 0 ? 16 : cap),
    tokenTable: new Int32Array(4 * 2 ** Math.ceil(Math.log2(Math.max(1024, cap / 2)))),
    tokenTableUsed: 0,
    tokenDense: [],
    tokenLookups: new Uint32Array(16),
    tokenDenseEntries: 0,
    slice: {
      fromAccount: new Uint32Array(0),
      toAccount: new Uint32Array(0),
      flags: new Uint8Array(0),
      order: null,
    },
    theftBits,
    accountAddress: new Uint32Array(cap),
    accountToken: new Uint32Array(cap),
    accountsOfAddress: new Map(),
    sourceAddresses: new Set(setup.sources.map((x) => x.address)),
    balance: new Float64Array(cap),
    taint: new Float64Array(cap * (K + 2)),
    taintedBits: new Int32Array((cap >>> 5) + 1),
    lots: [],
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
    dex: [],
    dexCount: 0,
    dexTx: -1,
    dexTainted: false,
    carried: new Float64Array(K),
    transfersSeen: 0,
  }
  for (let a = 0; a < direct; a++) state.accountAddress[a] = a
  for (const address of state.sourceAddresses)
    if (address < direct && placeCode[address] === PLACE_NONE) registerSourceAccount(state, address)
  return state
}

/** Source addresses keep a list of their accounts (their whole balance is tainted at a block). */
function registerSourceAccount(state: TaintState, id: number): void {
  const address = state.accountAddress[id]!
  let list = state.accountsOfAddress.get(address)
  if (!list) {
    list = []
    state.accountsOfAddress.set(address, list)
  }
  list.push(id)
  markTainted(state, id)
  if (isLots(state.policy)) lotsOf(state, id)
}

function grown<T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(
  a: T,
  size: number,
  fill?: number,
): T {
  const b = new (a.constructor as new (n: number) => T)(size)
  b.set(a)
  if (fill !== undefined) b.fill(fill, a.length)
  return b
}

function growAccounts(state: TaintState, needed: number): void {
  const old = state.accountAddress.length
  if (needed <= old) return
  let cap = old
  while (cap < needed) cap *= 2
  state.accountAddress = grown(state.accountAddress, cap)
  state.accountToken = grown(state.accountToken, cap)
  state.balance = grown(state.balance, cap)
  state.taint = grown(state.taint, cap * (state.K + 2))
  state.taintedBits = grown(state.taintedBits, (cap >>> 5) + 1)
}

/** Grows the per-address table to hold `address`. */
function growAddresses(state: TaintState, address: number): void {
  let cap = Math.max(16, state.addressInfo.length)
  while (cap <= address) cap *= 2
  state.addressInfo = grown(state.addressInfo, cap)
}

/** The {@link TaintState.addressInfo} entry of an address, asking `placeOf` the first time. */
function addressInfoOf(state: TaintState, address: number): number {
  if (address >= state.addressInfo.length) growAddresses(state, address)
  let e = state.addressInfo[address]!
  if (e === 0) {
    const place = state.setup.placeOf(address)
    e = place === PLACE_NONE ? -1 : -2 - place
    state.addressInfo[address] = e
  }
  return e
}

function placeOfCached(state: TaintState, address: number): number {
  if (address < state.direct) return state.placeCode[address]!
  const e = addressInfoOf(state, address)
  return e >= -1 ? PLACE_NONE : -2 - e
}

function tokenSlot(address: number, token: number, mask: number): number {
  let h = Math.imul(address, 0x9e3779b1) ^ Math.imul(token + 1, 0x85ebca77)
  h ^= h >>> 15
  h = Math.imul(h, 0x2c1b3c6d)
  h ^= h >>> 12
  return h & mask
}

function rehashTokens(state: TaintState): void {
  const old = state.tokenTable
  const table = new Int32Array(old.length * 2)
  const mask = (table.length >>> 2) - 1
  for (let o = 0; o < old.length; o += 4) {
    if (old[o + 2] === 0) continue
    let s = tokenSlot(old[o]!, old[o + 1]!, mask)
    while (table[4 * s + 2] !== 0) s = (s + 1) & mask
    table.set(old.subarray(o, o + 4), 4 * s)
  }
  state.tokenTable = table
}

/** Hash lookups of a token after which it gets a dense table (see `TaintState.tokenDense`). */
const DENSE_AFTER = (direct: number) => Math.max(1024, direct >>> 5)
/** At most this many dense-table entries in all (4 bytes each: 256 MB). */
const DENSE_BUDGET = 2 ** 26

function accountOf(state: TaintState, address: number, token: number): number {
  const direct = state.direct
  if (address < direct) {
    if (token === 0) return address
    const dense = token < state.tokenDense.length ? state.tokenDense[token] : undefined
    if (dense !== undefined) {
      const e = dense[address]!
      if (e !== 0) return e - 1
      const id = newAccount(state, address, token)
      dense[address] = id + 1
      return id
    }
    if (token >= state.tokenLookups.length)
      state.tokenLookups = grown(
        state.tokenLookups,
        Math.max(token + 1, state.tokenLookups.length * 2),
      )
    if (
      ++state.tokenLookups[token]! > DENSE_AFTER(direct) &&
      state.tokenDenseEntries + direct <= DENSE_BUDGET
    ) {
      promoteToken(state, token)
      return accountOf(state, address, token)
    }
  }
  const info = address < direct ? 0 : addressInfoOf(state, address)
  // The ETH account of an ordinary address at or above `direct` is remembered in addressInfo;
  // every other account is hashed.
  const viaInfo = token === 0 && info >= -1
  if (viaInfo && info > 0) return info - 1
  let slot = -1
  if (!viaInfo) {
    const table = state.tokenTable
    const mask = (table.length >>> 2) - 1
    slot = tokenSlot(address, token, mask)
    for (;;) {
      const e = table[4 * slot + 2]!
      if (e === 0) break
      if (table[4 * slot] === address && table[4 * slot + 1] === token) return e - 1
      slot = (slot + 1) & mask
    }
  }
  const id = newAccount(state, address, token)
  if (viaInfo) state.addressInfo[address] = id + 1
  else {
    state.tokenTable[4 * slot] = address
    state.tokenTable[4 * slot + 1] = token
    state.tokenTable[4 * slot + 2] = id + 1
    if (++state.tokenTableUsed * 8 > state.tokenTable.length) rehashTokens(state)
  }
  return id
}

/** Allocates the next account id (ids are handed out in first-seen order). */
function newAccount(state: TaintState, address: number, token: number): number {
  const id = state.accountCount++
  growAccounts(state, state.accountCount)
  state.accountAddress[id] = address
  state.accountToken[id] = token
  if (state.sourceAddresses.size > 0 && state.sourceAddresses.has(address))
    registerSourceAccount(state, id)
  return id
}

/** Gives a busy token a dense table, filled from the hash table's entries of that token. */
function promoteToken(state: TaintState, token: number): void {
  const dense = new Int32Array(state.direct)
  const table = state.tokenTable
  for (let o = 0; o < table.length; o += 4)
    if (table[o + 2] !== 0 && table[o + 1] === token && table[o]! < state.direct)
      dense[table[o]!] = table[o + 2]!
  while (state.tokenDense.length <= token) state.tokenDense.push(undefined)
  state.tokenDense[token] = dense
  state.tokenDenseEntries += state.direct
}

/**
 * The account of `address` for `token`, or `-place` when the address is a place (places have no
 * accounts). Creates the account on first sight.
 */
function resolveSide(state: TaintState, address: number, token: number): number {
  if (address < state.direct) {
    if (((state.placeBits[address >>> 5]! >>> (address & 31)) & 1) !== 0)
      return -state.placeCode[address]!
    if (token === 0) return address
    const dense = token < state.tokenDense.length ? state.tokenDense[token] : undefined
    if (dense !== undefined) {
      const e = dense[address]!
      if (e !== 0) return e - 1
    }
    return accountOf(state, address, token)
  }
  let e = address < state.addressInfo.length ? state.addressInfo[address]! : 0
  if (e === 0) e = addressInfoOf(state, address)
  // e = -(2 + place) for a place: return -place.
  if (e < -1) return e + 2
  return token === 0 && e > 0 ? e - 1 : accountOf(state, address, token)
}

function markTainted(state: TaintState, acc: number): void {
  state.taintedBits[acc >>> 5]! |= 1 << (acc & 31)
}

/** The lots of an account, materialized from its (clean) balance the first time. */
function lotsOf(state: TaintState, acc: number): Lots {
  let lots = state.lots[acc]
  if (lots === undefined) {
    lots = { labels: [], amounts: [], head: 0 }
    const b = state.balance[acc]!
    if (b > 0) pushLot(lots, -1, b)
    state.lots[acc] = lots
    markTainted(state, acc)
  }
  return lots
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
  const S = K + 2
  const ledger = ledgerOf(state, token)
  const lots = isLots(state.policy) ? lotsOf(state, acc) : undefined
  state.balance[acc]! += balance
  let tainted = 0
  for (let h = 0; h < K; h++) {
    const x = taint[h] ?? 0
    if (!(x > 0)) continue
    tainted += x
    ledger.introduced[h]! += x
    if (state.policy === 'poison') state.taint[acc * S + h] = 1
    else if (lots) pushLot(lots, h, x)
    else state.taint[acc * S + h]! += x
  }
  if (lots && balance - tainted > 0) pushLot(lots, -1, balance - tainted)
  if (tainted > 0) markTainted(state, acc)
  return acc
}

/**
 * Resolves account ids and flags for a batch of transfers and fixes the visit order inside
 * transactions where a DEX pays out before it is paid (callbacks, flash swaps, and the
 * trace-before-log order of ingest), so conversions always see the input first. Every
 * transaction with a payout before its last DEX input is reordered (as the reference
 * implementation does), so the result does not depend on how rows are cut into chunks.
 *
 * @example
 * const prepared = prepareTransfers(state, columns)
 */
export function prepareTransfers(state: TaintState, columns: TransferColumns): PreparedTransfers {
  const n = columns.length
  return prepareInto(state, columns, {
    fromAccount: new Uint32Array(n),
    toAccount: new Uint32Array(n),
    flags: new Uint8Array(n),
    order: null,
  })
}

/** {@link prepareTransfers} into given arrays (at least `columns.length` long, any content). */
function prepareInto(
  state: TaintState,
  columns: TransferColumns,
  out: PreparedTransfers,
): PreparedTransfers {
  const n = columns.length
  const { fromAccount, toAccount, flags } = out
  const { txId, from: fromCol, to: toCol, token: tokenCol, kind } = columns
  const { direct, placeBits, theftBits } = state
  let needsOrder = false
  let checkedTx = -1
  let maxToken = 0
  for (let i = 0; i < n; i++) {
    const tx = txId[i]!
    const from = fromCol[i]!
    const token = tokenCol[i]!
    if (token > maxToken) maxToken = token
    let f = 0
    // Addresses below `direct`: a bit test says "place?", and an ETH account is the address id
    // itself, so an ETH row reads no table. Places have no account: 0, as in a fresh array.
    let pf = PLACE_NONE
    if (token === 0 && from < direct && ((placeBits[from >>> 5]! >>> (from & 31)) & 1) === 0)
      fromAccount[i] = from
    else {
      const r = resolveSide(state, from, token)
      if (r >= 0) fromAccount[i] = r
      else {
        fromAccount[i] = 0
        pf = -r
        f |= F_FROM_PLACE
      }
    }
    if (kind[i] === KIND_GAS) {
      f |= F_GAS
      toAccount[i] = 0
    } else {
      const to = toCol[i]!
      let pt = PLACE_NONE
      if (token === 0 && to < direct && ((placeBits[to >>> 5]! >>> (to & 31)) & 1) === 0)
        toAccount[i] = to
      else {
        const r = resolveSide(state, to, token)
        if (r >= 0) toAccount[i] = r
        else {
          toAccount[i] = 0
          pt = -r
          f |= pt === PLACE_DEX ? F_TO_PLACE | F_TO_DEX : F_TO_PLACE
        }
      }
      if (pf === PLACE_DEX && pt === PLACE_NONE && !needsOrder && tx !== checkedTx) {
        checkedTx = tx
        needsOrder = lastDexInput(state, columns, i) > i
      }
    }
    if (tx < theftBits.length && theftBits[tx] === 1) f |= F_THEFT
    flags[i] = f
  }
  growTopUps(state, maxToken)
  out.order = needsOrder ? dexOrder(columns, (a) => placeOfCached(state, a)) : null
  return out
}

/** Makes room in the top-up totals for token ids up to `token`. */
function growTopUps(state: TaintState, token: number): void {
  const t = state.topUps
  if (token >= t.byToken.length) {
    const size = Math.max(token + 1, t.byToken.length * 2)
    t.byToken = grown(t.byToken, size)
    t.taintedByToken = grown(t.taintedByToken, size)
  }
}

const isDexInput = (state: TaintState, columns: TransferColumns, j: number) =>
  columns.kind[j] !== KIND_GAS &&
  placeOfCached(state, columns.to[j]!) === PLACE_DEX &&
  placeOfCached(state, columns.from[j]!) === PLACE_NONE

/** The last DEX input of row i's transaction at or after row i (within the chunk), or -1. */
function lastDexInput(state: TaintState, columns: TransferColumns, i: number): number {
  const tx = columns.txId[i]!
  let last = -1
  for (let j = i; j < columns.length && columns.txId[j] === tx; j++)
    if (isDexInput(state, columns, j)) last = j
  return last
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
    state.logTx = grown(state.logTx, state.logTx.length * 2)
    state.logParent = grown(state.logParent, state.logParent.length * 2)
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
  const S = K + 2
  const b = state.balance[acc]!
  // An account without balance gets no ledger entry: it may not exist yet when traceChunk
  // applies the source, and the ledger must not depend on that.
  if (b <= 0) return
  const ledger = ledgerOf(state, state.accountToken[acc]!)
  markTainted(state, acc)
  if (isLots(state.policy)) {
    const lots = lotsOf(state, acc)
    for (let j = lots.head; j < lots.labels.length; j++)
      if (lots.labels[j] === -1) {
        lots.labels[j] = h
        ledger.introduced[h]! += lots.amounts[j]!
      }
  } else if (state.policy === 'poison') {
    if (state.taint[acc * S + h] === 0) ledger.introduced[h]! += b
    state.taint[acc * S + h] = 1
  } else {
    let t = 0
    for (let k = 0; k < K; k++) t += state.taint[acc * S + k]!
    if (b > t) {
      state.taint[acc * S + h]! += b - t
      ledger.introduced[h]! += b - t
    }
  }
}

/**
 * Records a shortfall: the missing part is clean (or stolen, on an active source address).
 * The clean-account case is inlined in {@link applyTransfers}; this is the general one.
 */
function topUp(state: TaintState, acc: number, missing: number): void {
  const token = state.accountToken[acc]!
  const sourceHeist =
    state.activeSource.size > 0 ? state.activeSource.get(state.accountAddress[acc]!) : undefined
  const K = state.K
  const S = K + 2
  let tainted = false
  if (isLots(state.policy)) {
    const lots = state.lots[acc]
    if (lots !== undefined) {
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
    }
  } else {
    for (let k = 0; k < K; k++) if (state.taint[acc * S + k]! > 0) tainted = true
  }
  state.balance[acc]! += missing
  if (sourceHeist !== undefined) {
    ledgerOf(state, token).introduced[sourceHeist]! += missing
    markTainted(state, acc)
    if (state.policy === 'poison') state.taint[acc * S + sourceHeist] = 1
    else if (!isLots(state.policy)) state.taint[acc * S + sourceHeist]! += missing
    return
  }
  const t = state.topUps
  if (token >= t.byToken.length) {
    const size = Math.max(token + 1, t.byToken.length * 2)
    t.byToken = grown(t.byToken, size)
    t.taintedByToken = grown(t.taintedByToken, size)
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
  const S = K + 2
  const balance = state.balance
  let b = balance[acc]!
  if (b < v) {
    if (v - b > v * SLACK) topUp(state, acc, v - b)
    else balance[acc] = v
    b = balance[acc]!
  }
  const taint = state.taint
  const base = acc * S
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
      const lots = state.lots[acc]
      if (lots !== undefined) takeLots(lots, v, state.policy === 'fifo', c)
    }
  }
  balance[acc] = b - v
}

/** Takes v from the lots, oldest (fifo) or newest (lifo) first, adding tainted parts to `c`. */
function takeLots(lots: Lots, v: number, fifo: boolean, c: Float64Array): void {
  let remaining = v
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

/** Adds v carrying taint `c` (of which `total` is tainted) to a tracked account. */
function credit(state: TaintState, acc: number, v: number, c: Float64Array, total: number): void {
  const K = state.K
  const S = K + 2
  const base = acc * S
  switch (state.policy) {
    case 'haircut':
    case 'tiho':
      for (let h = 0; h < K; h++)
        if (c[h] !== 0) {
          state.taint[base + h]! += c[h]!
          markTainted(state, acc)
        }
      break
    case 'poison':
      for (let h = 0; h < K; h++) if (c[h]! > 0) state.taint[base + h] = 1
      break
    default: {
      // A clean credit to a clean account keeps its single clean lot implicit.
      if (total > 0 || state.lots[acc] !== undefined) {
        const lots = lotsOf(state, acc)
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
  state.balance[acc]! += v
  if (total > 0) markTainted(state, acc)
}

function pushLot(lots: Lots, label: number, amount: number): void {
  const last = lots.labels.length - 1
  if (last >= lots.head && lots.labels[last] === label) lots.amounts[last]! += amount
  else {
    lots.labels.push(label)
    lots.amounts.push(amount)
  }
}

/** DEX inputs nobody got paid for in their transaction: the taint stays at the DEX (an exit). */
function flushDex(state: TaintState): void {
  const K = state.K
  for (let e = 0; e < state.dexCount; e++) {
    const p = state.dex[e]!
    if (p.used) continue
    let total = 0
    for (let h = 0; h < K; h++) total += p.taint[h]!
    if (total <= 0) continue
    const ledger = ledgerOf(state, p.token)
    for (let h = 0; h < K; h++) {
      ledger.convertedOut[h]! -= p.taint[h]!
      ledger.exited[h]! += p.taint[h]!
    }
    state.exits.push({
      logIndex: p.parent,
      txId: state.dexTx,
      block: p.block,
      from: p.from,
      to: p.to,
      token: p.token,
      place: PLACE_DEX,
      amounts: Float64Array.from(p.taint),
    })
  }
  state.dexCount = 0
  state.dexTainted = false
}

/**
 * Books a payment into a DEX (one entry per paying address per transaction, entries pooled):
 * the value, and `log` as the evidence parent of the first tainted input.
 */
function dexInput(state: TaintState, i: number, columns: TransferColumns, log: number): DexPending {
  const tx = columns.txId[i]!
  const from = columns.from[i]!
  if (state.dexTx !== tx) {
    flushDex(state)
    state.dexTx = tx
  }
  let p = findDex(state, from)
  if (!p) {
    if (state.dexCount === state.dex.length)
      state.dex.push({
        from,
        taint: new Float64Array(state.K),
        value: 0,
        token: 0,
        parent: -1,
        used: false,
        block: 0,
        to: 0,
      })
    p = state.dex[state.dexCount++]!
    p.from = from
    p.taint.fill(0)
    p.value = 0
    p.token = columns.token[i]!
    p.parent = log
    p.used = false
    p.block = columns.block[i]!
    p.to = columns.to[i]!
  }
  p.value += columns.amount[i]!
  if (p.parent < 0) p.parent = log
  return p
}

/**
 * A place paying an ordinary account: when the place is a DEX with an input in flight in this
 * transaction, the input it pays out (the recipient's own, else the first not yet paid).
 */
function dexPayout(state: TaintState, i: number, columns: TransferColumns): DexPending | undefined {
  const tx = columns.txId[i]!
  if (state.dexTx !== tx || placeOfCached(state, columns.from[i]!) !== PLACE_DEX) return undefined
  let p = findDex(state, columns.to[i]!)
  // A swap paying someone other than the sender (Uniswap's `to`): convert the input that
  // nobody has been paid for yet in this transaction.
  if (p === undefined)
    for (let e = 0; e < state.dexCount; e++)
      if (!state.dex[e]!.used) {
        p = state.dex[e]
        break
      }
  if (p === undefined || !(p.value > 0)) return undefined
  p.used = true
  // The ledger entry exists for every converted-into token, tainted or not (as before).
  ledgerOf(state, columns.token[i]!)
  return p
}

function findDex(state: TaintState, from: number): DexPending | undefined {
  for (let e = 0; e < state.dexCount; e++) if (state.dex[e]!.from === from) return state.dex[e]
  return undefined
}

/**
 * Runs a prepared batch of transfers through the state. A transfer from an account that never
 * held taint only moves balance (inlined, typed arrays only); haircut between ordinary accounts
 * is inlined too; everything else goes through {@link slowStep}.
 *
 * @example
 * applyTransfers(state, columns, prepareTransfers(state, columns))
 */
export function applyTransfers(
  state: TaintState,
  columns: TransferColumns,
  prepared: PreparedTransfers,
): void {
  runRows(state, columns, prepared)
}

/**
 * Resolves and applies a batch of transfers: the same result as
 * `applyTransfers(state, columns, prepareTransfers(state, columns))` (same account ids, same
 * visit order), but the per-row account ids and flags live in one scratch buffer reused across
 * calls (slices of up to {@link SLICE_ROWS} rows cut at transaction boundaries), so a scan of
 * many chunks allocates nothing per chunk. Use it when nothing needs the rows' account ids
 * before they are applied. `sliceRows` only changes speed (tests use tiny slices).
 *
 * @example
 * for await (const chunk of scan.chunks) traceChunk(state, chunk)
 * finishTaint(state)
 */
export function traceChunk(
  state: TaintState,
  columns: TransferColumns,
  sliceRows = SLICE_ROWS,
): void {
  const n = columns.length
  const txId = columns.txId
  let scratch = state.slice
  let start = 0
  while (start < n) {
    let end = Math.min(n, start + Math.max(1, sliceRows))
    // A transaction's DEX order is decided on the whole transaction: never cut one.
    if (end < n) {
      const tx = txId[end - 1]!
      while (end < n && txId[end] === tx) end++
    }
    const count = end - start
    if (scratch.flags.length < count) {
      scratch = {
        fromAccount: new Uint32Array(count),
        toAccount: new Uint32Array(count),
        flags: new Uint8Array(count),
        order: null,
      }
      state.slice = scratch
    }
    const view = count === n ? columns : sliceTransferColumns(columns, start, end)
    runRows(state, view, prepareInto(state, view, scratch))
    start = end
  }
}

/**
 * Rows per slice of {@link traceChunk} (9 bytes a row of scratch). Large on purpose: measured on
 * the generator's 10 M rows, 4,096-row slices (scratch in L2) ran ~10% slower than 1 M-row ones,
 * because alternating the resolve and apply loops evicts the balances the apply loop keeps hot.
 */
const SLICE_ROWS = 1 << 20

/**
 * The engine loop over prepared rows. A transfer from an account that never held taint only
 * moves balance (inlined, typed arrays only); haircut between ordinary accounts is inlined too;
 * everything else goes through {@link slowStep}.
 */
function runRows(state: TaintState, columns: TransferColumns, prepared: PreparedTransfers): void {
  const n = columns.length
  const { amount, block, txId, token } = columns
  const { fromAccount, toAccount, flags, order } = prepared
  const K = state.K
  const c = state.carried
  let nextSourceBlock =
    state.pendingSources.length > 0 ? state.pendingSources[0]!.block : Number.POSITIVE_INFINITY
  let sourcesPending = nextSourceBlock !== Number.POSITIVE_INFINITY
  const haircut = state.policy === 'haircut'
  // With lots, a clean credit to an account that has lots must add a clean lot: the fast path
  // then also needs a clean recipient.
  const lotsPolicy = isLots(state.policy)
  // Accounts were all created by prepareTransfers, so these arrays do not move during the loop.
  const balance = state.balance
  const taint = state.taint
  const bits = state.taintedBits
  const S = K + 2
  const topUps = state.topUps
  const topUpByToken = topUps.byToken
  let topUpCount = 0
  for (let j = 0; j < n; j++) {
    const i = order === null ? j : order[j]!
    if (sourcesPending && block[i]! >= nextSourceBlock) {
      applyDueSources(state, block[i]!)
      nextSourceBlock =
        state.pendingSources.length > 0 ? state.pendingSources[0]!.block : Number.POSITIVE_INFINITY
      sourcesPending = nextSourceBlock !== Number.POSITIVE_INFINITY
    }
    if (state.dexCount > 0 && txId[i] !== state.dexTx) flushDex(state)
    const v = amount[i]!
    if (!(v > 0)) continue
    const f = flags[i]!
    if (f === 0 || f === F_GAS || f === F_TO_PLACE || f === F_TO_DEX_INPUT) {
      const fa = fromAccount[i]!
      if (((bits[fa >>> 5]! >>> (fa & 31)) & 1) === 0) {
        // Clean sender: the transfer carries no taint; only balances move. A shortfall is a
        // clean top-up (the account is neither tainted nor a source).
        let b = balance[fa]!
        if (b < v) {
          const missing = v - b
          if (missing > v * SLACK) {
            topUpCount++
            topUpByToken[token[i]!]! += missing
            b += missing
          } else b = v
        }
        balance[fa] = b - v
        if (f === F_TO_DEX_INPUT) dexInput(state, i, columns, -1)
        else if (f === 0) {
          const ta = toAccount[i]!
          if (!lotsPolicy || ((bits[ta >>> 5]! >>> (ta & 31)) & 1) === 0) {
            balance[ta]! += v
            continue
          }
          // A lots account receiving clean funds: record the clean lot.
          c.fill(0)
          credit(state, ta, v, c, 0)
        }
        continue
      }
      if (f === 0 && haircut) {
        // Haircut between two ordinary accounts, inlined.
        const ta = toAccount[i]!
        let b = balance[fa]!
        if (b < v) {
          if (v - b > v * SLACK) topUp(state, fa, v - b)
          else balance[fa] = v
          b = balance[fa]!
        }
        const r = v / b
        const fb = fa * S
        const tb = ta * S
        let total = 0
        let moved = false
        for (let h = 0; h < K; h++) {
          const t = taint[fb + h]!
          if (t !== 0) {
            const x = t * r
            taint[fb + h] = t - x
            taint[tb + h]! += x
            total += x
            moved = true
          }
        }
        balance[fa] = b - v
        balance[ta]! += v
        // Any non-zero amount flags the recipient (float dust can be negative): a clear flag
        // must always mean all-zero taint.
        if (moved) {
          bits[ta >>> 5]! |= 1 << (ta & 31)
          if (total > taint[tb + K]!) {
            taint[tb + K] = total
            taint[tb + K + 1] = appendLog(state, txId[i]!, taint[fb + K + 1]! - 1) + 1
          }
        }
        continue
      }
    } else if (f === F_FROM_PLACE) {
      // From a place (exchange hot wallet, pool) to an ordinary account: clean, unless a
      // tainted DEX input of this transaction is in flight (then this may be its payout).
      const ta = toAccount[i]!
      if (!state.dexTainted && (!lotsPolicy || ((bits[ta >>> 5]! >>> (ta & 31)) & 1) === 0)) {
        if (state.dexCount > 0) dexPayout(state, i, columns)
        balance[ta]! += v
        continue
      }
    } else if (f === (F_FROM_PLACE | F_GAS)) continue // a place's own gas: not tracked
    slowStep(state, columns, i, fromAccount[i]!, toAccount[i]!, f, c)
  }
  topUps.count += topUpCount
  state.transfersSeen += n
}

function slowStep(
  state: TaintState,
  columns: TransferColumns,
  i: number,
  fa: number,
  ta: number,
  f: number,
  c: Float64Array,
): void {
  const K = state.K
  const v = columns.amount[i]!
  const tx = columns.txId[i]!
  const token = columns.token[i]!
  const from = columns.from[i]!
  const to = columns.to[i]!
  let parent = -1
  c.fill(0)
  if (f & F_FROM_PLACE) {
    if (!(f & F_TO_PLACE) && !(f & F_GAS)) {
      const p = dexPayout(state, i, columns)
      if (p !== undefined) {
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
    debit(state, fa, v, c)
    parent = state.taint[fa * (K + 2) + K + 1]! - 1
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
  if (f & F_TO_DEX) {
    const p = dexInput(state, i, columns, total > 0 ? appendLog(state, tx, parent) : -1)
    if (total > 0) {
      const ledger = ledgerOf(state, token)
      for (let h = 0; h < K; h++) {
        p.taint[h]! += c[h]!
        ledger.convertedOut[h]! += c[h]!
      }
      state.dexTainted = true
    }
    return
  }
  if (f & F_TO_PLACE) {
    if (total > 0) {
      const ledger = ledgerOf(state, token)
      for (let h = 0; h < K; h++) ledger.exited[h]! += c[h]!
      state.exits.push({
        logIndex: appendLog(state, tx, parent),
        txId: tx,
        block: columns.block[i]!,
        from,
        to,
        token,
        place: placeOfCached(state, to),
        amounts: Float64Array.from(c),
      })
    }
    return
  }
  credit(state, ta, v, c, total)
  // Evidence: only an inflow that beats the recipient's best so far can ever be on a path.
  const row = ta * (K + 2)
  if (total > state.taint[row + K]!) {
    state.taint[row + K] = total
    state.taint[row + K + 1] = appendLog(state, tx, parent) + 1
  }
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
 * Whether an account can hold taint at all (false: it never received any; cheap to test).
 *
 * @example
 * if (mayHoldTaint(state, acc)) accountTaint(state, acc)
 */
export function mayHoldTaint(state: TaintState, acc: number): boolean {
  return ((state.taintedBits[acc >>> 5]! >>> (acc & 31)) & 1) === 1
}

/**
 * Taint per heist held by an account (for poison: the balance, once poisoned).
 *
 * @example
 * const heldByHeist = accountTaint(state, 3)
 */
export function accountTaint(state: TaintState, acc: number): Float64Array {
  const K = state.K
  const S = K + 2
  const out = new Float64Array(K)
  if (!mayHoldTaint(state, acc)) return out
  if (isLots(state.policy)) {
    const lots = state.lots[acc]
    if (lots !== undefined)
      for (let j = lots.head; j < lots.labels.length; j++)
        if (lots.labels[j]! >= 0) out[lots.labels[j]!]! += lots.amounts[j]!
  } else if (state.policy === 'poison') {
    for (let h = 0; h < K; h++)
      out[h] = state.taint[acc * S + h]! > 0 ? Math.max(0, state.balance[acc]!) : 0
  } else for (let h = 0; h < K; h++) out[h] = state.taint[acc * S + h]!
  return out
}

/**
 * Balance of an account as the data shows it (plus clean top-ups).
 *
 * @example
 * accountBalance(state, 0)
 */
export function accountBalance(state: TaintState, acc: number): number {
  return state.balance[acc]!
}

/** Result of the conservation check: stolen = held + exited + burned (+ conversions) per token. */
export type Conservation = {
  checked: boolean
  ok: boolean
  maxRelativeError: number
}

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
    if (!mayHoldTaint(state, acc)) continue
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
  traceChunk(state, columns)
  finishTaint(state)
  return state
}

/** Walks the evidence log from `log` back to the theft: tx ids, theft first. */
function walkEvidence(state: TaintState, log: number, maxHops: number): number[] {
  const path: number[] = []
  while (log >= 0 && path.length < maxHops) {
    const tx = state.logTx[log]!
    if (path[path.length - 1] !== tx) path.push(tx)
    log = state.logParent[log]!
  }
  return path.reverse()
}

/**
 * The evidence path of an account: tx ids from the theft to its largest taint-carrying inflow
 * (each hop being, at that time, the sender's own largest taint-carrying inflow).
 *
 * @example
 * const txIds = evidencePath(state, accountId)
 */
export function evidencePath(state: TaintState, acc: number, maxHops = 256): number[] {
  return walkEvidence(state, state.taint[acc * (state.K + 2) + state.K + 1]! - 1, maxHops)
}

/**
 * The evidence path of an exit: tx ids from the theft to the transfer that left.
 *
 * @example
 * const txIds = exitEvidence(state, state.exits[0])
 */
export function exitEvidence(state: TaintState, exit: ExitRecord, maxHops = 256): number[] {
  return walkEvidence(state, exit.logIndex, maxHops)
}
