import { createHash } from 'node:crypto'
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  rmSync,
  write,
  writeSync,
} from 'node:fs'
import { copyFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import {
  type DuckDBConnection,
  DuckDBDataChunk,
  type DuckDBInstance,
  type DuckDBMaterializedResult,
  UBIGINT,
  UINTEGER,
  UTINYINT,
} from '@duckdb/node-api'
import { BaseError, InputError } from '../../core/BaseError.js'
import { collectGarbage } from '../../core/collectGarbage.js'
import { allocateTransferColumns, type TransferColumns } from '../../trace/TransferColumns.js'
import type { ImportFile, ImportResult, TransactionRecord } from '../TransferStore.js'
import { DATASETS } from './fileDatasets.js'
import { createKeyTable, type KeyTable } from './keyTable.js'

/**
 * Bulk runs: the fast path for cryo Parquet imports into the DuckDB store.
 *
 * A 100M-transfer import through SQL (stage as text, dictionary joins, anti-joins) costs about
 * 17 µs of CPU per row here. A bulk run instead streams each Parquet file once out of DuckDB as
 * integers (block, index, two 64-bit hashes per address, amount as float64), interns addresses
 * in a JS key table (the bytes of new addresses are fetched per partition, see
 * openNewEntryNames), merges the three datasets into engine order and writes the engine's
 * columns as flat little-endian files: about 0.6 µs of CPU per row, and the trace then reads its
 * input at disk speed.
 *
 * What a run keeps, in `<store>.runs/run-<id>/`:
 * - `block.u32 tx.u32 from.u32 to.u32 token.u32 amount.f64 kind.u8`: the engine rows in time
 *   order (gas row, native transfers, ERC-20 transfers of each transaction);
 * - `txkeys.u32`: (block, transaction index) of each transaction id the run gave out;
 * - `files/`: a copy of every imported Parquet file, which answers the rare questions the
 *   columns cannot (transaction hashes for reports and case files, transaction details), and
 *   lets a later overlapping import re-import the run through the SQL path ("demotion").
 * The `bulk_runs` row is the commit point: a run directory without a row is a leftover of a
 * failed import and is deleted on open. New addresses and tokens go into the same
 * `dict_address`/`dict_token` as the SQL path, so ids are shared.
 *
 * A run owns its block range: the bulk path is taken only when no stored row falls in the
 * range of the files; otherwise the SQL path runs and first demotes overlapping runs, so
 * idempotency and deduplication always hold.
 */
export type BulkRun = {
  runId: number
  chainId: number
  firstBlock: number
  lastBlock: number
  /** Engine rows (gas rows included, zero amounts excluded). */
  rows: number
  /** Rows as the SQL path counts them (transfers table, transactions, receipts). */
  transfers: number
  transactions: number
  receipts: number
  txBase: number
  txCount: number
  dir: string
  files: BulkFile[]
}

export type BulkFile = {
  dataset: 'native_transfers' | 'erc20_transfers' | 'transactions'
  /** File name inside `<run dir>/files`. */
  name: string
  source: string
  fingerprint: string
  /** Hashes and addresses as binary (cryo's default) or as hex text (`cryo --hex`). */
  binary: boolean
}

export const BULK_TABLE = `CREATE TABLE bulk_runs (
  run_id INTEGER NOT NULL,
  chain_id UBIGINT NOT NULL,
  first_block UBIGINT NOT NULL,
  last_block UBIGINT NOT NULL,
  rows UBIGINT NOT NULL,
  transfers UBIGINT NOT NULL,
  transactions UBIGINT NOT NULL,
  receipts UBIGINT NOT NULL,
  tx_base UBIGINT NOT NULL,
  tx_count UBIGINT NOT NULL,
  dir VARCHAR NOT NULL,
  files VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
)`

/** The next free transaction id, over the SQL dictionary and every bulk run. */
export const NEXT_TX_ID_SQL = `greatest(coalesce((SELECT max(id) + 1 FROM dict_tx), 0),
  coalesce((SELECT max(tx_base + tx_count) FROM bulk_runs), 0))`

const COLUMN_FILES = [
  ['block', 'u32'],
  ['tx', 'u32'],
  ['from', 'u32'],
  ['to', 'u32'],
  ['token', 'u32'],
  ['amount', 'f64'],
  ['kind', 'u8'],
] as const

type Dataset = BulkFile['dataset']

/**
 * The address columns of each dataset, in the order the stream selects their keys (column c of
 * `Stream.keys`), with the dictionary they intern into: 0 = dict_address, 1 = dict_token.
 */
const ADDRESS_COLUMNS: Record<Dataset, readonly (readonly [0 | 1, string])[]> = {
  transactions: [[0, 'from_address']],
  native_transfers: [
    [0, 'from_address'],
    [0, 'to_address'],
  ],
  erc20_transfers: [
    [0, 'from_address'],
    [0, 'to_address'],
    [1, 'erc20'],
  ],
}
const BULK_DATASETS: readonly Dataset[] = ['transactions', 'native_transfers', 'erc20_transfers']

/** The bulk runs of a store, in block order. */
export async function readBulkRuns(conn: DuckDBConnection): Promise<BulkRun[]> {
  const rows = (
    await conn.runAndReadAll('SELECT * FROM bulk_runs ORDER BY first_block')
  ).getRowObjectsJS()
  return rows.map((r) => ({
    runId: Number(r['run_id']),
    chainId: Number(r['chain_id']),
    firstBlock: Number(r['first_block']),
    lastBlock: Number(r['last_block']),
    rows: Number(r['rows']),
    transfers: Number(r['transfers']),
    transactions: Number(r['transactions']),
    receipts: Number(r['receipts']),
    txBase: Number(r['tx_base']),
    txCount: Number(r['tx_count']),
    dir: String(r['dir']),
    files: JSON.parse(String(r['files'])) as BulkFile[],
  }))
}

/** Deletes run directories that no committed run owns (an import that failed or was killed). */
export function removeOrphanRuns(runsRoot: string, runs: readonly BulkRun[]): void {
  if (!existsSync(runsRoot)) return
  const owned = new Set(runs.map((r) => basename(r.dir)))
  for (const name of readdirSync(runsRoot))
    if (name.startsWith('run-') && !owned.has(name))
      rmSync(join(runsRoot, name), { recursive: true, force: true })
}

/**
 * Identity of a Parquet file: SHA-256 of its size and footer. The footer holds every column
 * chunk's offset, size, row count and min/max statistics, so two different files with the same
 * fingerprint would have to be built for it; reading it costs one small read instead of hashing
 * gigabytes.
 */
export function parquetFingerprint(path: string): string {
  const fd = openSync(path, 'r')
  try {
    const size = fstatSync(fd).size
    const tail = Buffer.alloc(8)
    if (
      size < 12 ||
      readSync(fd, tail, 0, 8, size - 8) !== 8 ||
      tail.toString('latin1', 4) !== 'PAR1'
    )
      throw new InputError('not a Parquet file', { code: 'IMPORT_READ', field: path })
    const footerLength = tail.readUInt32LE(0)
    if (footerLength + 12 > size)
      throw new InputError('corrupt Parquet footer', { code: 'IMPORT_READ', field: path })
    const footer = Buffer.alloc(footerLength)
    readSync(fd, footer, 0, footerLength, size - 8 - footerLength)
    return createHash('sha256').update(`${size}:`).update(footer).digest('hex')
  } finally {
    closeSync(fd)
  }
}

type Plan = {
  files: (BulkFile & { path: string; types: Map<string, string> })[]
  /** Rows in all files (from the Parquet metadata). */
  rows: number
  chainId: number
  firstBlock: number
  lastBlock: number
}

/**
 * Decides whether `files` can be a bulk run: cryo datasets only, integer block/index columns,
 * one chain, and a block range where the store holds nothing yet. Returns 'known' when every
 * file was imported before (by fingerprint), the plan otherwise, or null for the SQL path.
 */
export async function planBulkImport(
  conn: DuckDBConnection,
  files: readonly ImportFile[],
  defaultChain: number,
): Promise<Plan | 'known' | null> {
  if (files.length === 0) return null
  if (files.some((f) => f.format !== 'cryo' || !BULK_DATASETS.includes(f.dataset as Dataset)))
    return null
  const integer = /^(U?(TINY|SMALL|BIG)?INT(EGER)?)$/
  const planned: Plan['files'] = []
  for (const f of files) {
    let described: Record<string, unknown>[]
    try {
      described = (
        await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(f.path)})`)
      ).getRowObjectsJS()
    } catch {
      return null // the SQL path reports the unreadable file in its own words
    }
    const types = new Map(
      described.map((r) => [String(r['column_name']), String(r['column_type'])]),
    )
    const spec = DATASETS[`cryo:${f.dataset}`]!
    if ([...types.keys()].some((c) => !spec.known.includes(c))) return null
    if (spec.required.some((c) => !types.has(c))) return null
    const hashType = types.get('transaction_hash')
    if (hashType !== 'BLOB' && hashType !== 'VARCHAR') return null
    const addressColumns = ['from_address', 'to_address', 'erc20'].filter((c) => types.has(c))
    if (addressColumns.some((c) => types.get(c) !== hashType)) return null
    const numeric = [
      'block_number',
      'transaction_index',
      'transfer_index',
      'log_index',
      'gas_used',
      'gas_price',
    ]
    if (numeric.some((c) => types.has(c) && !integer.test(types.get(c)!))) return null
    if (f.dataset !== 'transactions' && types.get('value_string') !== 'VARCHAR') return null
    if (types.has('chain_id') && !integer.test(types.get('chain_id')!)) return null
    if (types.has('success') && types.get('success') !== 'BOOLEAN') return null
    planned.push({
      dataset: f.dataset as Dataset,
      name: `${f.dataset}-${planned.length}.parquet`,
      source: f.path,
      fingerprint: parquetFingerprint(f.path),
      binary: hashType === 'BLOB',
      path: f.path,
      types,
    })
  }
  const runs = await readBulkRuns(conn)
  const knownPrints = new Set(runs.flatMap((r) => r.files.flatMap((f) => f.fingerprint.split(','))))
  if (planned.every((f) => knownPrints.has(f.fingerprint))) return 'known'
  // Block range and chain from the Parquet statistics (no data pages read).
  let firstBlock = Number.POSITIVE_INFINITY
  let lastBlock = Number.NEGATIVE_INFINITY
  let rows = 0
  const chains = new Set<number>()
  for (const f of planned) {
    const chain = f.types.has('chain_id')
      ? 'min(chain_id), max(chain_id)'
      : `${defaultChain}, ${defaultChain}`
    const r = (
      await conn.runAndReadAll(
        `SELECT min(block_number) AS lo, max(block_number) AS hi, ${chain}, count(*) FROM read_parquet(${sqlString(f.path)})`,
      )
    ).getRows()[0]!
    if (r[0] === null) continue // an empty file
    rows += Number(r[4])
    firstBlock = Math.min(firstBlock, Number(r[0]))
    lastBlock = Math.max(lastBlock, Number(r[1]))
    chains.add(Number(r[2] ?? defaultChain)).add(Number(r[3] ?? defaultChain))
  }
  if (!Number.isFinite(firstBlock) || chains.size !== 1) return null
  if (lastBlock >= 2 ** 32) return null
  if (runs.some((r) => r.firstBlock <= lastBlock && r.lastBlock >= firstBlock)) return null
  const stored = (
    await conn.runAndReadAll(
      `SELECT (SELECT count(*) FROM transfers WHERE block_number BETWEEN ${firstBlock} AND ${lastBlock})
        + (SELECT count(*) FROM transactions WHERE block_number BETWEEN ${firstBlock} AND ${lastBlock})`,
    )
  ).getRows()[0]![0]
  if (Number(stored) > 0) return null
  return { files: planned, rows, chainId: [...chains][0]!, firstBlock, lastBlock }
}

/** Thrown inside a bulk import when a file is not in block order (the import then sorts). */
class OutOfOrder extends Error {}

type Stream = {
  dataset: Dataset
  /** SELECT of this dataset for blocks lo..hi (one partition). */
  sql: (lo: number, hi: number) => string
  result: DuckDBMaterializedResult | null
  nextChunk: number
  n: number
  i: number
  b: Uint32Array
  x: Uint32Array
  o: Uint32Array
  /** Key words of each address column: [h1 as u32 pairs, h2 as u32 pairs]. */
  keys: Uint32Array[][]
  value: Float64Array
  failed: Uint8Array
  /** `read_parquet([...])` of this dataset's files. */
  source: string
  binary: boolean
  /** Called on each new chunk (prefetches the key table's slots). */
  warm?: (s: Stream) => void
}

/**
 * Imports planned cryo files as one bulk run (see {@link BulkRun}). Runs inside the caller's
 * transaction on `conn` (dictionary rows and the run row); the data streams are read on
 * connections of their own. Any DuckDB error (a bad row, a bad value) propagates: the caller
 * rolls back, and re-runs the import through the SQL path for its exact file:line message.
 */
export async function importBulkRun(
  instance: DuckDBInstance,
  conn: DuckDBConnection,
  planned: Plan,
  runsRoot: string,
  onProgress?: (line: string) => void,
  partitionRows = 4_000_000,
): Promise<ImportResult> {
  const runId =
    Number(
      (await conn.runAndReadAll('SELECT coalesce(max(run_id), 0) FROM bulk_runs')).getRows()[0]![0],
    ) + 1
  const dir = join(runsRoot, `run-${runId}`)
  let plan = planned
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(join(dir, 'files'), { recursive: true })
  // The kept copies are made by the kernel while the files stream (libuv's thread pool).
  const copying = Promise.all(
    plan.files.map((f) => copyFile(f.path, join(dir, 'files', f.name), constants.COPYFILE_FICLONE)),
  )
  copying.catch(() => {}) // awaited below
  try {
    let written: Written
    try {
      written = await writeRun(instance, conn, plan, dir, partitionRows, onProgress)
      const t0 = performance.now()
      await copying
      onProgress?.(`kept a copy of the imported files (${seconds(t0)} after the stream)`)
    } catch (error) {
      if (!(error instanceof OutOfOrder)) throw error
      await copying.catch(() => {})
      for (const f of plan.files) rmSync(join(dir, 'files', f.name), { force: true })
      onProgress?.(`${error.message}: sorting the files into the run first`)
      plan = await sortIntoRun(conn, plan, dir)
      written = await writeRun(instance, conn, plan, dir, partitionRows, onProgress)
    }
    const files: BulkFile[] = plan.files.map(({ dataset, name, source, fingerprint, binary }) => ({
      dataset,
      name,
      source,
      fingerprint,
      binary,
    }))
    await conn.run(`INSERT INTO bulk_runs (run_id, chain_id, first_block, last_block, rows, transfers, transactions, receipts, tx_base, tx_count, dir, files)
      VALUES (${runId}, ${plan.chainId}, ${plan.firstBlock}, ${plan.lastBlock}, ${written.rows}, ${written.transfers}, ${written.transactions},
      ${written.receipts}, ${written.txBase}, ${written.txCount}, ${sqlString(dir)}, ${sqlString(JSON.stringify(files))})`)
    return {
      transfers: written.transfers,
      transactions: written.transactions,
      receipts: written.receipts,
      memos: 0,
    }
  } catch (error) {
    await copying.catch(() => {})
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
}

/**
 * Files not in block order (cryo writes them in order; other tools may not): DuckDB sorts each
 * dataset, spilling to disk as needed, into one Parquet file inside the run, which then is the
 * run's kept copy. Fingerprints of the original files stay on record for idempotency.
 */
async function sortIntoRun(conn: DuckDBConnection, plan: Plan, dir: string): Promise<Plan> {
  const files: Plan['files'] = []
  await conn.run('SET preserve_insertion_order = true')
  try {
    for (const dataset of BULK_DATASETS) {
      const mine = plan.files.filter((f) => f.dataset === dataset)
      if (mine.length === 0) continue
      const ordinal =
        dataset === 'transactions'
          ? ''
          : dataset === 'erc20_transfers'
            ? ', log_index'
            : ', transfer_index'
      const name = `${dataset}-sorted.parquet`
      const path = join(dir, 'files', name)
      const columns = [...mine[0]!.types.keys()].map((c) => `"${c}"`).join(', ')
      await conn.run(
        `COPY (SELECT ${columns} FROM read_parquet([${mine.map((f) => sqlString(f.path)).join(', ')}], union_by_name = true)
          ORDER BY block_number, transaction_index${ordinal}) TO ${sqlString(path)} (FORMAT parquet, ROW_GROUP_SIZE 1048576)`,
      )
      files.push({
        ...mine[0]!,
        name,
        path,
        source: mine.map((f) => f.source).join(', '),
        fingerprint: mine.map((f) => f.fingerprint).join(','),
      })
    }
  } finally {
    await conn.run('SET preserve_insertion_order = false')
  }
  return { ...plan, files }
}

type Written = Pick<
  BulkRun,
  'rows' | 'transfers' | 'transactions' | 'receipts' | 'txBase' | 'txCount'
>

async function writeRun(
  instance: DuckDBInstance,
  conn: DuckDBConnection,
  plan: Plan,
  dir: string,
  partitionRows: number,
  onProgress?: (line: string) => void,
): Promise<Written> {
  const t0 = performance.now()
  const scalar = async (sql: string) =>
    Number((await conn.runAndReadAll(sql)).getRows()[0]![0] ?? 0)
  const txBase = await scalar(`SELECT ${NEXT_TX_ID_SQL}`)
  const nextAddress = await scalar('SELECT coalesce(max(id) + 1, 0) FROM dict_address')
  const nextToken = await scalar('SELECT coalesce(max(id) + 1, 0) FROM dict_token')
  const addresses = await loadKeys(conn, 'address', 'dict_address', nextAddress)
  const tokens = await loadKeys(conn, 'token', "dict_token WHERE token <> 'ETH'", nextToken)
  const newAddresses = createNewEntries(nextAddress)
  const newTokens = createNewEntries(nextToken)

  const streams: Stream[] = []
  const connections: DuckDBConnection[] = []
  let names: NewEntryNames | undefined
  let out: ReturnType<typeof openColumnFiles> | undefined
  // Rows must come out in file order (the store otherwise lets DuckDB reorder for memory).
  await conn.run('SET preserve_insertion_order = true')
  // Each partition's results are freed and the next ones allocated: with the default
  // thresholds DuckDB's allocator hands that memory back to the kernel every time and faults
  // it in again (100M rows: 20 s of system time; about 15 s with these). Restored below.
  const flush = await allocatorThresholds(conn, ALLOCATOR_KEEP)
  try {
    for (const dataset of BULK_DATASETS) {
      const files = plan.files.filter((f) => f.dataset === dataset)
      if (files.length === 0) continue
      connections.push(await instance.connect())
      streams.push(openStream(dataset, files))
    }
    names = await openNewEntryNames(instance, streams)
    const [txs, natives, erc20s] = BULK_DATASETS.map(
      (d) => streams.find((s) => s.dataset === d) ?? null,
    )
    for (const s of streams)
      s.warm = (st) => {
        // Token columns (erc20) intern into the small token table; warm only addresses.
        for (let c = 0; c < Math.min(st.keys.length, 2); c++) addresses.warm(st.keys[c]![0]!, st.n)
      }
    out = openColumnFiles(dir)
    const txKeys = createU32Writer(join(dir, 'txkeys.u32'))
    const counts = { rows: 0, transfers: 0, transactions: 0, receipts: 0, txCount: 0 }

    // A new key gets the next id at once; its 20 bytes are fetched after the partition (see
    // openNewEntryNames), so the streams carry 16 bytes per address instead of 48.
    const intern = (
      table: KeyTable,
      into: NewEntries,
      s: Stream,
      column: number,
      i: number,
    ): number => {
      const [h1, h2] = s.keys[column]!
      const k0 = h1![2 * i]!
      const k1 = h1![2 * i + 1]!
      const k2 = h2![2 * i]!
      const id = table.find(k0, k1, k2)
      if (id >= 0) return id
      const added = into.add(k0, k1, k2)
      table.add(k0, k1, k2, added)
      return added
    }
    const internAddress = (s: Stream, column: number, i: number) =>
      intern(addresses, newAddresses, s, column, i)
    const internToken = (s: Stream, column: number, i: number) =>
      intern(tokens, newTokens, s, column, i)
    let naming: Promise<void> = Promise.resolve()

    let lastB = -1
    let lastX = -1
    // Block-range partitions of ~4M rows, each read by DuckDB with all its threads while the
    // previous one is merged here (two partitions in memory at most).
    const parts = Math.max(1, Math.ceil(plan.rows / partitionRows))
    const span = plan.lastBlock - plan.firstBlock + 1
    const bound = (p: number) => plan.firstBlock + Math.floor((p * span) / parts)
    const read = (p: number) => {
      const loading = Promise.all(
        streams.map((s, k) => connections[k]!.run(s.sql(bound(p), bound(p + 1) - 1))),
      )
      loading.catch(() => {}) // awaited below; an error must not surface before that
      return loading
    }
    let pending = read(0)
    for (let p = 0; p < parts; p++) {
      const results = await pending
      if (p + 1 < parts) pending = read(p + 1)
      streams.forEach((s, k) => {
        s.result = results[k]!
        s.nextChunk = 0
        advance(s)
      })
      for (;;) {
        // The next transaction: the smallest (block, index) at the head of any stream.
        let b = Number.POSITIVE_INFINITY
        let x = 0
        for (const s of streams) {
          if (s.n === 0) continue
          const sb = s.b[s.i]!
          const sx = s.x[s.i]!
          if (sb < b || (sb === b && sx < x)) {
            b = sb
            x = sx
          }
        }
        if (b === Number.POSITIVE_INFINITY) break
        if (b < lastB || (b === lastB && x <= lastX))
          throw new OutOfOrder(
            `rows of block ${b} index ${x} come after block ${lastB} index ${lastX}`,
          )
        lastB = b
        lastX = x
        const txId = txBase + counts.txCount
        counts.txCount += 1
        txKeys.push(b, x)
        let failed = false
        if (txs && txs.n > 0 && txs.b[txs.i] === b && txs.x[txs.i] === x) {
          const i = txs.i
          counts.transactions += 1
          const fee = txs.value[i]!
          const flags = txs.failed[i]!
          failed = (flags & 1) === 1
          counts.receipts += flags >>> 1
          const from = internAddress(txs, 0, i)
          if (fee > 0) {
            out.push(b, txId, from, 0, 0, fee, 1)
            counts.rows += 1
          }
          if (!skipKeySync(txs, b, x, -1)) skipKeyAcross(txs, b, x, -1)
        }
        if (natives)
          while (natives.n > 0 && natives.b[natives.i] === b && natives.x[natives.i] === x) {
            const i = natives.i
            const ordinal = natives.o[i]!
            counts.transfers += 1
            const from = internAddress(natives, 0, i)
            const to = internAddress(natives, 1, i)
            if (!(failed && ordinal === 0)) {
              out.push(b, txId, from, to, 0, natives.value[i]!, 0)
              counts.rows += 1
            }
            if (!skipKeySync(natives, b, x, ordinal)) skipKeyAcross(natives, b, x, ordinal)
          }
        if (erc20s)
          while (erc20s.n > 0 && erc20s.b[erc20s.i] === b && erc20s.x[erc20s.i] === x) {
            const i = erc20s.i
            const ordinal = erc20s.o[i]!
            counts.transfers += 1
            const from = internAddress(erc20s, 0, i)
            const to = internAddress(erc20s, 1, i)
            const token = internToken(erc20s, 2, i)
            const value = erc20s.value[i]!
            if (value > 0) {
              out.push(b, txId, from, to, token, value, 0)
              counts.rows += 1
            }
            if (!skipKeySync(erc20s, b, x, ordinal)) skipKeyAcross(erc20s, b, x, ordinal)
          }
      }
      for (const st of streams) st.result = null
      await out.drain()
      await naming
      naming = names.fetch(bound(p), bound(p + 1) - 1, [newAddresses, newTokens])
      naming.catch(() => {}) // awaited at the next partition or below
      collectGarbage()
    }
    await naming
    for (const entries of [newAddresses, newTokens]) entries.checkNamed()
    await out.close()
    txKeys.close()
    onProgress?.(
      `streamed ${counts.rows.toLocaleString('en')} engine rows (${counts.transactions.toLocaleString('en')} transactions) into ${dir} (${seconds(t0)})`,
    )
    const t1 = performance.now()
    await insertDictionary(conn, dir, 'dict_address', 'address', newAddresses)
    await insertDictionary(conn, dir, 'dict_token', 'token', newTokens)
    onProgress?.(
      `added ${newAddresses.count.toLocaleString('en')} addresses and ${newTokens.count} tokens to the dictionary (${seconds(t1)})`,
    )
    return { ...counts, txBase }
  } finally {
    // A failed run (e.g. out of order, retried sorted) must have no write left in flight.
    await out?.close().catch(() => {})
    names?.close()
    for (const c of connections) c.closeSync()
    await conn.run('SET preserve_insertion_order = false')
    await allocatorThresholds(conn, flush)
  }
}

type AllocatorThresholds = { flush: string; bulk: string }

/** Memory the allocator may keep instead of returning it to the kernel, during a bulk run. */
const ALLOCATOR_KEEP: AllocatorThresholds = { flush: '8GB', bulk: '8GB' }

/** Sets the allocator's flush thresholds; returns the ones they replace. */
async function allocatorThresholds(
  conn: DuckDBConnection,
  to: AllocatorThresholds,
): Promise<AllocatorThresholds> {
  const current = async (name: string) =>
    String(
      (
        await conn.runAndReadAll(`SELECT value FROM duckdb_settings() WHERE name = '${name}'`)
      ).getRows()[0]![0],
    )
  const was = {
    flush: await current('allocator_flush_threshold'),
    bulk: await current('allocator_bulk_deallocation_flush_threshold'),
  }
  await conn.run(`SET allocator_flush_threshold = ${sqlString(to.flush)}`)
  await conn.run(`SET allocator_bulk_deallocation_flush_threshold = ${sqlString(to.bulk)}`)
  return was
}

/**
 * Moves a stream past the row of (b, x, ordinal) and its duplicates (`ordinal` -1: past every
 * row of the transaction). Synchronous within a chunk; false when the chunk ran out first.
 */
function skipKeySync(s: Stream, b: number, x: number, ordinal: number): boolean {
  for (;;) {
    s.i += 1
    if (s.i >= s.n) return false
    const nb = s.b[s.i]!
    const nx = s.x[s.i]!
    if (nb !== b || nx !== x) {
      if (nb < b || (nb === b && nx < x))
        throw new OutOfOrder(
          `${s.dataset}: block ${nb} index ${nx} comes after block ${b} index ${x}`,
        )
      return true
    }
    if (ordinal < 0) continue // a repeated transaction row
    const no = s.o[s.i]!
    if (no > ordinal) return true
    if (no < ordinal)
      throw new OutOfOrder(
        `${s.dataset}: ordinal ${no} of block ${b} index ${x} comes after ${ordinal}`,
      )
  }
}

/** {@link skipKeySync} across chunk ends. */
function skipKeyAcross(s: Stream, b: number, x: number, ordinal: number): void {
  for (;;) {
    advance(s)
    if (s.n === 0) return
    s.i = -1
    if (skipKeySync(s, b, x, ordinal)) return
  }
}

/** Moves a stream to the next chunk of its current partition (n = 0 when there is none). */
function advance(s: Stream): void {
  s.n = 0
  s.i = 0
  while (s.result && s.nextChunk < s.result.chunkCount) {
    const chunk = s.result.getChunk(s.nextChunk++)
    if (chunk.rowCount > 0) {
      load(s, chunk)
      return
    }
  }
}

function load(s: Stream, chunk: DuckDBDataChunk): void {
  const m = chunk.rowCount
  const items = (k: number) =>
    (chunk.getColumnVector(k) as unknown as { items: ArrayLike<number> & ArrayBufferView }).items
  const words = (k: number) => {
    const v = items(k) as unknown as BigUint64Array
    return new Uint32Array(v.buffer, v.byteOffset, m * 2)
  }
  s.b = items(0) as Uint32Array
  s.x = items(1) as Uint32Array
  if (s.dataset === 'transactions') {
    s.keys = [[words(2), words(3)]]
    s.value = items(4) as Float64Array
    s.failed = items(5) as Uint8Array
  } else {
    s.o = items(2) as Uint32Array
    const erc20 = s.dataset === 'erc20_transfers'
    s.keys = [[words(3), words(4)], [words(5), words(6)], ...(erc20 ? [[words(7), words(8)]] : [])]
    s.value = items(erc20 ? 9 : 7) as Float64Array
  }
  s.n = m
  s.i = 0
  s.warm?.(s)
}

function openStream(dataset: Dataset, files: Plan['files']): Stream {
  const binary = files[0]!.binary
  const source = `read_parquet([${files.map((f) => sqlString(f.path)).join(', ')}])`
  const address = (c: string) =>
    binary ? `octet_length(${c}) = 20` : `regexp_full_match(${c}, '^0x[0-9a-fA-F]{40}$')`
  const columns = ADDRESS_COLUMNS[dataset].map(([, c]) => c)
  const keys = columns.map((c) => addressKey(addressBytes(c, binary))).join(', ')
  const addresses = columns.map(address).join(' AND ')
  const hash = binary
    ? 'octet_length(transaction_hash) = 32'
    : `regexp_full_match(transaction_hash, '^0x[0-9a-fA-F]{64}$')`
  const value = `regexp_full_match(value_string, '^[0-9]{1,78}$')`
  const types = files[0]!.types
  let select: string
  let valid: string
  let keep = 'true'
  if (dataset === 'transactions') {
    const fee =
      types.has('gas_used') && types.has('gas_price')
        ? 'coalesce(CAST(gas_used AS DOUBLE) * CAST(gas_price AS DOUBLE), 0)'
        : '0'
    // Bit 0: failed; bit 1: has a receipt (gas used), counted as the SQL path counts receipts.
    const failed = `${types.has('success') ? 'CASE WHEN success = false THEN 1 ELSE 0 END' : '0'} + ${types.has('gas_used') ? 'CASE WHEN gas_used IS NOT NULL THEN 2 ELSE 0 END' : '0'}`
    select = `CAST(block_number AS UINTEGER), CAST(transaction_index AS UINTEGER), ${keys},
      CAST(${fee} AS DOUBLE), CAST(${failed} AS UTINYINT)`
    valid = `${hash} AND ${addresses}`
  } else {
    const ordinal = dataset === 'erc20_transfers' ? 'log_index' : 'transfer_index'
    const token = dataset === 'erc20_transfers'
    select = `CAST(block_number AS UINTEGER), CAST(transaction_index AS UINTEGER), CAST(${ordinal} AS UINTEGER),
      ${keys}, CAST(value_string AS DOUBLE)`
    valid = `${hash} AND ${addresses} AND ${value}`
    // Zero-value native transfers move nothing (as the SQL path); zero ERC-20 transfers count.
    if (!token) keep = `value_string <> '0'`
  }
  return {
    dataset,
    sql: (lo, hi) => `SELECT ${select} FROM ${source}
      WHERE block_number BETWEEN ${lo} AND ${hi} AND CASE WHEN ${valid} THEN ${keep} ELSE error('bad row') END`,
    result: null,
    nextChunk: 0,
    n: 0,
    i: 0,
    b: new Uint32Array(0),
    x: new Uint32Array(0),
    o: new Uint32Array(0),
    keys: [],
    value: new Float64Array(0),
    failed: new Uint8Array(0),
    source,
    binary,
  }
}

/** An address column as its 20 bytes (cryo's binary columns, or `cryo --hex` text). */
const addressBytes = (column: string, binary: boolean) =>
  binary ? column : `unhex(substr(${column}, 3))`

/**
 * The two 64-bit hashes whose words key an address in the {@link KeyTable}: k0, k1 = `hash(a)`,
 * k2 = the low word of `hash(a || 0x01)`. Dictionary keys are computed the same way.
 */
const addressKey = (bytes: string) => `hash(${bytes}), hash(${bytes} || '\\x01'::BLOB)`

/**
 * Dictionary entries a run adds (addresses or tokens), in id order from `first`: their key words
 * (known when the stream first meets them) and their 20 bytes (packed, no JS strings for GC to
 * walk), which {@link openNewEntryNames} fills in after each partition.
 */
type NewEntries = {
  first: number
  count: number
  /** k0, k1, k2 per entry. */
  keys: Uint32Array
  bytes: Uint8Array
  named: Uint8Array
  /** Entries below this were sent to DuckDB already. */
  sent: number
  /** Appends an entry; returns its id. */
  add: (k0: number, k1: number, k2: number) => number
  /** Throws unless every entry has its bytes. */
  checkNamed: () => void
}

function createNewEntries(first: number): NewEntries {
  const grow = (capacity: number) => {
    const keys = new Uint32Array(3 * capacity)
    const bytes = new Uint8Array(20 * capacity)
    const named = new Uint8Array(capacity)
    keys.set(entries.keys)
    bytes.set(entries.bytes)
    named.set(entries.named)
    Object.assign(entries, { keys, bytes, named })
  }
  const entries: NewEntries = {
    first,
    count: 0,
    keys: new Uint32Array(0),
    bytes: new Uint8Array(0),
    named: new Uint8Array(0),
    sent: 0,
    add: (k0, k1, k2) => {
      const n = entries.count
      if (n === entries.named.length) grow(Math.max(65536, 2 * n))
      entries.keys[3 * n] = k0
      entries.keys[3 * n + 1] = k1
      entries.keys[3 * n + 2] = k2
      entries.count = n + 1
      return first + n
    },
    checkNamed: () => {
      for (let i = 0; i < entries.count; i++)
        if (entries.named[i] !== 1)
          throw new BaseError('a new address of the bulk import was not found again in its files', {
            code: 'IMPORT_INTERNAL',
          })
    },
  }
  return entries
}

type NewEntryNames = {
  /**
   * Sends the entries added since the last call to DuckDB and fills in their bytes from the
   * rows of blocks lo..hi (where the stream met them first).
   */
  fetch: (lo: number, hi: number, kinds: NewEntries[]) => Promise<void>
  close: () => void
}

/**
 * The bytes of new addresses, fetched after each partition instead of carried in every row:
 * the keys of the partition's new entries go into a temporary table, and one query over the
 * partition's address columns returns the distinct addresses whose hash is among them, with the
 * entry they belong to. It reads the partition's address columns a second time, but only hashes
 * them; slicing every address into inline halves for the stream cost DuckDB 15 CPU-s at 100M
 * rows and the merge loop 5 GB of copies.
 */
async function openNewEntryNames(
  instance: DuckDBInstance,
  streams: readonly Stream[],
): Promise<NewEntryNames> {
  const conn = await instance.connect()
  await conn.run(
    'CREATE TEMP TABLE bulk_new (kind UTINYINT, h1 UBIGINT, k2 UINTEGER, entry UINTEGER)',
  )
  // The semi-join picks the few rows whose first hash is a new key; only those get the second
  // hash (as an equality join condition it would be computed for every row) and then the entry.
  const sql = (lo: number, hi: number) => {
    const scans = streams.flatMap((s) =>
      ADDRESS_COLUMNS[s.dataset].map(
        ([kind, c]) =>
          `SELECT ${kind} AS kind, ${addressBytes(c, s.binary)} AS a FROM ${s.source} WHERE block_number BETWEEN ${lo} AND ${hi}`,
      ),
    )
    return `SELECT DISTINCT n.kind, n.entry, m.a[1:10], m.a[11:20] FROM (
        SELECT h.kind, h.h1, CAST(hash(h.a || '\\x01'::BLOB) & 4294967295 AS UINTEGER) AS k2, h.a
        FROM (SELECT kind, hash(a) AS h1, a FROM (${scans.join(' UNION ALL ')})) h
        SEMI JOIN bulk_new n ON n.kind = h.kind AND n.h1 = h.h1) m
      JOIN bulk_new n ON n.kind = m.kind AND n.h1 = m.h1 AND n.k2 = m.k2`
  }
  const send = async (kinds: NewEntries[], upto: number[]) => {
    await conn.run('DELETE FROM bulk_new')
    const appender = await conn.createAppender('bulk_new')
    try {
      kinds.forEach((entries, kind) => {
        const end = upto[kind]!
        for (let start = entries.sent; start < end; start += 2048) {
          const n = Math.min(2048, end - start)
          const chunk = DuckDBDataChunk.create([UTINYINT, UBIGINT, UINTEGER, UINTEGER], n)
          const vector = (k: number) =>
            chunk.getColumnVector(k) as unknown as {
              items: ArrayBufferView & ArrayLike<unknown>
              flush: () => void
            }
          const [kindV, h1V, k2V, entryV] = [0, 1, 2, 3].map(vector)
          const kindItems = kindV!.items as Uint8Array
          const h1 = new Uint32Array(h1V!.items.buffer, h1V!.items.byteOffset, 2 * n)
          const k2 = k2V!.items as Uint32Array
          const entry = entryV!.items as Uint32Array
          for (let i = 0; i < n; i++) {
            const e = start + i
            kindItems[i] = kind
            h1[2 * i] = entries.keys[3 * e]!
            h1[2 * i + 1] = entries.keys[3 * e + 1]!
            k2[i] = entries.keys[3 * e + 2]!
            entry[i] = e
          }
          for (const v of [kindV, h1V, k2V, entryV]) v!.flush()
          appender.appendDataChunk(chunk)
        }
        entries.sent = end
      })
      appender.flushSync()
    } finally {
      appender.closeSync()
    }
  }
  return {
    fetch: async (lo, hi, kinds) => {
      // The merge goes on while this runs: only entries added so far belong to blocks lo..hi.
      const upto = kinds.map((e) => e.count)
      if (kinds.every((e, k) => e.sent === upto[k])) return
      await send(kinds, upto)
      const result = await conn.run(sql(lo, hi))
      for (let c = 0; c < result.chunkCount; c++) {
        const chunk = result.getChunk(c)
        const kind = (chunk.getColumnVector(0) as unknown as { items: Uint8Array }).items
        const entry = (chunk.getColumnVector(1) as unknown as { items: Uint32Array }).items
        const halves = [2, 3].map(
          (k) => (chunk.getColumnVector(k) as unknown as { dataView: DataView }).dataView,
        )
        for (let i = 0; i < chunk.rowCount; i++) {
          const into = kinds[kind[i]!]!
          const e = entry[i]!
          if (into.named[e] === 1) continue // two addresses with one 96-bit key: keep one
          copyHalves(halves, i, into.bytes, e * 20)
          into.named[e] = 1
        }
      }
    },
    close: () => conn.closeSync(),
  }
}

/** Copies the 20 bytes of row `i` of two 10-byte BLOB columns (inline in DuckDB's string_t). */
function copyHalves(halves: DataView[], i: number, target: Uint8Array, at: number): void {
  for (let half = 0; half < 2; half++) {
    const view = halves[half]!
    const base = i * 16
    if (view.getUint32(base, true) !== 10)
      throw new BaseError('unexpected address layout in a DuckDB vector', {
        code: 'IMPORT_INTERNAL',
      })
    for (let k = 0; k < 10; k++) target[at + half * 10 + k] = view.getUint8(base + 4 + k)
  }
}

/** Keys of a dictionary table (computed by DuckDB exactly as for the imported columns). */
async function loadKeys(
  conn: DuckDBConnection,
  column: string,
  from: string,
  expected: number,
): Promise<KeyTable> {
  const table = createKeyTable(Math.max(expected, 1 << 16))
  const bytes = `unhex(substr(${column}, 3))`
  const result = await conn.stream(`SELECT ${addressKey(bytes)}, CAST(id AS UINTEGER) FROM ${from}`)
  for (;;) {
    const chunk = await result.fetchChunk()
    if (!chunk || chunk.rowCount === 0) break
    const m = chunk.rowCount
    const w = (k: number) => {
      const v = (chunk.getColumnVector(k) as unknown as { items: BigUint64Array }).items
      return new Uint32Array(v.buffer, v.byteOffset, m * 2)
    }
    const h1 = w(0)
    const h2 = w(1)
    const ids = (chunk.getColumnVector(2) as unknown as { items: Uint32Array }).items
    for (let i = 0; i < m; i++) table.add(h1[2 * i]!, h1[2 * i + 1]!, h2[2 * i]!, ids[i]!)
  }
  return table
}

/** Appends new dictionary entries (ids up to `end`) through a CSV file DuckDB reads in bulk. */
async function insertDictionary(
  conn: DuckDBConnection,
  dir: string,
  table: string,
  column: string,
  values: NewEntries,
): Promise<void> {
  const count = values.count
  if (count === 0) return
  const path = join(dir, `${table}.csv`)
  const fd = openSync(path, 'w')
  try {
    for (let start = 0; start < count; start += CSV_BATCH)
      writeAll(
        fd,
        dictionaryCsv(values.bytes, start, Math.min(count, start + CSV_BATCH), values.first),
      )
  } finally {
    closeSync(fd)
  }
  try {
    await conn.run(
      `INSERT INTO ${table} (${column}, id) SELECT a, i FROM read_csv(${sqlString(path)}, header = false, columns = {'a': 'VARCHAR', 'i': 'UINTEGER'})`,
    )
  } finally {
    rmSync(path, { force: true })
  }
}

const CSV_BATCH = 1 << 20
const HEX = new TextEncoder().encode('0123456789abcdef')

/**
 * Lines `0x<address>,<id>` for entries `start..end` of packed 20-byte addresses, written byte by
 * byte into one buffer (a JS string per line cost 0.5 µs each: 2.8 s for 5.5M new addresses).
 */
function dictionaryCsv(bytes: Uint8Array, start: number, end: number, firstId: number): Uint8Array {
  const out = new Uint8Array((end - start) * 54)
  let at = 0
  for (let i = start; i < end; i++) {
    out[at++] = 48 // '0'
    out[at++] = 120 // 'x'
    for (let k = i * 20; k < i * 20 + 20; k++) {
      out[at++] = HEX[bytes[k]! >>> 4]!
      out[at++] = HEX[bytes[k]! & 15]!
    }
    out[at++] = 44 // ','
    let id = firstId + i
    let digits = 1
    for (let p = 10; p <= id; p *= 10) digits++
    for (let d = digits - 1; d >= 0; d--) {
      out[at + d] = 48 + (id % 10)
      id = Math.floor(id / 10)
    }
    at += digits
    out[at++] = 10 // '\n'
  }
  return out.subarray(0, at)
}

type ColumnWriter = {
  push: (
    block: number,
    tx: number,
    from: number,
    to: number,
    token: number,
    amount: number,
    kind: number,
  ) => void
  close: () => Promise<void>
}

/**
 * Buffered writers for the seven engine columns of a run. Full buffers are handed to the kernel
 * asynchronously (libuv's thread pool) and replaced by fresh ones, so the merge loop never waits
 * for a write; `drain` (called between partitions) and `close` wait for what is in flight.
 */
function openColumnFiles(dir: string): ColumnWriter & { drain: () => Promise<void> } {
  const size = 1 << 20
  const fds = COLUMN_FILES.map(([name, type]) => openSync(join(dir, `${name}.${type}`), 'w'))
  const positions = COLUMN_FILES.map(() => 0)
  type BufferSet = [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Float64Array,
    Uint8Array,
  ]
  // Buffer sets come back here once written: reusing them spares the page faults of new ones.
  const pool: BufferSet[] = []
  const fresh = (): BufferSet =>
    pool.pop() ?? [
      new Uint32Array(size),
      new Uint32Array(size),
      new Uint32Array(size),
      new Uint32Array(size),
      new Uint32Array(size),
      new Float64Array(size),
      new Uint8Array(size),
    ]
  let [block, tx, from, to, token, amount, kind] = fresh()
  let n = 0
  let pending: Promise<void>[] = []
  let failure: unknown
  let closed = false
  const flush = () => {
    const buffers: BufferSet = [block, tx, from, to, token, amount, kind]
    const writes = buffers.map((buffer, k) => {
      const bytes = new Uint8Array(buffer.buffer, 0, n * buffer.BYTES_PER_ELEMENT)
      const position = positions[k]!
      positions[k] = position + bytes.length
      return writeFully(fds[k]!, bytes, position)
    })
    pending.push(
      Promise.all(writes).then(
        () => {
          pool.push(buffers)
        },
        (error: unknown) => {
          failure ??= error
        },
      ),
    )
    ;[block, tx, from, to, token, amount, kind] = fresh()
    n = 0
  }
  const drain = async () => {
    await Promise.all(pending)
    pending = []
    if (failure) throw failure
  }
  return {
    push: (b, t, f, a, k, v, d) => {
      block[n] = b
      tx[n] = t
      from[n] = f
      to[n] = a
      token[n] = k
      amount[n] = v
      kind[n] = d
      n += 1
      if (n === size) flush()
    },
    drain,
    close: async () => {
      if (closed) return
      closed = true
      flush()
      try {
        await drain()
      } finally {
        for (const fd of fds) closeSync(fd)
      }
    },
  }
}

/** Writes all of `bytes` at `position` without blocking the event loop. */
function writeFully(fd: number, bytes: Uint8Array, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (offset: number) => {
      if (offset >= bytes.length) return resolve()
      write(fd, bytes, offset, bytes.length - offset, position + offset, (error, written) =>
        error ? reject(error) : step(offset + written),
      )
    }
    step(0)
  })
}

function createU32Writer(path: string): {
  push: (a: number, b: number) => void
  close: () => void
} {
  const fd = openSync(path, 'w')
  const buffer = new Uint32Array(1 << 20)
  let n = 0
  return {
    push: (a, b) => {
      buffer[n] = a
      buffer[n + 1] = b
      n += 2
      if (n === buffer.length) {
        writeAll(fd, buffer)
        n = 0
      }
    },
    close: () => {
      writeAll(fd, buffer.subarray(0, n))
      closeSync(fd)
    },
  }
}

function writeAll(fd: number, view: ArrayBufferView): void {
  let offset = 0
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset)
}

/**
 * The engine rows of a run, `chunkRows` at a time, read straight from its column files.
 *
 * @example
 * for await (const columns of runChunks(run, 1 << 20)) applyTransfers(state, columns, prepareTransfers(state, columns))
 */
export async function* runChunks(run: BulkRun, chunkRows: number): AsyncGenerator<TransferColumns> {
  const fds = COLUMN_FILES.map(([name, type]) => openSync(join(run.dir, `${name}.${type}`), 'r'))
  try {
    const block32 = new Uint32Array(chunkRows)
    for (let start = 0; start < run.rows; start += chunkRows) {
      const n = Math.min(chunkRows, run.rows - start)
      const out = allocateTransferColumns(n)
      const views: ArrayBufferView[] = [
        block32.subarray(0, n),
        out.txId,
        out.from,
        out.to,
        out.token,
        out.amount,
        out.kind,
      ]
      views.forEach((view, k) => {
        const width = view.byteLength / n
        readAll(fds[k]!, view, start * width, run.dir)
      })
      out.block.set(block32.subarray(0, n))
      yield out
    }
  } finally {
    for (const fd of fds) closeSync(fd)
  }
}

function readAll(fd: number, view: ArrayBufferView, position: number, dir: string): void {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
  let offset = 0
  while (offset < bytes.length) {
    const got = readSync(fd, bytes, offset, bytes.length - offset, position + offset)
    if (got === 0)
      throw new BaseError('a bulk run file is shorter than its run says (store damaged)', {
        code: 'STORE_CORRUPT',
        field: dir,
      })
    offset += got
  }
}

/** (block, transaction index) of every transaction id of a run, in id order. */
export function readTxKeys(run: BulkRun): Uint32Array {
  const keys = new Uint32Array(run.txCount * 2)
  const fd = openSync(join(run.dir, 'txkeys.u32'), 'r')
  try {
    readAll(fd, keys, 0, run.dir)
  } finally {
    closeSync(fd)
  }
  return keys
}

/** Id of (block, index) in a run's keys (sorted), or -1. */
function idOfKey(keys: Uint32Array, block: number, index: number): number {
  let lo = 0
  let hi = keys.length / 2 - 1
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    const b = keys[2 * mid]!
    const x = keys[2 * mid + 1]!
    if (b === block && x === index) return mid
    if (b < block || (b === block && x < index)) lo = mid + 1
    else hi = mid - 1
  }
  return -1
}

/** The kept files of a run that carry transaction hashes, best source first. */
function hashSources(run: BulkRun): { paths: string; binary: boolean }[] {
  const order: Dataset[] = ['transactions', 'native_transfers', 'erc20_transfers']
  const out: { paths: string; binary: boolean }[] = []
  for (const dataset of order) {
    const files = run.files.filter((f) => f.dataset === dataset)
    if (files.length === 0) continue
    out.push({
      paths: `[${files.map((f) => sqlString(join(run.dir, 'files', f.name))).join(', ')}]`,
      binary: files[0]!.binary,
    })
  }
  return out
}

const hashText = (binary: boolean) =>
  binary ? `'0x' || lower(hex(transaction_hash))` : 'lower(transaction_hash)'

/**
 * Transaction ids of the given hashes (lowercase 0x) in the bulk runs, looked up in the kept
 * files and mapped through each run's keys.
 */
export async function bulkTxIdsOf(
  conn: DuckDBConnection,
  runs: readonly BulkRun[],
  hashes: readonly string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  if (hashes.length === 0) return out
  for (const run of runs) {
    const keys = readTxKeys(run)
    for (const source of hashSources(run)) {
      const wanted = hashes.filter((h) => !out.has(h))
      if (wanted.length === 0) break
      const list = wanted
        .map((h) => (source.binary ? `unhex(${sqlString(h.slice(2))})` : sqlString(h)))
        .join(', ')
      const column = source.binary ? 'transaction_hash' : 'lower(transaction_hash)'
      const rows = (
        await conn.runAndReadAll(
          `SELECT DISTINCT ${hashText(source.binary)} AS h, block_number, transaction_index FROM read_parquet(${source.paths}) WHERE ${column} IN (${list})`,
        )
      ).getRows()
      for (const [h, b, x] of rows) {
        const id = idOfKey(keys, Number(b), Number(x))
        if (id >= 0) out.set(String(h), run.txBase + id)
      }
    }
  }
  return out
}

/** Hashes of bulk transaction ids, from the kept files. */
export async function bulkTxHashesOf(
  conn: DuckDBConnection,
  runs: readonly BulkRun[],
  ids: readonly number[],
): Promise<Map<number, string>> {
  const out = new Map<number, string>()
  for (const run of runs) {
    const mine = ids.filter((id) => id >= run.txBase && id < run.txBase + run.txCount)
    if (mine.length === 0) continue
    const keys = readTxKeys(run)
    const byKey = new Map<string, number>()
    for (const id of mine) {
      const k = id - run.txBase
      byKey.set(`${keys[2 * k]}:${keys[2 * k + 1]}`, id)
    }
    const blocks = [...new Set(mine.map((id) => keys[2 * (id - run.txBase)]!))].join(', ')
    for (const source of hashSources(run)) {
      if ([...byKey.values()].every((id) => out.has(id))) break
      const rows = (
        await conn.runAndReadAll(
          `SELECT block_number, transaction_index, ${hashText(source.binary)} FROM read_parquet(${source.paths}) WHERE block_number IN (${blocks})`,
        )
      ).getRows()
      for (const [b, x, h] of rows) {
        const id = byKey.get(`${Number(b)}:${Number(x)}`)
        if (id !== undefined && !out.has(id)) out.set(id, String(h))
      }
    }
  }
  return out
}

/** Transactions of the bulk runs by hash (from the kept transactions files, else transfers). */
export async function bulkFindTransactions(
  conn: DuckDBConnection,
  runs: readonly BulkRun[],
  hashes: readonly string[],
): Promise<TransactionRecord[]> {
  const out: TransactionRecord[] = []
  const found = new Set<string>()
  for (const run of runs) {
    for (const dataset of BULK_DATASETS) {
      const files = run.files.filter((f) => f.dataset === dataset)
      const wanted = hashes.filter((h) => !found.has(h))
      if (files.length === 0 || wanted.length === 0) continue
      const binary = files[0]!.binary
      const paths = `[${files.map((f) => sqlString(join(run.dir, 'files', f.name))).join(', ')}]`
      const text = (c: string) => (binary ? `'0x' || lower(hex(${c}))` : `lower(${c})`)
      const column = binary ? 'transaction_hash' : 'lower(transaction_hash)'
      const list = wanted
        .map((h) => (binary ? `unhex(${sqlString(h.slice(2))})` : sqlString(h)))
        .join(', ')
      const described = (
        await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${paths})`)
      ).getRowObjectsJS()
      const has = new Set(described.map((r) => String(r['column_name'])))
      const opt = (c: string, sql = c) => (has.has(c) ? sql : 'NULL')
      const sql =
        dataset === 'transactions'
          ? `SELECT ${text('transaction_hash')}, block_number, transaction_index, ${text('from_address')}, coalesce(${text('to_address')}, ''),
              ${opt('value_string')}, ${opt('gas_price', 'CAST(gas_price AS VARCHAR)')}, ${opt('gas_used', 'CAST(gas_used AS VARCHAR)')},
              ${opt('success', 'CASE WHEN success THEN 1 ELSE 0 END')}
             FROM read_parquet(${paths}) WHERE ${column} IN (${list})`
          : `SELECT DISTINCT ON (transaction_hash) ${text('transaction_hash')}, block_number, transaction_index, ${text('from_address')}, ${text('to_address')},
              '0', NULL, NULL, NULL FROM read_parquet(${paths}) WHERE ${column} IN (${list})`
      for (const r of (await conn.runAndReadAll(sql)).getRows()) {
        const hash = String(r[0])
        if (found.has(hash)) continue
        found.add(hash)
        const tx: TransactionRecord = {
          chainId: run.chainId,
          hash,
          block: Number(r[1]),
          txIndex: Number(r[2]),
          from: String(r[3]),
          to: String(r[4]),
          value: BigInt(String(r[5] ?? '0')),
        }
        if (r[6] != null) {
          tx.gasPrice = BigInt(String(r[6]))
          tx.effectiveGasPrice = tx.gasPrice
        }
        if (r[7] != null) tx.gasUsed = BigInt(String(r[7]))
        if (r[8] != null) tx.status = Number(r[8])
        out.push(tx)
      }
    }
  }
  return out
}

/** Runs whose block range meets [first, last]. */
export function overlappingRuns(runs: readonly BulkRun[], first: number, last: number): BulkRun[] {
  return runs.filter((r) => r.firstBlock <= last && r.lastBlock >= first)
}

/** The kept files of a run, as import files (for demotion through the SQL path). */
export function runImportFiles(run: BulkRun): ImportFile[] {
  return run.files.map((f) => ({
    path: join(run.dir, 'files', f.name),
    format: 'cryo' as const,
    dataset: f.dataset,
  }))
}

function seconds(t0: number): string {
  return `${((performance.now() - t0) / 1000).toFixed(1)} s`
}

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`
}

/** Every transaction hash of a run by local id (for scans that want all hashes up front). */
export async function bulkAllTxHashes(conn: DuckDBConnection, run: BulkRun): Promise<string[]> {
  const keys = readTxKeys(run)
  const out: string[] = new Array(run.txCount)
  for (const source of hashSources(run)) {
    const result = await conn.stream(
      `SELECT DISTINCT block_number, transaction_index, ${hashText(source.binary)} FROM read_parquet(${source.paths})`,
    )
    for (;;) {
      const chunk = await result.fetchChunk()
      if (!chunk || chunk.rowCount === 0) break
      for (const [b, x, h] of chunk.getRows()) {
        const id = idOfKey(keys, Number(b), Number(x))
        if (id >= 0 && out[id] === undefined) out[id] = String(h)
      }
    }
  }
  return out
}
