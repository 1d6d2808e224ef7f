/**
 * The ClickHouse bulk path (DuckDB -> CSV pipe -> shard tables): which write path each table
 * takes, exact new-row counts on overlap, and text that CSV must quote (commas, quotes,
 * newlines, backslashes, `\N`) read back unchanged.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  type ClickHouseShard,
  openClickHouseShard,
} from '../src/store/clickhouse/clickhouseShard.js'
import { copyDuckDbToShards, duckDbShardExpr } from '../src/store/clickhouse/copyDuckDbToShards.js'
import { createClickHouseTransferStore } from '../src/store/clickhouse/createClickHouseTransferStore.js'
import { shardOf } from '../src/store/clickhouse/parseClickHouseUrl.js'
import { createDuckDbTransferStore } from '../src/store/duckdb/createDuckDbTransferStore.js'
import type { ImportBatch, TransferStore } from '../src/store/TransferStore.js'
import { servicesEnv } from './services.js'

const db = `chimport_${process.pid}_${Date.now().toString(36)}`
const dir = mkdtempSync(join(tmpdir(), 'hg-test-ch-import-'))
let shards: ClickHouseShard[] = []
let store: TransferStore
let urls: string[] = []

const MEMOS = [
  'SWAP:BTC.BTC:bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh',
  'a,b "quoted" c',
  'line one\nline two\r\n',
  'back\\slash\ttab',
  '\\N',
  '',
  '"',
]

const hashOf = (i: number) => `0x${i.toString(16).padStart(8, '0')}${'ab'.repeat(28)}`
const addr = (i: number) => `0x${i.toString(16).padStart(40, '0')}`

/** One ETH transfer per transaction, blocks `from`..`to`, every third with a memo. */
function batch(from: number, to: number): ImportBatch {
  const blocks = Array.from({ length: to - from + 1 }, (_, k) => from + k)
  return {
    transfers: blocks.map((b) => ({
      chainId: 1,
      block: b,
      txIndex: 0,
      txHash: hashOf(b),
      kind: 'native' as const,
      ordinal: 0,
      from: addr(1),
      to: addr(b),
      token: 'ETH',
      amount: 10n ** 18n + BigInt(b),
    })),
    transactions: blocks.map((b) => ({
      chainId: 1,
      hash: hashOf(b),
      block: b,
      txIndex: 0,
      from: addr(1),
      to: addr(b),
      value: 10n ** 18n + BigInt(b),
      gasPrice: 30_000_000_000n,
      gasUsed: 21_000n,
      effectiveGasPrice: 30_000_000_000n,
      status: 1,
    })),
    memos: blocks
      .filter((b) => b % 3 === 0)
      .map((b) => ({ chainId: 1, txHash: hashOf(b), logIndex: 1, memo: MEMOS[b % MEMOS.length]! })),
    source: 'test',
  }
}

/** A validated DuckDB staging file holding `batch(from, to)`, as importFiles produces. */
async function duckFile(name: string, from: number, to: number): Promise<string> {
  const path = join(dir, `${name}.duckdb`)
  const duck = await createDuckDbTransferStore(path)
  await duck.importRecords(batch(from, to))
  await duck.close()
  return path
}

const pathsOf = (report: Awaited<ReturnType<typeof copyDuckDbToShards>>['report']) =>
  Object.fromEntries(
    Object.entries(report).map(([table, writes]) => [
      table,
      [...new Set(writes.map((w) => w.path).filter((p) => p !== 'none'))].sort(),
    ]),
  )

beforeAll(async () => {
  const env = await servicesEnv()
  urls = env.HEISTGUARD_TEST_CH_URLS.split(',')
  store = await createClickHouseTransferStore(
    `clickhouse://${urls.map((u) => u.replace(/^http:\/\//, '')).join(',')}/${db}?cluster=${env.HEISTGUARD_TEST_CH_CLUSTER}`,
  )
  shards = urls.map((u, i) => openClickHouseShard(i, u, { username: 'default', password: '' }))
})

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  await store?.close()
  for (const s of shards) {
    await s.exec(`DROP DATABASE IF EXISTS ${db}`)
    await s.close()
  }
})

describe('copyDuckDbToShards', () => {
  test('new blocks go straight in, repeats and overlaps through the staged anti-join, counts exact', async () => {
    // 1. Empty store: every table of every shard takes the direct path.
    const a = await copyDuckDbToShards(await duckFile('a', 100, 159), shards, db)
    expect(a.added).toEqual({ transfers: 60, transactions: 60, receipts: 60, memos: 20 })
    expect(pathsOf(a.report)).toEqual({
      transactions: ['direct'],
      receipts: ['direct'],
      memos: ['direct'],
      transfers: ['direct'],
    })
    for (const write of a.report.transfers) expect(write.path).toBe('direct')

    // 2. The same data again: the pre-check sees stored rows, the anti-join adds nothing.
    const again = await copyDuckDbToShards(await duckFile('a2', 100, 159), shards, db)
    expect(again.added).toEqual({ transfers: 0, transactions: 0, receipts: 0, memos: 0 })
    expect(pathsOf(again.report).transfers).toEqual(['staged-merge'])

    // 3. Half overlapping: only the 30 new blocks are added.
    const b = await copyDuckDbToShards(await duckFile('b', 130, 189), shards, db)
    expect(b.added).toEqual({ transfers: 30, transactions: 30, receipts: 30, memos: 10 })

    // 4. New blocks in a non-empty store: transfers and transactions are proven new by their
    //    block range; receipts and memos by one lookup of the staged hashes.
    const c = await copyDuckDbToShards(await duckFile('c', 1000, 1029), shards, db)
    expect(c.added).toEqual({ transfers: 30, transactions: 30, receipts: 30, memos: 10 })
    expect(pathsOf(c.report)).toEqual({
      transactions: ['direct'],
      receipts: ['staged-new'],
      memos: ['staged-new'],
      transfers: ['direct'],
    })

    // Reads through the store are exact: 120 distinct blocks, nothing twice.
    const counts = await store.counts()
    expect(counts).toMatchObject({ transfers: 120, transactions: 120, receipts: 120 })
    expect([counts.minBlock, counts.maxBlock]).toEqual([100, 1029])
    const raw = await Promise.all(
      shards.map((s) => s.rows(`SELECT count() AS n FROM ${db}.transfers_local`)),
    )
    expect(raw.reduce((sum, r) => sum + Number(r[0]!.n), 0)).toBe(120)

    // Text that CSV must quote reads back byte for byte; amounts keep all 19+ digits.
    const memoBlocks = Array.from({ length: 30 }, (_, k) => 102 + 3 * k).filter((b) => b < 190)
    const memos = await store.findMemos(memoBlocks.map(hashOf))
    for (const blk of memoBlocks) expect(memos.get(hashOf(blk))).toBe(MEMOS[blk % MEMOS.length])
    const [tx] = await store.findTransactions([hashOf(1005)])
    expect(tx).toMatchObject({ block: 1005, value: 10n ** 18n + 1005n, gasUsed: 21_000n })
  })
})

describe('duckDbShardExpr', () => {
  test('DuckDB routes every hash to the shard shardOf names (any hash, 1-16 shards)', async () => {
    const instance = await DuckDBInstance.create(':memory:')
    const conn = await instance.connect()
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), {
            minLength: 1,
            maxLength: 50,
          }),
          fc.integer({ min: 1, max: 16 }),
          async (hashes, shards) => {
            const hex = hashes.map((h) => `0x${Buffer.from(h).toString('hex')}`)
            const values = hex.map((h) => `('${h}')`).join(',')
            const reader = await conn.runAndReadAll(
              `SELECT tx_hash, ${duckDbShardExpr(shards)} FROM (VALUES ${values}) t(tx_hash)`,
            )
            for (const [hash, shard] of reader.getRows())
              expect(Number(shard)).toBe(shardOf(String(hash), shards))
          },
        ),
        { numRuns: 100 },
      )
    } finally {
      conn.closeSync()
      instance.closeSync()
    }
  })
})
