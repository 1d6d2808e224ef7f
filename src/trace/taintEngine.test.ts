import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { PLACE_BRIDGE, PLACE_DEX, PLACE_EXCHANGE, PLACE_NONE } from './Place.js'
import type { Policy } from './Policy.js'
import {
  allocateTransferColumns,
  KIND_GAS,
  KIND_TRANSFER,
  type TransferColumns,
} from './TransferColumns.js'
import {
  applyTransfers,
  createTaintState,
  evidencePath,
  exitEvidence,
  finishTaint,
  prepareTransfers,
  type TaintSetup,
  type TaintState,
  traceChunk,
} from './taintEngine.js'

// traceChunk (resolve and apply in slices, cut at transaction boundaries) must leave exactly the state that
// prepareTransfers + applyTransfers leave, whatever the chunking, for every policy: the same
// account ids, balances, taint bits, evidence log, exits, top-ups and ledger, compared
// bit for bit (FIFO/LIFO lots as well). The rows are random transactions over a small address
// set with DEX pools, an exchange and a bridge, several tokens, gas rows, theft transactions and
// an address@block source, so DEX payouts before their input, swaps paying a third party and
// multi-swap transactions all occur.

/** Addresses 0..3 are places: 0 and 1 DEX pools, 2 an exchange, 3 a bridge. */
const PLACES = [PLACE_DEX, PLACE_DEX, PLACE_EXCHANGE, PLACE_BRIDGE]
const placeOf = (a: number) => PLACES[a] ?? PLACE_NONE

type Row = { from: number; to: number; token: number; amount: number; gas: boolean }

const rowArb = (addresses: number) =>
  fc.record({
    from: fc.integer({ min: 0, max: addresses - 1 }),
    to: fc.integer({ min: 0, max: addresses - 1 }),
    token: fc.integer({ min: 0, max: 3 }),
    amount: fc.oneof(
      fc.integer({ min: 1, max: 1000 }).map((x) => x * 1e15),
      fc.double({ min: 1, max: 1e21, noNaN: true }),
      fc.constant(0),
    ),
    gas: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
  })

/** Transactions of 1..6 rows, as time-ordered columns (block = tx / 3). */
function toColumns(txs: Row[][]): TransferColumns {
  const n = txs.reduce((s, t) => s + t.length, 0)
  const c = allocateTransferColumns(n)
  let i = 0
  txs.forEach((rows, tx) => {
    for (const r of rows) {
      c.block[i] = Math.floor(tx / 3)
      c.txId[i] = tx
      c.from[i] = r.from
      c.to[i] = r.to
      c.token[i] = r.gas ? 0 : r.token
      c.amount[i] = r.amount
      c.kind[i] = r.gas ? KIND_GAS : KIND_TRANSFER
      i++
    }
  })
  return c
}

function slice(c: TransferColumns, start: number, end: number): TransferColumns {
  return {
    length: end - start,
    block: c.block.slice(start, end),
    txId: c.txId.slice(start, end),
    from: c.from.slice(start, end),
    to: c.to.slice(start, end),
    token: c.token.slice(start, end),
    amount: c.amount.slice(start, end),
    kind: c.kind.slice(start, end),
  }
}

/** Cuts columns at the given rows, moved forward to transaction boundaries. */
function chunksAt(c: TransferColumns, cuts: number[]): TransferColumns[] {
  const bounds = [0]
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    let k = Math.min(cut, c.length)
    while (k > 0 && k < c.length && c.txId[k] === c.txId[k - 1]) k++
    if (k > bounds[bounds.length - 1]!) bounds.push(k)
  }
  if (bounds[bounds.length - 1]! < c.length) bounds.push(c.length)
  const out: TransferColumns[] = []
  for (let b = 1; b < bounds.length; b++) out.push(slice(c, bounds[b - 1]!, bounds[b]!))
  return out
}

function setupFor(policy: Policy, addresses: number, direct: boolean): TaintSetup {
  return {
    policy,
    heistCount: 2,
    theftTx: new Map([
      [0, 0],
      [1, 1],
      [7, 0],
    ]),
    sources: [{ address: 5, heist: 1, block: 2 }],
    placeOf,
    addressCount: direct ? addresses : undefined,
  }
}

function run(
  setup: TaintSetup,
  chunks: TransferColumns[],
  mode: 'prepared' | 'traceChunk',
  sliceRows?: number,
): TaintState {
  const state = createTaintState(setup, 16)
  for (const chunk of chunks)
    if (mode === 'prepared') applyTransfers(state, chunk, prepareTransfers(state, chunk))
    else traceChunk(state, chunk, sliceRows)
  finishTaint(state)
  return state
}

/** Everything a report can see of a state, as plain data (floats as exact bit patterns). */
function snapshot(state: TaintState) {
  const n = state.accountCount
  const S = state.K + 2
  const f64 = (a: ArrayLike<number>, len: number) =>
    Array.from(new BigUint64Array(Float64Array.from({ length: len }, (_, i) => a[i]!).buffer))
  return {
    accountCount: n,
    address: Array.from(state.accountAddress.subarray(0, n)),
    token: Array.from(state.accountToken.subarray(0, n)),
    balance: f64(state.balance, n),
    taint: f64(state.taint, n * S),
    tainted: Array.from({ length: n }, (_, a) => (state.taintedBits[a >>> 5]! >>> (a & 31)) & 1),
    lots: state.lots.map((l) =>
      l === undefined ? null : { labels: l.labels.slice(l.head), amounts: l.amounts.slice(l.head) },
    ),
    evidence: Array.from({ length: n }, (_, a) => evidencePath(state, a)),
    exits: state.exits.map((e) => ({
      ...e,
      amounts: f64(e.amounts, state.K),
      path: exitEvidence(state, e),
    })),
    topUps: {
      count: state.topUps.count,
      tainted: state.topUps.taintedCount,
      byToken: f64(state.topUps.byToken, 4),
      taintedByToken: f64(state.topUps.taintedByToken, 4),
    },
    ledger: [...state.ledger].map(([token, l]) => ({
      token,
      introduced: f64(l.introduced, state.K),
      exited: f64(l.exited, state.K),
      burned: f64(l.burned, state.K),
      convertedIn: f64(l.convertedIn, state.K),
      convertedOut: f64(l.convertedOut, state.K),
    })),
  }
}

const POLICIES: Policy[] = ['haircut', 'tiho', 'poison', 'fifo', 'lifo']

describe('traceChunk == prepareTransfers + applyTransfers', () => {
  test('random transactions, every policy, any chunking, dictionary or growing addresses', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 6, max: 40 }).chain((addresses) =>
          fc.record({
            addresses: fc.constant(addresses),
            txs: fc.array(fc.array(rowArb(addresses), { minLength: 1, maxLength: 6 }), {
              minLength: 1,
              maxLength: 80,
            }),
            cuts: fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 5 }),
            sliceRows: fc.integer({ min: 1, max: 64 }),
            direct: fc.boolean(),
          }),
        ),
        ({ addresses, txs, cuts, sliceRows, direct }) => {
          const columns = toColumns(txs)
          for (const policy of POLICIES) {
            const setup = setupFor(policy, addresses, direct)
            const whole = snapshot(run(setup, [columns], 'prepared'))
            expect(snapshot(run(setup, [columns], 'traceChunk'))).toEqual(whole)
            const chunks = chunksAt(columns, cuts)
            expect(snapshot(run(setup, chunks, 'traceChunk'))).toEqual(whole)
            expect(snapshot(run(setup, chunks, 'traceChunk', sliceRows))).toEqual(whole)
            expect(snapshot(run(setup, chunks, 'prepared'))).toEqual(whole)
          }
        },
      ),
      { numRuns: 150 },
    )
  })

  test('a transaction with two swaps through one pool is visited in DEX order in any chunking', () => {
    // tx 0: theft of 100 ETH to 10. tx 1: 10 sells 40 ETH to pool 0, which pays 7 token-1 units;
    // 11 pays 10 1,000 clean ETH; 10 sells 60 ETH more, the pool pays 5 units. The first payout
    // precedes the last input, so both payouts are visited after it (as the reference does) and
    // convert the pooled input: 12 units carrying (40 + 60 * 60/1060) / 100 of taint each. Before,
    // that order held only when another transaction of the same chunk (here tx 2, paid by pool
    // 0 before paying pool 1) had a payout before its first input.
    const rows: Row[][] = [
      [{ from: 9, to: 10, token: 0, amount: 100, gas: false }],
      [
        { from: 10, to: 0, token: 0, amount: 40, gas: false },
        { from: 0, to: 10, token: 1, amount: 7, gas: false },
        { from: 11, to: 10, token: 0, amount: 1000, gas: false },
        { from: 10, to: 0, token: 0, amount: 60, gas: false },
        { from: 0, to: 10, token: 1, amount: 5, gas: false },
      ],
      [
        { from: 0, to: 12, token: 2, amount: 3, gas: false },
        { from: 12, to: 1, token: 0, amount: 1, gas: false },
      ],
    ]
    const columns = toColumns(rows)
    const setup: TaintSetup = {
      ...setupFor('haircut', 20, true),
      theftTx: new Map([[0, 0]]),
      sources: [],
    }
    const expected = (12 * (40 + (60 * 60) / 1060)) / 100
    const S = 4
    for (const chunks of [[columns], chunksAt(columns, [6])])
      for (const mode of ['prepared', 'traceChunk'] as const) {
        const state = run(setup, chunks, mode)
        const acc = Array.from(state.accountToken.subarray(0, state.accountCount)).findIndex(
          (t, a) => t === 1 && state.accountAddress[a] === 10,
        )
        expect(state.taint[acc * S]).toBeCloseTo(expected, 9)
      }
  })

  test('busy tokens switch to dense account tables without changing any account id', () => {
    // 3,000 token rows over 200 addresses: past the promotion threshold for every token.
    const txs: Row[][] = []
    let seed = 1
    const rand = (k: number) => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0
      return seed % k
    }
    for (let t = 0; t < 3000; t++)
      txs.push([
        {
          from: 4 + rand(196),
          to: 4 + rand(196),
          token: 1 + rand(3),
          amount: 1 + rand(1000),
          gas: false,
        },
      ])
    const columns = toColumns(txs)
    const setup = setupFor('haircut', 200, true)
    const state = createTaintState(setup, 16)
    const prepared = prepareTransfers(state, columns)
    expect(state.tokenDense.filter((d) => d !== undefined).length).toBe(3)
    const seen = new Map<string, number>()
    for (let i = 0; i < columns.length; i++)
      for (const [address, acc] of [
        [columns.from[i]!, prepared.fromAccount[i]!],
        [columns.to[i]!, prepared.toAccount[i]!],
      ] as const) {
        expect(state.accountAddress[acc]).toBe(address)
        expect(state.accountToken[acc]).toBe(columns.token[i])
        const key = `${address}|${columns.token[i]}`
        expect(seen.get(key) ?? acc).toBe(acc)
        seen.set(key, acc)
      }
    // Ids in first-seen order: 200 ETH accounts, then one per (address, token) pair.
    expect(state.accountCount).toBe(200 + seen.size)
    expect(snapshot(run(setup, [columns], 'traceChunk'))).toEqual(
      snapshot(run(setup, [columns], 'prepared')),
    )
  })
})
