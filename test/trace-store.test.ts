import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { InputError } from '../src/core/BaseError.js'
import { createDuckDbTransferStore } from '../src/store/duckdb/createDuckDbTransferStore.js'
import { compareWithTruth } from '../src/trace/generate/compareWithTruth.js'
import { generateInMemory } from '../src/trace/generate/generateInMemory.js'
import { computeGroundTruth } from '../src/trace/generate/groundTruth.js'
import { writeDataset } from '../src/trace/generate/writeDataset.js'
import { detectImportFiles } from '../src/trace/ingest/detectImportFiles.js'
import { resolveTaintSetup } from '../src/trace/resolveTaintSetup.js'
import { summarizeTaint } from '../src/trace/summarizeTaint.js'
import { concatTransferColumns, type TransferColumns } from '../src/trace/TransferColumns.js'
import { runTaint } from '../src/trace/taintEngine.js'

describe('generate -> import -> scan -> trace', () => {
  test('ethereum-etl CSV and cryo Parquet both give the ground truth', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-trace-'))
    const params = { transfers: 3000, heists: 3, seed: 11 }
    await writeDataset(params, dir)
    const data = generateInMemory(params)
    for (const format of ['ethereum-etl', 'cryo'] as const) {
      const store = await createDuckDbTransferStore(':memory:')
      const files = detectImportFiles([dir]).filter((f) => f.format === format)
      const first = await store.importFiles(files)
      expect(first.transfers).toBeGreaterThan(1000)
      const again = await store.importFiles(files)
      expect(again).toEqual({ transfers: 0, transactions: 0, receipts: 0, memos: 0 })
      const scan = await store.scanTransfers({ chunkRows: 1000 })
      const chunks: TransferColumns[] = []
      for await (const c of scan.chunks) chunks.push(c)
      const columns = concatTransferColumns(chunks)
      for (const policy of ['haircut', 'fifo'] as const) {
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
        expect(compareWithTruth(summary, truth), `${format} ${policy}`).toEqual([])
      }
      await store.close()
    }
  })
})

describe('bad input leaves the store unchanged', () => {
  const header =
    'token_address,from_address,to_address,value,transaction_hash,log_index,block_number'
  const good = `0xdac17f958d2ee523a2206206994597c13d831ec7,0x${'1'.repeat(40)},0x${'2'.repeat(40)},1000,0x${'a'.repeat(64)},0,100`
  const write = (name: string, text: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-bad-'))
    const path = join(dir, name)
    writeFileSync(path, text)
    return path
  }
  const cases: [string, string, RegExp][] = [
    [
      'non-address',
      `${header}\n${good}\n0xdac17f958d2ee523a2206206994597c13d831ec7,0x1234,0x${'2'.repeat(40)},5,0x${'b'.repeat(64)},1,101\n`,
      /token_transfers\.csv:3: from_address is not an address$/,
    ],
    [
      'negative value',
      `${header}\n${good}\n${good.replace(',1000,', ',-5,').replace('a'.repeat(64), 'c'.repeat(64))}\n`,
      /token_transfers\.csv:3: value is not a non-negative integer$/,
    ],
    [
      'unknown column',
      `${header},colour\n${good},red\n`,
      /token_transfers\.csv:1: unknown column "colour" in ethereum-etl token_transfers$/,
    ],
    ['malformed row', `${header}\n${good}\n${good},extra,fields\n`, /token_transfers\.csv/],
  ]
  for (const [what, text, message] of cases)
    test(what, async () => {
      const store = await createDuckDbTransferStore(':memory:')
      const okPath = write('token_transfers.csv', `${header}\n${good}\n`)
      await store.importFiles(detectImportFiles([okPath]))
      const before = await store.counts()
      const path = write('token_transfers.csv', text)
      const error = await store.importFiles(detectImportFiles([path])).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(InputError)
      expect((error as InputError).exitCode).toBe(2)
      expect((error as InputError).message).toMatch(message)
      expect(await store.counts()).toEqual(before)
      await store.close()
    })

  test('an empty store cannot be scanned', async () => {
    const store = await createDuckDbTransferStore(':memory:')
    await expect(store.scanTransfers()).rejects.toThrow(
      'store: the transfer store is empty: import transfers first (heistguard trace import)',
    )
    await store.close()
  })

  test('migrations are recorded and re-running them is a no-op', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-mig-'))
    const path = join(dir, 'x.duckdb')
    const a = await createDuckDbTransferStore(path)
    await a.close()
    const b = await createDuckDbTransferStore(path)
    await b.migrate()
    expect((await b.counts()).transfers).toBe(0)
    await b.close()
  })
})
