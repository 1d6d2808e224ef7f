import { describe, expect, test } from 'vitest'
import { createLabelSet } from '../src/labels/LabelSet.js'
import { columnsFromRecords } from '../src/trace/columnsFromRecords.js'
import { generateInMemory } from '../src/trace/generate/generateInMemory.js'
import { resolveTaintSetup } from '../src/trace/resolveTaintSetup.js'
import { summarizeTaint } from '../src/trace/summarizeTaint.js'
import type { TransferRecord } from '../src/trace/TransferRecord.js'
import { runTaint } from '../src/trace/taintEngine.js'
import { applyBlock, createTaintTracker } from '../src/trace/taintTracker.js'

const USDT = '0xdac17f958d2ee523a2206206994597c13d831ec7'
const a = (n: number) => `0x${n.toString(16).padStart(40, '0')}`
const tx = (n: number) => `0x${n.toString(16).padStart(64, '0')}`
const t = (
  block: number,
  txn: number,
  from: string,
  to: string,
  amount: bigint,
  token = 'ETH',
  ordinal = 0,
): TransferRecord => ({
  chainId: 1,
  block,
  txIndex: 0,
  txHash: tx(txn),
  kind: token === 'ETH' ? 'native' : 'log',
  ordinal,
  from,
  to,
  token,
  amount,
})

describe('createTaintTracker / applyBlock', () => {
  const labels = createLabelSet([
    { address: a(0xe1), category: 'exchange', name: 'Exchange One', source: 'test' },
    { address: a(0xd1), category: 'dex', name: 'ETH/USDT pool', source: 'test' },
    { address: USDT, category: 'freezable-token', name: 'Tether', source: 'test' },
  ])
  test('alerts in the block where taint reaches an exchange deposit and a freezable token', () => {
    const tracker = createTaintTracker({
      policy: 'haircut',
      heists: [{ id: 'h1', thefts: [tx(1)], sources: [] }],
      labels,
    })
    // Block 1: theft of 100 ETH (victim 0x01 -> attacker 0x02). No freezable point yet.
    expect(applyBlock(tracker, [t(1, 1, a(1), a(2), 100n)])).toEqual([])
    // Block 2: attacker swaps 40 ETH for 120,000 USDT at the pool; the USDT is tainted.
    const swap = applyBlock(tracker, [
      t(2, 2, a(2), a(0xd1), 40n),
      t(2, 2, a(0xd1), a(2), 120_000n, USDT, 5),
    ])
    expect(swap).toEqual([
      {
        kind: 'freezable-token',
        block: 2,
        tx: tx(2),
        issuer: 'Tether',
        token: USDT,
        holder: a(2),
        tainted: { h1: '120000' },
        evidence: [tx(1), tx(2)],
      },
    ])
    // Block 3: attacker -> deposit address 0xdd (half of what is left), deposit -> exchange.
    const deposit = applyBlock(tracker, [
      t(3, 3, a(2), a(0xdd), 30n),
      t(3, 4, a(0xdd), a(0xe1), 30n),
    ])
    expect(deposit).toEqual([
      {
        kind: 'exchange-deposit',
        block: 3,
        tx: tx(4),
        exchange: 'Exchange One',
        exchangeAddress: a(0xe1),
        depositAddress: a(0xdd),
        token: 'ETH',
        tainted: { h1: '30' },
        evidence: [tx(1), tx(3), tx(4)],
      },
    ])
  })

  test('block by block equals the batch engine on a generated dataset', () => {
    const data = generateInMemory({ transfers: 3000, heists: 2, seed: 3 })
    const byBlock = new Map<number, TransferRecord[]>()
    for (const r of data.records) byBlock.set(r.block, [...(byBlock.get(r.block) ?? []), r])
    const tracker = createTaintTracker({
      policy: 'fifo',
      heists: data.heists,
      labels: createLabelSet(
        data.scenario.labels.map((l) => ({ ...l, category: l.category as 'dex', source: 'gen' })),
      ),
    })
    let alerts = 0
    for (const block of [...byBlock.keys()].sort((x, y) => x - y))
      alerts += applyBlock(tracker, byBlock.get(block)!).length
    const { columns, dictionary } = columnsFromRecords(data.records)
    const batch = runTaint(
      columns,
      resolveTaintSetup({ policy: 'fifo', heists: data.heists, places: data.places }, dictionary),
    )
    const ids = data.heists.map((h) => h.id)
    const live = summarizeTaint(tracker.state, tracker.interner.dictionary, ids)
    const whole = summarizeTaint(batch, dictionary, ids)
    expect(live.holders).toEqual(whole.holders)
    expect(live.exits).toEqual(whole.exits)
    expect(alerts).toBeGreaterThan(0)
  })

  test('continues from earlier holdings', () => {
    const tracker = createTaintTracker({
      policy: 'haircut',
      heists: [{ id: 'h1', thefts: [], sources: [] }],
      labels,
      holdings: [{ address: a(7), token: 'ETH', balance: '200', tainted: { h1: '50' } }],
    })
    const alerts = applyBlock(tracker, [t(9, 9, a(7), a(0xe1), 100n)])
    expect(alerts).toMatchObject([
      { kind: 'exchange-deposit', depositAddress: a(7), tainted: { h1: '25' } },
    ])
  })
})
