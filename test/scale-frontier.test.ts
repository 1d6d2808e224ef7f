/**
 * The tainted-frontier scan on the two-shard ClickHouse cluster: window by window it reads only
 * transfers sent by reached addresses, and reaches exactly the addresses (and transfers) that a
 * walk over the whole dataset in memory reaches.
 */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createClickHouseTransferStore } from '../src/store/clickhouse/createClickHouseTransferStore.js'
import { scanClickHouseFrontier } from '../src/store/clickhouse/scanClickHouseFrontier.js'
import type { TransferStore } from '../src/store/TransferStore.js'
import { generateInMemory } from '../src/trace/generate/generateInMemory.js'
import { KIND_RANK, type TransferRecord } from '../src/trace/TransferRecord.js'
import { servicesEnv } from './services.js'

const data = generateInMemory({ transfers: 6000, heists: 2, seed: 23 })
const records = data.records.filter((r) => r.kind !== 'gas')
let url = ''
let store: TransferStore

beforeAll(async () => {
  const env = await servicesEnv()
  const hosts = env.HEISTGUARD_TEST_CH_URLS.split(',').map((u) => u.replace('http://', ''))
  url = `clickhouse://${hosts.join(',')}/frontier_${process.pid}?cluster=${env.HEISTGUARD_TEST_CH_CLUSTER}`
  store = await createClickHouseTransferStore(url)
  await store.importRecords({ transfers: records, transactions: [] })
})

afterAll(async () => {
  await store?.close()
  const env = await servicesEnv()
  for (const shard of env.HEISTGUARD_TEST_CH_URLS.split(','))
    await fetch(`${shard}/`, {
      method: 'POST',
      body: `DROP DATABASE IF EXISTS frontier_${process.pid}`,
    })
})

/** The same reachability over every record in memory, in time order. */
function reachInMemory(seeds: { address: string; block: number }[], stopAt: Set<string>) {
  const tainted = new Map<string, number>()
  for (const s of seeds)
    tainted.set(s.address, Math.min(s.block, tainted.get(s.address) ?? Infinity))
  const moved: TransferRecord[] = []
  const sorted = [...records].sort(
    (a, b) =>
      a.block - b.block ||
      a.txIndex - b.txIndex ||
      KIND_RANK[a.kind] - KIND_RANK[b.kind] ||
      a.ordinal - b.ordinal,
  )
  for (const r of sorted) {
    const since = tainted.get(r.from)
    if (since === undefined || since > r.block || stopAt.has(r.from) || r.amount === 0n) continue
    moved.push(r)
    if (!stopAt.has(r.to) && !tainted.has(r.to)) tainted.set(r.to, r.block)
  }
  return { tainted, moved }
}

test('frontier scan reaches what a full in-memory walk reaches, reading a fraction of the rows', async () => {
  // Seeds: the recipients of each heist's theft transactions, from the theft block on.
  const thefts = new Set(data.heists.flatMap((h) => h.thefts.map((t) => t.toLowerCase())))
  const seeds = records
    .filter((r) => thefts.has(r.txHash.toLowerCase()))
    .map((r) => ({ address: r.to, block: r.block }))
  expect(seeds.length).toBeGreaterThan(0)
  const stopAt = new Set(data.places.keys())
  const expected = reachInMemory(seeds, stopAt)

  const blocks = records.map((r) => r.block)
  const span = Math.max(...blocks) - Math.min(...blocks)
  const windows = []
  for await (const w of scanClickHouseFrontier(url, {
    seeds,
    stopAt,
    windowBlocks: Math.max(1, Math.floor(span / 12)),
  }))
    windows.push(w)
  expect(windows.length).toBeGreaterThan(5)
  const moved = windows.flatMap((w) => w.records)
  const key = (r: TransferRecord) => `${r.txHash}/${r.kind}/${r.ordinal}`
  expect(moved.map(key)).toEqual(expected.moved.map(key))
  expect(windows.at(-1)!.frontier).toBe(expected.tainted.size)
  // Windows come in time order, and their rows are time-ordered too.
  for (let i = 1; i < moved.length; i++) expect(moved[i]!.block >= moved[i - 1]!.block).toBe(true)
  const read = windows.reduce((a, w) => a + w.rowsRead, 0)
  expect(read).toBeLessThan(records.length / 2)
  console.info(
    `frontier scan: ${windows.length} windows, ${read} of ${records.length} rows read, ${moved.length} taint-moving transfers, ${expected.tainted.size} addresses reached`,
  )
})

test('rows are spread over both shards, and the Distributed table sees them all', async () => {
  const env = await servicesEnv()
  const shards = env.HEISTGUARD_TEST_CH_URLS.split(',')
  const count = async (shard: string, table: string) =>
    Number(
      await (
        await fetch(`${shard}/`, {
          method: 'POST',
          body: `SELECT count() FROM frontier_${process.pid}.${table} FINAL`,
        })
      ).text(),
    )
  const local = await Promise.all(shards.map((s) => count(s, 'transfers_local')))
  expect(local.every((n) => n > records.length / 4)).toBe(true)
  expect(local[0]! + local[1]!).toBe(records.length)
  expect(await count(shards[1]!, 'transfers')).toBe(records.length)
})
