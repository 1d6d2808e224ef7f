import type { Policy } from '../Policy.js'
import { add, div, isZero, lt, mul, type Rational, rational, sub, ZERO } from './rational.js'

/**
 * The reference taint implementation: deliberately simple, exact (bigint balances, rational
 * taint), written independently of the fast engine and used only to produce ground truth for
 * the generator and the property tests. It works on plain objects keyed by strings, sorts the
 * transfers itself, and follows the semantics documented in Policy.ts and Place.ts:
 *
 * - transfers are visited by (block, txIndex, ordinal); inside a transaction, a DEX payout to an
 *   address that comes before that transaction's last DEX input is visited right after it;
 * - a transfer in a theft transaction of heist h is made fully stolen (its clean part becomes h);
 * - an `address@block` source taints that address's whole balance (all tokens) from that block,
 *   and its later shortfalls are stolen funds too;
 * - a shortfall (balance too small for a transfer) is clean funds, the oldest lot;
 * - gas burns the taint it carries (under the active policy);
 * - to a DEX: taint waits for the DEX to pay the same address in the same transaction (or, when
 *   it pays someone else, that recipient) and is converted by value fraction; unpaid, it is an
 *   exit at the DEX;
 * - to an exchange, bridge or mixer: an exit; places hold no taint.
 */
export type RefTransfer = {
  block: number
  txIndex: number
  ordinal: number
  tx: string
  from: string
  to: string
  token: string
  amount: bigint
  kind: 'transfer' | 'gas'
}

export type RefHeist = {
  id: string
  thefts: string[]
  sources: { address: string; block: number }[]
}

export type RefPlace = 'dex' | 'exchange' | 'bridge' | 'mixer'

export type RefInput = {
  policy: Policy
  heists: RefHeist[]
  places: Map<string, RefPlace>
  transfers: RefTransfer[]
}

export type RefResult = {
  /** `address|token` -> heist id -> tainted amount (only non-zero entries). */
  holders: Map<string, Map<string, Rational>>
  /** `place|token|heist` -> amount that left there. */
  exits: Map<string, Rational>
  /** heist -> ETH burned as gas. */
  gasBurned: Map<string, Rational>
  /** Shortfalls on accounts that held taint at that moment: count and amount per token. */
  taintedTopUps: { count: number; byToken: Map<string, bigint> }
}

type Lot = { heist: string | null; amount: Rational }
type Account = { balance: bigint; taint: Map<string, Rational>; lots: Lot[]; poisoned: Set<string> }

/**
 * Runs the reference trace.
 *
 * @example
 * const truth = referenceTaint({ policy: 'haircut', heists: [{ id: 'h', thefts: ['0x01'], sources: [] }], places: new Map(), transfers: [] })
 */
export function referenceTaint(input: RefInput): RefResult {
  const { policy, places } = input
  const isLots = policy === 'fifo' || policy === 'lifo'
  const theftOf = new Map<string, string>()
  for (const h of input.heists) for (const t of h.thefts) if (!theftOf.has(t)) theftOf.set(t, h.id)
  const sources = input.heists
    .flatMap((h) => h.sources.map((s) => ({ ...s, heist: h.id })))
    .sort((a, b) => a.block - b.block)
  const activeSource = new Map<string, string>()
  const accounts = new Map<string, Account>()
  const result: RefResult = {
    holders: new Map(),
    exits: new Map(),
    gasBurned: new Map(),
    taintedTopUps: { count: 0, byToken: new Map() },
  }
  const account = (address: string, token: string): Account => {
    const key = `${address}|${token}`
    let a = accounts.get(key)
    if (!a) {
      a = { balance: 0n, taint: new Map(), lots: [], poisoned: new Set() }
      accounts.set(key, a)
    }
    return a
  }
  const addTo = (map: Map<string, Rational>, key: string, x: Rational) =>
    map.set(key, add(map.get(key) ?? ZERO, x))
  const holdsTaint = (a: Account) =>
    isLots
      ? a.lots.some((l) => l.heist !== null && !isZero(l.amount))
      : policy === 'poison'
        ? a.poisoned.size > 0
        : [...a.taint.values()].some((x) => !isZero(x))

  const ordered = orderTransfers(input.transfers, places)
  let dex = new Map<
    string,
    { taint: Map<string, Rational>; value: bigint; token: string; used: boolean; place: string }
  >()
  let dexTx = ''
  const flushDex = () => {
    for (const p of dex.values()) {
      if (p.used) continue
      for (const [h, x] of p.taint)
        if (!isZero(x)) addTo(result.exits, `${p.place}|${p.token}|${h}`, x)
    }
    dex = new Map()
  }

  for (const t of ordered) {
    while (sources.length > 0 && sources[0]!.block <= t.block) {
      const s = sources.shift()!
      activeSource.set(s.address, s.heist)
      for (const [key, a] of accounts) if (key.startsWith(`${s.address}|`)) taintAll(a, s.heist)
    }
    if (t.tx !== dexTx) {
      flushDex()
      dexTx = t.tx
    }
    if (t.amount <= 0n) continue
    const v = t.amount
    const fromPlace = places.get(t.from)
    const toPlace = t.kind === 'gas' ? undefined : places.get(t.to)
    let carried = new Map<string, Rational>()
    if (fromPlace) {
      if (fromPlace === 'dex' && !toPlace && t.kind === 'transfer') {
        const p = dex.get(t.to) ?? [...dex.values()].find((q) => !q.used)
        if (p && p.value > 0n) {
          p.used = true
          for (const [h, x] of p.taint)
            carried.set(
              h,
              policy === 'poison'
                ? isZero(x)
                  ? ZERO
                  : rational(v)
                : mul(div(x, rational(p.value)), rational(v)),
            )
        }
      }
    } else carried = takeFrom(account(t.from, t.token), t.from, t.token, v)
    if (t.kind === 'gas') {
      for (const [h, x] of carried) if (!isZero(x)) addTo(result.gasBurned, h, x)
      continue
    }
    const theft = theftOf.get(t.tx)
    if (theft !== undefined) {
      if (policy === 'poison') carried.set(theft, rational(v))
      else {
        let total = ZERO
        for (const x of carried.values()) total = add(total, x)
        carried.set(theft, add(carried.get(theft) ?? ZERO, sub(rational(v), total)))
      }
    }
    if (toPlace) {
      if (fromPlace) continue
      if (toPlace === 'dex') {
        let p = dex.get(t.from)
        if (!p) {
          p = { taint: new Map(), value: 0n, token: t.token, used: false, place: t.to }
          dex.set(t.from, p)
        }
        p.value += v
        for (const [h, x] of carried) p.taint.set(h, add(p.taint.get(h) ?? ZERO, x))
        continue
      }
      for (const [h, x] of carried)
        if (!isZero(x)) addTo(result.exits, `${t.to}|${t.token}|${h}`, x)
      continue
    }
    giveTo(account(t.to, t.token), v, carried)
  }
  flushDex()

  for (const [key, a] of accounts) {
    const held = new Map<string, Rational>()
    if (isLots)
      for (const l of a.lots)
        if (l.heist !== null && !isZero(l.amount)) addTo(held, l.heist, l.amount)
    if (policy === 'poison')
      for (const h of a.poisoned) if (a.balance > 0n) held.set(h, rational(a.balance))
    if (policy === 'haircut' || policy === 'tiho')
      for (const [h, x] of a.taint) if (!isZero(x)) held.set(h, x)
    if (held.size > 0) result.holders.set(key, held)
  }
  return result

  function taintAll(a: Account, heist: string) {
    if (isLots) for (const l of a.lots) if (l.heist === null) l.heist = heist
    if (policy === 'poison' && a.balance > 0n) a.poisoned.add(heist)
    if (policy === 'haircut' || policy === 'tiho') {
      let total = ZERO
      for (const x of a.taint.values()) total = add(total, x)
      const clean = sub(rational(a.balance), total)
      if (lt(ZERO, clean)) a.taint.set(heist, add(a.taint.get(heist) ?? ZERO, clean))
    }
  }

  function takeFrom(a: Account, address: string, token: string, v: bigint): Map<string, Rational> {
    if (a.balance < v) {
      const missing = v - a.balance
      const source = activeSource.get(address)
      if (source === undefined && holdsTaint(a)) {
        result.taintedTopUps.count++
        result.taintedTopUps.byToken.set(
          token,
          (result.taintedTopUps.byToken.get(token) ?? 0n) + missing,
        )
      }
      a.balance = v
      const label = source ?? null
      if (isLots) a.lots.unshift({ heist: label, amount: rational(missing) })
      if (label !== null && policy === 'poison') a.poisoned.add(label)
      if (label !== null && (policy === 'haircut' || policy === 'tiho'))
        a.taint.set(label, add(a.taint.get(label) ?? ZERO, rational(missing)))
    }
    const b = a.balance
    a.balance -= v
    const out = new Map<string, Rational>()
    if (policy === 'poison') {
      for (const h of a.poisoned) out.set(h, rational(v))
      return out
    }
    if (policy === 'haircut') {
      for (const [h, x] of a.taint) {
        const share = div(mul(x, rational(v)), rational(b))
        out.set(h, share)
        a.taint.set(h, sub(x, share))
      }
      return out
    }
    if (policy === 'tiho') {
      let total = ZERO
      for (const x of a.taint.values()) total = add(total, x)
      if (isZero(total)) return out
      const take = lt(rational(v), total) ? rational(v) : total
      for (const [h, x] of a.taint) {
        const share = div(mul(x, take), total)
        out.set(h, share)
        a.taint.set(h, sub(x, share))
      }
      return out
    }
    let remaining = rational(v)
    while (!isZero(remaining) && a.lots.length > 0) {
      const lot = policy === 'fifo' ? a.lots[0]! : a.lots[a.lots.length - 1]!
      const take = lt(lot.amount, remaining) ? lot.amount : remaining
      if (lot.heist !== null) out.set(lot.heist, add(out.get(lot.heist) ?? ZERO, take))
      remaining = sub(remaining, take)
      lot.amount = sub(lot.amount, take)
      if (isZero(lot.amount)) policy === 'fifo' ? a.lots.shift() : a.lots.pop()
    }
    return out
  }

  function giveTo(a: Account, v: bigint, carried: Map<string, Rational>) {
    a.balance += v
    if (policy === 'poison') {
      for (const [h, x] of carried) if (!isZero(x)) a.poisoned.add(h)
      return
    }
    if (policy === 'haircut' || policy === 'tiho') {
      for (const [h, x] of carried) a.taint.set(h, add(a.taint.get(h) ?? ZERO, x))
      return
    }
    let tainted = ZERO
    for (const h of input.heists.map((x) => x.id)) {
      const x = carried.get(h)
      if (!x || isZero(x)) continue
      pushLot(a, h, x)
      tainted = add(tainted, x)
    }
    const clean = sub(rational(v), tainted)
    if (lt(ZERO, clean)) pushLot(a, null, clean)
  }

  function pushLot(a: Account, heist: string | null, amount: Rational) {
    const last = a.lots[a.lots.length - 1]
    if (last && last.heist === heist) last.amount = add(last.amount, amount)
    else a.lots.push({ heist, amount })
  }
}

/** Sorts by (block, txIndex, ordinal) and moves early DEX payouts after the last DEX input. */
function orderTransfers(transfers: RefTransfer[], places: Map<string, RefPlace>): RefTransfer[] {
  const sorted = [...transfers].sort(
    (a, b) => a.block - b.block || a.txIndex - b.txIndex || a.ordinal - b.ordinal,
  )
  const out: RefTransfer[] = []
  let i = 0
  while (i < sorted.length) {
    const group: RefTransfer[] = []
    const tx = sorted[i]!.tx
    while (i < sorted.length && sorted[i]!.tx === tx) group.push(sorted[i++]!)
    const isIn = (t: RefTransfer) =>
      t.kind === 'transfer' && places.get(t.to) === 'dex' && !places.has(t.from)
    const isOut = (t: RefTransfer) =>
      t.kind === 'transfer' && places.get(t.from) === 'dex' && !places.has(t.to)
    const lastIn = group.map(isIn).lastIndexOf(true)
    const early = group.filter((t, k) => isOut(t) && k < lastIn)
    group.forEach((t, k) => {
      if (!(isOut(t) && k < lastIn)) out.push(t)
      if (k === lastIn) out.push(...early)
    })
  }
  return out
}
