import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { beforeAll, describe, expect, test } from 'vitest'
import { InputError } from '../src/core/BaseError.js'
import { createDuckDbTransferStore } from '../src/store/duckdb/createDuckDbTransferStore.js'
import type { ImportFile, TransferStore } from '../src/store/TransferStore.js'
import { compareWithTruth } from '../src/trace/generate/compareWithTruth.js'
import { generateInMemory, transactionRecordOf } from '../src/trace/generate/generateInMemory.js'
import { computeGroundTruth } from '../src/trace/generate/groundTruth.js'
import { writeDataset } from '../src/trace/generate/writeDataset.js'
import { detectImportFiles } from '../src/trace/ingest/detectImportFiles.js'
import { loadLabels } from '../src/trace/loadLabels.js'
import { resolveTaintSetup } from '../src/trace/resolveTaintSetup.js'
import { summarizeTaint } from '../src/trace/summarizeTaint.js'
import { concatTransferColumns, type TransferColumns } from '../src/trace/TransferColumns.js'
import { runTaint } from '../src/trace/taintEngine.js'
import { traceCase } from '../src/trace/traceCase.js'

// The bulk path (src/store/duckdb/bulkRuns.ts) against the SQL path, which is the reference:
// same generated data, same reports, same ground truth, for every shape of cryo file.
const params = { transfers: 4000, heists: 3, seed: 23 }
let dir = ''
let data: ReturnType<typeof generateInMemory>
let cryo: ImportFile[]
let csv: ImportFile[]

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hg-bulk-'))
  await writeDataset(params, dir)
  data = generateInMemory(params)
  cryo = detectImportFiles([dir]).filter((f) => f.format === 'cryo')
  csv = detectImportFiles([dir]).filter((f) => f.format === 'ethereum-etl')
})

/** Rewrites the cryo files through DuckDB (hex text columns, shuffled rows, a broken row...). */
async function rewriteCryo(
  name: string,
  select: (dataset: string) => string,
): Promise<ImportFile[]> {
  const out = join(dir, name)
  mkdirSync(out, { recursive: true })
  const instance = await DuckDBInstance.create(':memory:')
  const conn = await instance.connect()
  try {
    for (const f of cryo) {
      const path = join(out, `${f.dataset}.parquet`)
      await conn.run(
        `COPY (${select(f.dataset).replaceAll('$FILE', `read_parquet('${f.path}')`)}) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 1000)`,
      )
    }
  } finally {
    conn.closeSync()
    instance.closeSync()
  }
  return cryo.map((f) => ({ ...f, path: join(out, `${f.dataset}.parquet`) }))
}

/** The cryo files cut at the median block: rows before it, and (if asked) rows from it on. */
async function splitAtMidBlock(
  name: string,
): Promise<{ mid: number; early: ImportFile[]; late: ImportFile[] }> {
  const blocks = data.txs.map((t) => t.block).sort((a, b) => a - b)
  const mid = blocks[Math.floor(blocks.length / 2)]!
  const early = await rewriteCryo(
    `${name}-early`,
    () => `SELECT * FROM $FILE WHERE block_number < ${mid}`,
  )
  const late = await rewriteCryo(
    `${name}-late`,
    () => `SELECT * FROM $FILE WHERE block_number >= ${mid}`,
  )
  return { mid, early, late }
}

/** Imports `files`, checks that they became a bulk run, and returns the progress lines. */
async function importAsBulkRun(store: TransferStore, files: ImportFile[]): Promise<string[]> {
  const lines: string[] = []
  await store.importFiles(files, { onProgress: (l) => lines.push(l) })
  expect(
    lines.some((l) => /as a bulk run/.test(l)),
    lines.join('\n'),
  ).toBe(true)
  return lines
}

async function expectTruth(store: TransferStore): Promise<void> {
  const scan = await store.scanTransfers({ chunkRows: 700 })
  const chunks: TransferColumns[] = []
  for await (const c of scan.chunks) chunks.push(c)
  const columns = concatTransferColumns(chunks)
  expect(columns.length).toBe(scan.rows)
  for (let i = 1; i < columns.length; i++)
    if (columns.block[i]! < columns.block[i - 1]!) throw new Error(`row ${i} is out of time order`)
  for (const policy of ['haircut', 'fifo', 'poison', 'tiho'] as const) {
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

/** The report of `trace run` without run-specific fields, holders and exits in a fixed order. */
async function report(store: TransferStore) {
  const labels = await loadLabels([join(dir, 'labels.csv')])
  const { report } = await traceCase(store, { policy: 'haircut', heists: data.heists, labels })
  const key = (x: { address?: string; place?: string; token: string }) =>
    `${x.address ?? x.place}|${x.token}`
  return {
    holders: [...report.holders].sort((a, b) => key(a).localeCompare(key(b))),
    // Bridge memos come from ethereum-etl logs.csv; cryo's transfer datasets carry none.
    exits: report.exits
      .map(({ memo: _memo, ...exit }) => exit)
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    freezable: report.freezable.length,
    cleanTopUps: report.cleanTopUps,
    gasBurned: report.gasBurned,
  }
}

describe('cryo bulk runs', () => {
  test('a bulk import traces exactly as the SQL import of the same data (CSV), and as the ground truth', async () => {
    const bulk = await createDuckDbTransferStore(':memory:', { bulkPartitionRows: 500 })
    const sql = await createDuckDbTransferStore(':memory:')
    try {
      const lines: string[] = []
      const added = await bulk.importFiles(cryo, { onProgress: (l) => lines.push(l) })
      expect(lines.some((l) => /as a bulk run/.test(l))).toBe(true)
      await sql.importFiles(csv)
      const [b, s] = [await bulk.counts(), await sql.counts()]
      expect(added.transactions).toBe(s.transactions)
      expect(b).toMatchObject({
        transactions: s.transactions,
        minBlock: s.minBlock,
        maxBlock: s.maxBlock,
      })
      await expectTruth(bulk)
      expect(await report(bulk)).toEqual(await report(sql))
      // Transactions resolve from the kept files, with their receipt fields.
      const hash = data.heists[0]!.thefts[0]!
      const [fromBulk] = await bulk.findTransactions([hash])
      const [fromSql] = await sql.findTransactions([hash])
      expect(fromBulk).toMatchObject({
        hash: fromSql!.hash,
        block: fromSql!.block,
        txIndex: fromSql!.txIndex,
        from: fromSql!.from,
        to: fromSql!.to,
        value: fromSql!.value,
      })
    } finally {
      await bulk.close()
      await sql.close()
    }
  })

  test('importing the same files again changes nothing; overlapping CSV demotes the run and dedupes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hg-bulk-file-'))
    const path = join(root, 'store.duckdb')
    const store = await createDuckDbTransferStore(path)
    try {
      const first = await store.importFiles(cryo)
      const counts = await store.counts()
      expect(readdirSync(`${path}.runs`)).toEqual(['run-1'])
      expect(await store.importFiles(cryo)).toEqual({
        transfers: 0,
        transactions: 0,
        receipts: 0,
        memos: 0,
      })
      const lines: string[] = []
      const csvAgain = await store.importFiles(csv, { onProgress: (l) => lines.push(l) })
      expect(lines.some((l) => /re-importing it through SQL/.test(l))).toBe(true)
      expect(csvAgain.transactions).toBe(0)
      expect(readdirSync(`${path}.runs`)).toEqual([])
      expect((await store.counts()).transactions).toBe(counts.transactions)
      expect(first.transactions).toBe(counts.transactions)
      await expectTruth(store)
    } finally {
      await store.close()
    }
  })

  test('hex text columns (cryo --hex) and rows out of block order take the bulk path too', async () => {
    const hex = await rewriteCryo('hex', (dataset) => {
      const cols =
        dataset === 'erc20_transfers'
          ? ['transaction_hash', 'erc20', 'from_address', 'to_address']
          : ['transaction_hash', 'from_address', 'to_address']
      return `SELECT * REPLACE (${cols.map((c) => `CASE WHEN ${c} IS NULL THEN NULL ELSE '0x' || hex(${c}) END AS ${c}`).join(', ')}) FROM $FILE`
    })
    const shuffled = await rewriteCryo(
      'shuffled',
      () => 'SELECT * FROM $FILE ORDER BY hash(transaction_hash)',
    )
    for (const files of [hex, shuffled]) {
      const store = await createDuckDbTransferStore(':memory:')
      try {
        const lines = await importAsBulkRun(store, files)
        if (files === shuffled) expect(lines.some((l) => /sorting the files/.test(l))).toBe(true)
        await expectTruth(store)
      } finally {
        await store.close()
      }
    }
  })

  test('a bad row fails the import with its file row, and leaves no run behind', async () => {
    const bad = await rewriteCryo('bad', (dataset) =>
      dataset === 'native_transfers'
        ? `SELECT * REPLACE (CASE WHEN row_number() OVER () = 57 THEN from_address[1:19] ELSE from_address END AS from_address) FROM $FILE`
        : 'SELECT * FROM $FILE',
    )
    const root = mkdtempSync(join(tmpdir(), 'hg-bulk-bad-'))
    const path = join(root, 'store.duckdb')
    const store = await createDuckDbTransferStore(path)
    try {
      const error = await store.importFiles(bad).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(InputError)
      expect((error as InputError).shortMessage).toBe('from_address is not an address')
      expect((error as InputError).field).toBe(
        `${bad.find((f) => f.dataset === 'native_transfers')!.path} row 57`,
      )
      expect(await store.counts()).toMatchObject({ transfers: 0, transactions: 0, minBlock: null })
      expect(existsSync(`${path}.runs`) ? readdirSync(`${path}.runs`) : []).toEqual([])
    } finally {
      await store.close()
    }
  })

  test('a store with a bulk run and SQL rows in other blocks scans both in time order', async () => {
    const { mid, early } = await splitAtMidBlock('mixed')
    const store = await createDuckDbTransferStore(':memory:')
    try {
      await importAsBulkRun(store, early)
      const late = data.txs.filter((t) => t.block >= mid)
      const lateHashes = new Set(late.map((t) => t.hash))
      await store.importRecords({
        transfers: data.records.filter((r) => r.kind !== 'gas' && lateHashes.has(r.txHash)),
        transactions: late.map(transactionRecordOf),
      })
      const counts = await store.counts()
      expect(counts.transactions).toBe(data.txs.length)
      await expectTruth(store)
    } finally {
      await store.close()
    }
  })

  test('two bulk runs in one store share the dictionary: old addresses keep their ids, new ones follow', async () => {
    const { early, late } = await splitAtMidBlock('two')
    // Partitions of ~300 rows: new addresses are named after each one while the next merges.
    const store = await createDuckDbTransferStore(':memory:', { bulkPartitionRows: 300 })
    try {
      for (const files of [early, late]) await importAsBulkRun(store, files)
      const scan = await store.scanTransfers({})
      const { addresses, tokens } = scan.dictionary
      // One id per address and per token, and ids dense from 0.
      expect(new Set(addresses).size).toBe(addresses.length)
      expect(new Set(tokens).size).toBe(tokens.length)
      expect(addresses.every((a) => /^0x[0-9a-f]{40}$/.test(a))).toBe(true)
      expect((await store.counts()).transactions).toBe(data.txs.length)
      await expectTruth(store)
    } finally {
      await store.close()
    }
  })

  test('a run directory without a committed run (a killed import) is removed on open', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hg-bulk-orphan-'))
    const path = join(root, 'store.duckdb')
    await (await createDuckDbTransferStore(path)).close()
    mkdirSync(join(`${path}.runs`, 'run-7', 'files'), { recursive: true })
    const store = await createDuckDbTransferStore(path)
    await store.close()
    expect(readdirSync(`${path}.runs`)).toEqual([])
  })
})
