import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { compareWithTruth } from '../trace/generate/compareWithTruth.js'
import {
  generateInMemory,
  type InMemoryDataset,
  transactionRecordOf,
} from '../trace/generate/generateInMemory.js'
import { computeGroundTruth } from '../trace/generate/groundTruth.js'
import { writeDataset } from '../trace/generate/writeDataset.js'
import { detectImportFiles } from '../trace/ingest/detectImportFiles.js'
import { resolveTaintSetup } from '../trace/resolveTaintSetup.js'
import { summarizeTaint } from '../trace/summarizeTaint.js'
import { concatTransferColumns, type TransferColumns } from '../trace/TransferColumns.js'
import { runTaint } from '../trace/taintEngine.js'
import type { ImportBatch, TransferScan, TransferStore } from './TransferStore.js'

/**
 * The behaviour every TransferStore backend must have. A backend's test file calls it with a
 * factory that returns a fresh, empty store. The same generated data goes through both import
 * paths (parsed records, ethereum-etl/cryo files), and the taint engine run over the store's
 * scan must reproduce the generator's ground truth.
 *
 * @example
 * transferStoreSuite('duckdb', () => createDuckDbTransferStore(':memory:'))
 */
export function transferStoreSuite(name: string, makeStore: () => Promise<TransferStore>): void {
  describe(`TransferStore contract: ${name}`, () => {
    const params = { transfers: 2000, heists: 2, seed: 7 }
    let data: InMemoryDataset
    let dir: string
    let store: TransferStore
    beforeAll(async () => {
      data = generateInMemory(params)
      dir = mkdtempSync(join(tmpdir(), 'hg-suite-'))
      await writeDataset(params, dir)
    })
    beforeEach(async () => {
      store = await makeStore()
    })
    afterEach(async () => {
      await store.close()
    })

    test('importRecords is idempotent and the scan reproduces the ground truth', async () => {
      const batch = batchOf(data)
      const first = await store.importRecords(batch)
      expect(first).toEqual({
        transfers: batch.transfers.length,
        transactions: batch.transactions.length,
        receipts: batch.transactions.length,
        memos: batch.memos!.length,
      })
      expect(await store.importRecords(batch)).toEqual({
        transfers: 0,
        transactions: 0,
        receipts: 0,
        memos: 0,
      })
      // A batch overlapping the stored data adds only what is new.
      const half = Math.floor(batch.transfers.length / 2)
      expect(
        (await store.importRecords({ transfers: batch.transfers.slice(half), transactions: [] }))
          .transfers,
      ).toBe(0)
      const counts = await store.counts()
      expect(counts).toMatchObject({
        transfers: batch.transfers.length,
        transactions: batch.transactions.length,
        receipts: batch.transactions.length,
        taintRuns: 0,
        minBlock: Math.min(...batch.transfers.map((t) => t.block)),
        maxBlock: Math.max(...batch.transfers.map((t) => t.block)),
      })
      await expectGroundTruth(store, data, 700)
    })

    test('importFiles (ethereum-etl and cryo) is idempotent and reproduces the ground truth', async () => {
      for (const format of ['ethereum-etl', 'cryo'] as const) {
        const s = format === 'ethereum-etl' ? store : await makeStore()
        try {
          const files = detectImportFiles([dir]).filter((f) => f.format === format)
          const lines: string[] = []
          const first = await s.importFiles(files, { onProgress: (l) => lines.push(l) })
          expect(first.transfers, format).toBeGreaterThan(1000)
          expect(lines.length, format).toBeGreaterThan(0)
          expect(await s.importFiles(files), format).toEqual({
            transfers: 0,
            transactions: 0,
            receipts: 0,
            memos: 0,
          })
          await expectGroundTruth(s, data, 1000)
        } finally {
          if (s !== store) await s.close()
        }
      }
    })

    test('a bad row is a file:line input error and leaves the store empty', async () => {
      const bad = mkdtempSync(join(tmpdir(), 'hg-suite-bad-'))
      const header =
        'token_address,from_address,to_address,value,transaction_hash,log_index,block_number'
      const good = `0xdac17f958d2ee523a2206206994597c13d831ec7,0x${'1'.repeat(40)},0x${'2'.repeat(40)},1000,0x${'a'.repeat(64)},0,100`
      const path = join(bad, 'token_transfers.csv')
      writeFileSync(
        path,
        `${header}\n${good}\n0xdac17f958d2ee523a2206206994597c13d831ec7,0x1234,0x${'2'.repeat(40)},5,0x${'b'.repeat(64)},1,101\n`,
      )
      await expect(
        store.importFiles([{ path, format: 'ethereum-etl', dataset: 'token_transfers' }]),
      ).rejects.toThrow(/token_transfers\.csv:3: from_address is not an address$/)
      expect((await store.counts()).transfers).toBe(0)
    })

    test('an empty store refuses to scan', async () => {
      await expect(store.scanTransfers()).rejects.toThrow(/the transfer store is empty/)
    })

    test('findTransactions and findMemos', async () => {
      const batch = batchOf(data)
      await store.importRecords(batch)
      const tx = batch.transactions[3]!
      const withMemo = batch.memos![0]!
      const found = await store.findTransactions([
        tx.hash.toUpperCase().replace('0X', '0x'),
        `0x${'0'.repeat(64)}`,
      ])
      expect(found).toEqual([tx])
      const memos = await store.findMemos([withMemo.txHash, tx.hash])
      expect(memos.get(withMemo.txHash)).toBe(withMemo.memo)
      expect(memos.has(tx.hash) === batch.memos!.some((m) => m.txHash === tx.hash)).toBe(true)
      // A transaction known only from its transfers is still found, with value 0.
      const orphan = {
        ...batch.transfers[0]!,
        txHash: `0x${'e'.repeat(64)}`,
        ordinal: 1,
        kind: 'log' as const,
      }
      await store.importRecords({ transfers: [orphan], transactions: [] })
      expect(await store.findTransactions([orphan.txHash])).toEqual([
        {
          chainId: orphan.chainId,
          hash: orphan.txHash,
          block: orphan.block,
          txIndex: orphan.txIndex,
          from: orphan.from,
          to: orphan.to,
          value: 0n,
        },
      ])
      expect(await store.findTransactions([])).toEqual([])
    })

    test('taint results: save, replace, read back', async () => {
      const run = {
        runId: 'case-1',
        policy: 'haircut',
        heists: ['bybit'],
        holdings: [
          { address: '0xbb', token: 'ETH', heist: 'bybit', amount: '5', balance: '10' },
          { address: '0xaa', token: 'ETH', heist: 'bybit', amount: '1', balance: '1' },
        ],
        report: '{"x":"it\'s \\\\ a\\ttab"}',
      }
      expect(await store.readTaintResults('case-1')).toBeUndefined()
      await store.saveTaintResults(run)
      expect(await store.readTaintResults('case-1')).toEqual({
        ...run,
        holdings: [run.holdings[1], run.holdings[0]],
      })
      const replaced = { ...run, holdings: [run.holdings[0]!], report: undefined }
      await store.saveTaintResults(replaced)
      const { report: _, ...withoutReport } = replaced
      expect(await store.readTaintResults('case-1')).toEqual(withoutReport)
      expect((await store.counts()).taintRuns).toBe(1)
    })
  })
}

/** The dataset as parsed records: transfers (gas is derived from receipts), transactions, memos. */
function batchOf(data: InMemoryDataset): ImportBatch {
  return {
    transfers: data.records.filter((r) => r.kind !== 'gas'),
    transactions: data.txs.map(transactionRecordOf),
    memos: data.txs
      .filter((t) => t.memo !== undefined)
      .map((t) => ({
        chainId: t.records[0]?.chainId ?? 1,
        txHash: t.hash,
        logIndex: 0,
        memo: t.memo!,
      })),
    source: 'suite',
  }
}

async function readAll(scan: TransferScan): Promise<{ columns: TransferColumns; sizes: number[] }> {
  const chunks: TransferColumns[] = []
  for await (const chunk of scan.chunks) chunks.push(chunk)
  return { columns: concatTransferColumns(chunks), sizes: chunks.map((c) => c.length) }
}

async function expectGroundTruth(
  store: TransferStore,
  data: InMemoryDataset,
  chunkRows: number,
): Promise<void> {
  const scan = await store.scanTransfers({ chunkRows })
  const { columns, sizes } = await readAll(scan)
  expect(columns.length).toBe(scan.rows)
  expect(sizes.slice(0, -1).every((n) => n === chunkRows)).toBe(true)
  // Time order, and the rows of one transaction are contiguous.
  const seen = new Set<number>()
  for (let i = 1; i < columns.length; i++) {
    expect(columns.block[i]! >= columns.block[i - 1]!).toBe(true)
    if (columns.txId[i] !== columns.txId[i - 1]) {
      expect(seen.has(columns.txId[i]!)).toBe(false)
      seen.add(columns.txId[i - 1]!)
    }
  }
  expect(scan.dictionary.tokens[0]).toBe('ETH')
  for (const policy of ['haircut', 'fifo', 'poison'] as const) {
    const truth = computeGroundTruth(data.scenario, data.heistRecords, policy)
    const state = runTaint(
      columns,
      resolveTaintSetup({ policy, heists: data.heists, places: data.places }, scan.dictionary),
    )
    const summary = summarizeTaint(
      state,
      scan.dictionary,
      data.heists.map((h) => h.id),
    )
    expect(compareWithTruth(summary, truth), policy).toEqual([])
  }
}
