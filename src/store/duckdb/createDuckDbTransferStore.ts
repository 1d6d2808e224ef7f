import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'
import { decodeAbiParameters, keccak256, toHex } from 'viem'
import { InputError } from '../../core/BaseError.js'
import { errorFirstLine } from '../../core/errorFirstLine.js'
import {
  allocateTransferColumns,
  sliceTransferColumns,
  type TransferColumns,
} from '../../trace/TransferColumns.js'
import type {
  ImportBatch,
  ImportFile,
  ImportResult,
  StoreCounts,
  TaintRunRecord,
  TransactionRecord,
  TransferScan,
  TransferStore,
} from '../TransferStore.js'
import {
  type BulkRun,
  bulkAllTxHashes,
  bulkFindTransactions,
  bulkTxHashesOf,
  bulkTxIdsOf,
  importBulkRun,
  NEXT_TX_ID_SQL,
  overlappingRuns,
  planBulkImport,
  readBulkRuns,
  removeOrphanRuns,
  runChunks,
  runImportFiles,
} from './bulkRuns.js'
import { DATASETS, PATTERNS } from './fileDatasets.js'
import { MIGRATIONS } from './migrations.js'

/** THORChain router `Deposit(address indexed to, address indexed asset, uint256 amount, string memo)`. */
export const THORCHAIN_DEPOSIT_TOPIC = keccak256(toHex('Deposit(address,address,uint256,string)'))
/** WETH9 `Deposit(address indexed dst, uint256 wad)`: wrapped tokens minted to dst. */
export const WETH_DEPOSIT_TOPIC = keccak256(toHex('Deposit(address,uint256)'))
/** WETH9 `Withdrawal(address indexed src, uint256 wad)`: wrapped tokens burned by src. */
export const WETH_WITHDRAWAL_TOPIC = keccak256(toHex('Withdrawal(address,uint256)'))

export type DuckDbTransferStoreOptions = {
  /** Chain id for files that do not carry one (ethereum-etl CSV). Default 1. */
  chainId?: number
  /** DuckDB memory limit, e.g. '4GB'. */
  memoryLimit?: string
  threads?: number
  /**
   * Cryo Parquet imports into a block range the store does not hold yet become bulk runs
   * (bulkRuns.ts). Default true; the ClickHouse importer, which copies this store's tables,
   * turns it off.
   */
  bulk?: boolean
  /**
   * Rows per block-range partition of a bulk run (default about 4M: DuckDB reads one while the
   * previous one is merged). Tests set it small to cross many partition boundaries.
   */
  bulkPartitionRows?: number
}

/** Columns of the staged (text) form of each table; the integer id columns are added at merge. */
const TRANSFER_COLUMNS =
  'chain_id, tx_hash, kind, ordinal, block_number, tx_index, token, from_address, to_address, amount, amount_f64'
const TRANSACTION_COLUMNS =
  'chain_id, tx_hash, block_number, tx_index, from_address, to_address, value, gas_price'
const RECEIPT_COLUMNS = 'chain_id, tx_hash, gas_used, effective_gas_price, status'

const STAGING = [
  `CREATE OR REPLACE TEMP TABLE st_transfers AS SELECT ${TRANSFER_COLUMNS} FROM transfers LIMIT 0`,
  `CREATE OR REPLACE TEMP TABLE st_transactions AS SELECT ${TRANSACTION_COLUMNS} FROM transactions LIMIT 0`,
  `CREATE OR REPLACE TEMP TABLE st_receipts AS SELECT ${RECEIPT_COLUMNS} FROM receipts LIMIT 0`,
  `CREATE OR REPLACE TEMP TABLE st_memos AS SELECT * FROM memos LIMIT 0`,
]

/**
 * Opens (creating if needed) a DuckDB transfer store at `path` (':memory:' for tests) and runs
 * its migrations.
 *
 * @example
 * const store = await createDuckDbTransferStore('./heistguard-transfers.duckdb')
 * await store.importFiles([{ path: 'token_transfers.csv', format: 'ethereum-etl', dataset: 'token_transfers' }])
 */
export async function createDuckDbTransferStore(
  path: string,
  options: DuckDbTransferStoreOptions = {},
): Promise<TransferStore> {
  // Bounded by default: a 100M-row import or scan spills to disk instead of growing past what
  // a laptop has (DuckDB's own default is 80% of RAM). Insertion order is never relied on.
  const config: Record<string, string> = {
    memory_limit: options.memoryLimit ?? '4GB',
    preserve_insertion_order: 'false',
  }
  if (options.threads) config['threads'] = String(options.threads)
  let instance: DuckDBInstance
  try {
    instance = await DuckDBInstance.create(path, config)
  } catch (error) {
    throw new InputError(`cannot open the transfer store: ${errorFirstLine(error)}`, {
      code: 'STORE_OPEN',
      field: path,
      cause: error,
    })
  }
  const conn = await instance.connect()
  const chainId = options.chainId ?? 1
  const bulk = options.bulk !== false
  // Bulk runs live beside the database file (in a temporary directory for ':memory:').
  const memory = path === ':memory:' || path === ''
  const runsRoot = memory ? mkdtempSync(join(tmpdir(), 'hg-duckdb-runs-')) : `${path}.runs`

  const all = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJS()
  const scalar = async (sql: string): Promise<number> =>
    Number(Object.values((await all(sql))[0] ?? {})[0] ?? 0)

  /** Transactions of the SQL tables by (lowercase) hash. */
  const findSqlTransactions = async (hashes: string[]): Promise<TransactionRecord[]> => {
    const list = hashes.map((h) => sqlString(h)).join(',')
    const rows = await all(
      `SELECT t.chain_id, t.tx_hash, t.block_number, t.tx_index, t.from_address, t.to_address, t.value, t.gas_price, r.gas_used, r.effective_gas_price, r.status
       FROM transactions t LEFT JOIN receipts r USING (chain_id, tx_hash) WHERE t.tx_hash IN (${list})
       UNION ALL
       SELECT DISTINCT ON (chain_id, tx_hash) chain_id, tx_hash, block_number, coalesce(tx_index, 0), from_address, to_address, '0', NULL, NULL, NULL, NULL
       FROM transfers WHERE tx_hash IN (${list}) AND tx_hash NOT IN (SELECT tx_hash FROM transactions)`,
    )
    return rows.map(
      (r): TransactionRecord => ({
        chainId: Number(r['chain_id']),
        hash: String(r['tx_hash']),
        block: Number(r['block_number']),
        txIndex: Number(r['tx_index']),
        from: String(r['from_address']),
        to: String(r['to_address']),
        value: BigInt(String(r['value'])),
        ...(r['gas_price'] != null ? { gasPrice: BigInt(String(r['gas_price'])) } : {}),
        ...(r['gas_used'] != null ? { gasUsed: BigInt(String(r['gas_used'])) } : {}),
        ...(r['effective_gas_price'] != null
          ? { effectiveGasPrice: BigInt(String(r['effective_gas_price'])) }
          : {}),
        ...(r['status'] != null ? { status: Number(r['status']) } : {}),
      }),
    )
  }

  /**
   * The SQL import path: stage (by `stage`), demote bulk runs that overlap the staged blocks
   * (their kept files are staged too), merge with dedupe. Counts exclude demoted rows, which
   * were in the store already.
   */
  const sqlImport = async (stage: () => Promise<void>, onProgress?: (line: string) => void) => {
    const demoted: BulkRun[] = []
    const result = await inTransaction(conn, async () => {
      for (const sql of STAGING) await conn.run(sql)
      await stage()
      const range = (
        await conn.runAndReadAll(
          'SELECT min(b), max(b) FROM (SELECT block_number AS b FROM st_transfers UNION ALL SELECT block_number FROM st_transactions)',
        )
      ).getRows()[0]!
      if (range[0] !== null)
        for (const run of overlappingRuns(
          await readBulkRuns(conn),
          Number(range[0]),
          Number(range[1]),
        )) {
          onProgress?.(
            `blocks ${run.firstBlock}-${run.lastBlock} are a bulk run: re-importing it through SQL to dedupe`,
          )
          for (const file of runImportFiles(run)) await stageFile(conn, file, chainId)
          await conn.run(`DELETE FROM bulk_runs WHERE run_id = ${run.runId}`)
          demoted.push(run)
        }
      const t0 = performance.now()
      const merged = await merge(conn, onProgress)
      const less = (n: number, key: 'transfers' | 'transactions' | 'receipts') =>
        Math.max(0, n - demoted.reduce((sum, r) => sum + r[key], 0))
      const added = {
        transfers: less(merged.transfers, 'transfers'),
        transactions: less(merged.transactions, 'transactions'),
        receipts: less(merged.receipts, 'receipts'),
        memos: merged.memos,
      }
      onProgress?.(
        `imported ${added.transfers} new transfers, ${added.transactions} transactions, ${added.receipts} receipts, ${added.memos} memos (ids and dedupe in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
      )
      return added
    })
    for (const run of demoted) rmSync(run.dir, { recursive: true, force: true })
    return result
  }

  const store: TransferStore = {
    backend: 'duckdb',
    location: path,
    migrate: async () => {
      await conn.run(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL, name VARCHAR NOT NULL, applied_at TIMESTAMP DEFAULT current_timestamp)',
      )
      const applied = new Set(
        (await all('SELECT version FROM schema_migrations')).map((r) => Number(r['version'])),
      )
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue
        await inTransaction(conn, async () => {
          for (const sql of m.statements) await conn.run(sql)
          await conn.run(
            `INSERT INTO schema_migrations (version, name) VALUES (${m.version}, ${sqlString(m.name)})`,
          )
        })
      }
      removeOrphanRuns(runsRoot, await readBulkRuns(conn))
    },
    importRecords: async (batch) =>
      sqlImport(async () => {
        await insertRecords(conn, batch, chainId)
      }),
    importFiles: async (files, opts) => {
      const seconds = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(1)} s`
      if (bulk) {
        const plan = await planBulkImport(conn, files, chainId)
        if (plan === 'known') {
          opts?.onProgress?.(
            'every file was imported before (same Parquet fingerprint): nothing to do',
          )
          return { transfers: 0, transactions: 0, receipts: 0, memos: 0 }
        }
        if (plan) {
          const t0 = performance.now()
          try {
            const result = await inTransaction(conn, () =>
              importBulkRun(
                instance,
                conn,
                plan,
                runsRoot,
                opts?.onProgress,
                options.bulkPartitionRows,
              ),
            )
            opts?.onProgress?.(
              `imported ${result.transfers} new transfers, ${result.transactions} transactions, ${result.receipts} receipts as a bulk run (${seconds(t0)})`,
            )
            return result
          } catch (error) {
            // The SQL path is the reference: it names the exact bad row (file:row), or imports
            // what the bulk path could not (e.g. a hash collision), slower.
            opts?.onProgress?.(
              `bulk import stopped (${errorFirstLine(error)}); importing through SQL instead`,
            )
          }
        }
      }
      return sqlImport(async () => {
        for (const file of files) {
          const t0 = performance.now()
          const rows = await stageFile(conn, file, chainId)
          opts?.onProgress?.(
            `read ${file.path} (${file.format} ${file.dataset}): ${rows} rows, checked and staged in ${seconds(t0)}`,
          )
        }
      }, opts?.onProgress)
    },
    scanTransfers: async (opts) =>
      scan(
        conn,
        opts?.chunkRows ?? 1 << 20,
        opts?.lazyTxHashes === true,
        opts?.lazyAddresses === true,
      ),
    findTransactions: async (hashes) => {
      if (hashes.length === 0) return []
      const wanted = hashes.map((h) => h.toLowerCase())
      const fromSql = await findSqlTransactions(wanted)
      const found = new Set(fromSql.map((t) => t.hash))
      const rest = wanted.filter((h) => !found.has(h))
      if (rest.length === 0) return fromSql
      return [...fromSql, ...(await bulkFindTransactions(conn, await readBulkRuns(conn), rest))]
    },
    findMemos: async (hashes) => {
      const out = new Map<string, string>()
      if (hashes.length === 0) return out
      const rows = await all(
        `SELECT tx_hash, memo FROM memos WHERE tx_hash IN (${hashes.map((h) => sqlString(h.toLowerCase())).join(',')}) ORDER BY log_index`,
      )
      for (const r of rows)
        if (!out.has(String(r['tx_hash']))) out.set(String(r['tx_hash']), String(r['memo']))
      return out
    },
    counts: async (): Promise<StoreCounts> => {
      const r = (
        await all(
          `SELECT (SELECT count(*) FROM transfers) AS transfers, (SELECT count(*) FROM transactions) AS transactions,
          (SELECT count(*) FROM receipts) AS receipts, (SELECT count(DISTINCT run_id) FROM taint_runs) AS runs,
          (SELECT min(block_number) FROM transfers) AS min_block, (SELECT max(block_number) FROM transfers) AS max_block`,
        )
      )[0]!
      const runs = await readBulkRuns(conn)
      const sum = (key: 'transfers' | 'transactions' | 'receipts') =>
        runs.reduce((total, run) => total + run[key], 0)
      const blocks = [
        ...(r['min_block'] == null ? [] : [Number(r['min_block']), Number(r['max_block'])]),
        ...runs.flatMap((run) => [run.firstBlock, run.lastBlock]),
      ]
      return {
        transfers: Number(r['transfers']) + sum('transfers'),
        transactions: Number(r['transactions']) + sum('transactions'),
        receipts: Number(r['receipts']) + sum('receipts'),
        taintRuns: Number(r['runs']),
        minBlock: blocks.length === 0 ? null : Math.min(...blocks),
        maxBlock: blocks.length === 0 ? null : Math.max(...blocks),
      }
    },
    saveTaintResults: async (run) =>
      inTransaction(conn, async () => {
        const id = sqlString(run.runId)
        await conn.run(`DELETE FROM taint_results WHERE run_id = ${id}`)
        await conn.run(`DELETE FROM taint_runs WHERE run_id = ${id}`)
        await conn.run(
          `INSERT INTO taint_runs (run_id, policy, heists, report) VALUES (${id}, ${sqlString(run.policy)}, ${sqlString(JSON.stringify(run.heists))}, ${run.report === undefined ? 'NULL' : sqlString(run.report)})`,
        )
        for (let i = 0; i < run.holdings.length; i += 1000) {
          const values = run.holdings
            .slice(i, i + 1000)
            .map(
              (h) =>
                `(${id}, ${sqlString(h.address)}, ${sqlString(h.token)}, ${sqlString(h.heist)}, ${sqlString(h.amount)}, ${sqlString(h.balance)})`,
            )
          await conn.run(`INSERT INTO taint_results VALUES ${values.join(',')}`)
        }
      }),
    readTaintResults: async (runId) => {
      const runs = await all(
        `SELECT policy, heists, report FROM taint_runs WHERE run_id = ${sqlString(runId)}`,
      )
      if (runs.length === 0) return undefined
      const rows = await all(
        `SELECT address, token, heist, amount, balance FROM taint_results WHERE run_id = ${sqlString(runId)} ORDER BY address, token, heist`,
      )
      const run: TaintRunRecord = {
        runId,
        policy: String(runs[0]!['policy']),
        heists: JSON.parse(String(runs[0]!['heists'])) as string[],
        holdings: rows.map((r) => ({
          address: String(r['address']),
          token: String(r['token']),
          heist: String(r['heist']),
          amount: String(r['amount']),
          balance: String(r['balance']),
        })),
      }
      if (runs[0]!['report'] != null) run.report = String(runs[0]!['report'])
      return run
    },
    close: async () => {
      conn.closeSync()
      instance.closeSync()
      if (memory) rmSync(runsRoot, { recursive: true, force: true })
    },
  }
  void scalar
  await store.migrate()
  return store
}

async function inTransaction<T>(conn: DuckDBConnection, fn: () => Promise<T>): Promise<T> {
  await conn.run('BEGIN TRANSACTION')
  try {
    const result = await fn()
    await conn.run('COMMIT')
    return result
  } catch (error) {
    await conn.run('ROLLBACK')
    throw error
  }
}

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`
}

/** Moves staged rows into the store, skipping rows whose dedupe key is already present. */
async function merge(
  conn: DuckDBConnection,
  onProgress?: (line: string) => void,
): Promise<ImportResult> {
  // A 100M-row merge runs for minutes: say which step it is in.
  const step = async (what: string, sql: string) => {
    const t0 = performance.now()
    await conn.run(sql)
    onProgress?.(`${what} (${((performance.now() - t0) / 1000).toFixed(1)} s)`)
  }
  const count = async (sql: string) =>
    Number((await conn.runAndReadAll(sql)).getRowObjectsJS()[0]?.['n'] ?? 0)
  const before = {
    transfers: await count('SELECT count(*) AS n FROM transfers'),
    transactions: await count('SELECT count(*) AS n FROM transactions'),
    receipts: await count('SELECT count(*) AS n FROM receipts'),
    memos: await count('SELECT count(*) AS n FROM memos'),
  }
  await assignIds(conn, onProgress)
  // An empty table needs no anti-join (the first bulk import of a store is the big one).
  const unseen = (table: string, on: string) =>
    before[table as keyof typeof before] === 0
      ? 'true'
      : `NOT EXISTS (SELECT 1 FROM ${table} t WHERE ${on})`
  await step(
    'stored transfers',
    `INSERT INTO transfers SELECT s.*, x.id, f.id, a.id, k.id
    FROM (SELECT DISTINCT ON (chain_id, tx_hash, kind, ordinal) * FROM st_transfers) s
    JOIN dict_tx x ON x.tx_hash = s.tx_hash LEFT JOIN dict_address f ON f.address = s.from_address
    LEFT JOIN dict_address a ON a.address = s.to_address JOIN dict_token k ON k.token = s.token
    WHERE ${unseen('transfers', 't.tx_id = x.id AND t.chain_id = s.chain_id AND t.kind = s.kind AND t.ordinal = s.ordinal')}`,
  )
  await step(
    'stored transactions',
    `INSERT INTO transactions SELECT s.*, x.id, f.id
    FROM (SELECT DISTINCT ON (chain_id, tx_hash) * FROM st_transactions) s
    JOIN dict_tx x ON x.tx_hash = s.tx_hash LEFT JOIN dict_address f ON f.address = s.from_address
    WHERE ${unseen('transactions', 't.tx_id = x.id AND t.chain_id = s.chain_id')}`,
  )
  await step(
    'stored receipts',
    `INSERT INTO receipts SELECT s.*, x.id
    FROM (SELECT DISTINCT ON (chain_id, tx_hash) * FROM st_receipts) s JOIN dict_tx x ON x.tx_hash = s.tx_hash
    WHERE ${unseen('receipts', 't.tx_id = x.id AND t.chain_id = s.chain_id')}`,
  )
  await conn.run(`INSERT INTO memos SELECT * FROM (SELECT DISTINCT ON (chain_id, tx_hash, log_index) * FROM st_memos) s
    WHERE NOT EXISTS (SELECT 1 FROM memos t WHERE t.chain_id = s.chain_id AND t.tx_hash = s.tx_hash AND t.log_index = s.log_index)`)
  return {
    transfers: (await count('SELECT count(*) AS n FROM transfers')) - before.transfers,
    transactions: (await count('SELECT count(*) AS n FROM transactions')) - before.transactions,
    receipts: (await count('SELECT count(*) AS n FROM receipts')) - before.receipts,
    memos: (await count('SELECT count(*) AS n FROM memos')) - before.memos,
  }
}

/**
 * Gives every transaction hash, address and token in the staging tables a dense integer id
 * (new ones numbered after the existing ones), so that stored rows carry ids and the scan never
 * joins on text.
 */
async function assignIds(
  conn: DuckDBConnection,
  onProgress?: (line: string) => void,
): Promise<void> {
  const t0 = performance.now()
  await conn.run(`INSERT INTO dict_tx SELECT h, CAST(${NEXT_TX_ID_SQL} + row_number() OVER () - 1 AS UINTEGER)
    FROM (SELECT tx_hash AS h FROM st_transfers UNION SELECT tx_hash FROM st_transactions UNION SELECT tx_hash FROM st_receipts) n
    WHERE NOT EXISTS (SELECT 1 FROM dict_tx d WHERE d.tx_hash = n.h)`)
  // Addresses sorted within a batch so that ids (and ties in reports) do not depend on threads.
  await conn.run(`INSERT INTO dict_address SELECT a, CAST((SELECT count(*) FROM dict_address) + row_number() OVER (ORDER BY a) - 1 AS UINTEGER)
    FROM (SELECT from_address AS a FROM st_transfers UNION SELECT to_address FROM st_transfers UNION SELECT from_address FROM st_transactions) n
    WHERE a <> '' AND NOT EXISTS (SELECT 1 FROM dict_address d WHERE d.address = n.a)`)
  await conn.run(`INSERT INTO dict_token SELECT token, CAST((SELECT count(*) FROM dict_token) + row_number() OVER (ORDER BY token) - 1 AS UINTEGER)
    FROM (SELECT DISTINCT token FROM st_transfers) n WHERE NOT EXISTS (SELECT 1 FROM dict_token d WHERE d.token = n.token)`)
  onProgress?.(
    `numbered transactions, addresses and tokens (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  )
}

/** Appends parsed records (RPC ingest) to the staging tables. */
async function insertRecords(
  conn: DuckDBConnection,
  batch: ImportBatch,
  defaultChain: number,
): Promise<void> {
  const chunks = <T>(xs: readonly T[]) =>
    Array.from({ length: Math.ceil(xs.length / 1000) }, (_, i) =>
      xs.slice(i * 1000, i * 1000 + 1000),
    )
  for (const part of chunks(batch.transfers)) {
    const values = part.map(
      (t) =>
        `(${t.chainId || defaultChain}, ${sqlString(t.txHash)}, ${sqlString(t.kind)}, ${t.ordinal}, ${t.block}, ${t.txIndex}, ${sqlString(t.token)}, ${sqlString(t.from)}, ${sqlString(t.to)}, ${sqlString(t.amount.toString())}, ${Number(t.amount)})`,
    )
    await conn.run(`INSERT INTO st_transfers VALUES ${values.join(',')}`)
  }
  for (const part of chunks(batch.transactions)) {
    const values = part.map(
      (t) =>
        `(${t.chainId || defaultChain}, ${sqlString(t.hash)}, ${t.block}, ${t.txIndex}, ${sqlString(t.from)}, ${sqlString(t.to)}, ${sqlString(t.value.toString())}, ${t.gasPrice === undefined ? 'NULL' : sqlString(t.gasPrice.toString())})`,
    )
    await conn.run(`INSERT INTO st_transactions VALUES ${values.join(',')}`)
    const receipts = part
      .filter((t) => t.gasUsed !== undefined)
      .map(
        (t) =>
          `(${t.chainId || defaultChain}, ${sqlString(t.hash)}, ${t.gasUsed}, ${t.effectiveGasPrice === undefined ? 'NULL' : sqlString(t.effectiveGasPrice.toString())}, ${t.status ?? 'NULL'})`,
      )
    if (receipts.length > 0) await conn.run(`INSERT INTO st_receipts VALUES ${receipts.join(',')}`)
  }
  for (const part of chunks(batch.memos ?? [])) {
    const values = part.map(
      (m) =>
        `(${m.chainId || defaultChain}, ${sqlString(m.txHash)}, ${m.logIndex}, ${sqlString(m.memo)})`,
    )
    await conn.run(`INSERT INTO st_memos VALUES ${values.join(',')}`)
  }
}

/**
 * Reads one bulk file into the staging tables after validating every row. CSV is read with all
 * columns as text so that a bad value is reported by us (file:line) instead of coerced.
 */
async function stageFile(
  conn: DuckDBConnection,
  file: ImportFile,
  chainId: number,
): Promise<number> {
  const spec = DATASETS[`${file.format}:${file.dataset}`]
  if (!spec)
    throw new InputError(`${file.format} has no ${file.dataset} dataset`, {
      code: 'IMPORT_FORMAT',
      field: file.path,
    })
  const isCsv = file.format === 'ethereum-etl'
  const source = isCsv
    ? `read_csv(${sqlString(file.path)}, all_varchar = true, header = true, strict_mode = true, parallel = false)`
    : `read_parquet(${sqlString(file.path)})`
  const where = (line: number | string) =>
    isCsv ? `${file.path}:${line}` : `${file.path} row ${line}`
  let described: Record<string, unknown>[]
  try {
    described = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRowObjectsJS()
  } catch (error) {
    throw duckInputError(error, file.path)
  }
  const types = new Map(described.map((r) => [String(r['column_name']), String(r['column_type'])]))
  for (const name of types.keys())
    if (!spec.known.includes(name))
      throw new InputError(
        `unknown column ${JSON.stringify(name)} in ${file.format} ${file.dataset}`,
        { code: 'IMPORT_COLUMN', field: where(1) },
      )
  for (const name of spec.required)
    if (!types.has(name))
      throw new InputError(
        `missing column ${JSON.stringify(name)} of ${file.format} ${file.dataset}`,
        { code: 'IMPORT_COLUMN', field: where(1) },
      )
  // Text of a column whatever its Parquet type: cryo writes hashes and addresses as binary by
  // default and as hex text with --hex.
  const text = (name: string) => {
    if (!types.has(name)) return 'CAST(NULL AS VARCHAR)'
    const t = types.get(name)!
    return t === 'BLOB' ? `('0x' || lower(hex("${name}")))` : `lower(CAST("${name}" AS VARCHAR))`
  }
  const valueColumn = ['value_string', 'value'].find((c) => types.has(c) && types.get(c) !== 'BLOB')
  const value = valueColumn ? text(valueColumn) : 'CAST(NULL AS VARCHAR)'
  const chain = types.has('chain_id')
    ? `coalesce(CAST("chain_id" AS UBIGINT), ${chainId})`
    : String(chainId)

  let select: string
  let checks: [string, string][]
  switch (`${file.format}:${file.dataset}`) {
    case 'ethereum-etl:transactions':
      select = `${text('hash')} AS tx_hash, ${text('block_number')} AS block_number, ${text('transaction_index')} AS tx_index,
        ${text('from_address')} AS from_address, coalesce(${text('to_address')}, '') AS to_address, ${text('value')} AS value,
        ${text('gas_price')} AS gas_price, ${text('receipt_gas_used')} AS gas_used, ${text('receipt_effective_gas_price')} AS effective_gas_price,
        ${text('receipt_status')} AS status`
      checks = [
        [
          `NOT regexp_full_match(tx_hash, ${PATTERNS.HASH})`,
          'hash is not a 32-byte hex transaction hash',
        ],
        [
          `NOT regexp_full_match(from_address, ${PATTERNS.ADDRESS})`,
          'from_address is not an address',
        ],
        [
          `to_address <> '' AND NOT regexp_full_match(to_address, ${PATTERNS.ADDRESS})`,
          'to_address is not an address',
        ],
        [`NOT regexp_full_match(value, ${PATTERNS.UINT})`, 'value is not a non-negative integer'],
        [
          `NOT regexp_full_match(block_number, '^[0-9]{1,15}$')`,
          'block_number is not a block number',
        ],
        [`NOT regexp_full_match(tx_index, '^[0-9]{1,9}$')`, 'transaction_index is not an index'],
        [
          `gas_price IS NOT NULL AND gas_price <> '' AND NOT regexp_full_match(gas_price, ${PATTERNS.UINT})`,
          'gas_price is not an integer',
        ],
        [
          `gas_used IS NOT NULL AND gas_used <> '' AND NOT regexp_full_match(gas_used, '^[0-9]{1,18}$')`,
          'receipt_gas_used is not an integer',
        ],
      ]
      break
    case 'ethereum-etl:token_transfers':
      select = `${text('transaction_hash')} AS tx_hash, ${text('block_number')} AS block_number, CAST(NULL AS VARCHAR) AS tx_index, ${text('log_index')} AS ordinal,
        ${text('token_address')} AS token, ${text('from_address')} AS from_address, ${text('to_address')} AS to_address, ${text('value')} AS value`
      checks = transferChecks('token_address')
      break
    case 'ethereum-etl:traces':
      // Ordinal = position of the trace in its transaction (the top-level call is 0, which is the
      // transaction's own value and dedupes with transactions.csv).
      select = `${text('transaction_hash')} AS tx_hash, ${text('block_number')} AS block_number, ${text('transaction_index')} AS tx_index,
        CAST(row_number() OVER (PARTITION BY "transaction_hash" ORDER BY rn) - 1 AS VARCHAR) AS ordinal, 'ETH' AS token,
        ${text('from_address')} AS from_address, ${text('to_address')} AS to_address, ${text('value')} AS value,
        ${text('trace_type')} AS trace_type, ${text('call_type')} AS call_type, ${text('status')} AS status, ${text('error')} AS error, ${text('trace_address')} AS trace_address`
      checks = [
        [
          `NOT regexp_full_match(block_number, '^[0-9]{1,15}$')`,
          'block_number is not a block number',
        ],
        [
          `trace_type IS NULL OR trace_type NOT IN ('call', 'create', 'suicide', 'reward', 'genesis', 'daofork')`,
          'trace_type is not a trace type',
        ],
        [
          `trace_type IN ('call', 'create', 'suicide') AND NOT regexp_full_match(tx_hash, ${PATTERNS.HASH})`,
          'transaction_hash is not a 32-byte hex transaction hash',
        ],
        [
          `NOT regexp_full_match(coalesce(value, '0'), ${PATTERNS.UINT})`,
          'value is not a non-negative integer',
        ],
        [
          `trace_type IN ('call', 'create', 'suicide') AND value <> '0' AND NOT regexp_full_match(coalesce(from_address, ''), ${PATTERNS.ADDRESS})`,
          'from_address is not an address',
        ],
        [
          `trace_type IN ('call', 'create', 'suicide') AND value <> '0' AND NOT regexp_full_match(coalesce(to_address, ''), ${PATTERNS.ADDRESS})`,
          'to_address is not an address',
        ],
      ]
      break
    case 'ethereum-etl:receipts':
      select = `${text('transaction_hash')} AS tx_hash, ${text('gas_used')} AS gas_used, ${text('effective_gas_price')} AS effective_gas_price, ${text('status')} AS status`
      checks = [
        [
          `NOT regexp_full_match(tx_hash, ${PATTERNS.HASH})`,
          'transaction_hash is not a 32-byte hex transaction hash',
        ],
        [`NOT regexp_full_match(gas_used, '^[0-9]{1,18}$')`, 'gas_used is not an integer'],
        [
          `effective_gas_price IS NOT NULL AND effective_gas_price <> '' AND NOT regexp_full_match(effective_gas_price, ${PATTERNS.UINT})`,
          'effective_gas_price is not an integer',
        ],
        [`status IS NOT NULL AND status NOT IN ('', '0', '1')`, 'status is not 0 or 1'],
      ]
      break
    case 'ethereum-etl:logs':
      select = `${text('transaction_hash')} AS tx_hash, ${text('block_number')} AS block_number, ${text('transaction_index')} AS tx_index,
        ${text('log_index')} AS ordinal, ${text('address')} AS address, ${text('data')} AS data, ${text('topics')} AS topics`
      checks = [
        [
          `NOT regexp_full_match(tx_hash, ${PATTERNS.HASH})`,
          'transaction_hash is not a 32-byte hex transaction hash',
        ],
        [`NOT regexp_full_match(address, ${PATTERNS.ADDRESS})`, 'address is not an address'],
        [`NOT regexp_full_match(ordinal, '^[0-9]{1,9}$')`, 'log_index is not an index'],
        [
          `NOT regexp_full_match(block_number, '^[0-9]{1,15}$')`,
          'block_number is not a block number',
        ],
      ]
      break
    case 'cryo:native_transfers':
      select = `${text('transaction_hash')} AS tx_hash, ${text('block_number')} AS block_number, ${text('transaction_index')} AS tx_index,
        ${text('transfer_index')} AS ordinal, 'ETH' AS token, ${text('from_address')} AS from_address, ${text('to_address')} AS to_address, ${value} AS value`
      checks = transferChecks(null)
      break
    case 'cryo:erc20_transfers':
      select = `${text('transaction_hash')} AS tx_hash, ${text('block_number')} AS block_number, ${text('transaction_index')} AS tx_index,
        ${text('log_index')} AS ordinal, ${text('erc20')} AS token, ${text('from_address')} AS from_address, ${text('to_address')} AS to_address, ${value} AS value`
      checks = transferChecks('erc20')
      break
    case 'cryo:transactions':
      select = `${text('transaction_hash')} AS tx_hash, ${text('block_number')} AS block_number, ${text('transaction_index')} AS tx_index,
        ${text('from_address')} AS from_address, coalesce(${text('to_address')}, '') AS to_address, coalesce(${value}, '0') AS value,
        ${text('gas_price')} AS gas_price, ${text('gas_used')} AS gas_used, ${text('gas_price')} AS effective_gas_price,
        CASE ${text('success')} WHEN 'true' THEN '1' WHEN 'false' THEN '0' ELSE NULL END AS status`
      checks = [
        [
          `NOT regexp_full_match(tx_hash, ${PATTERNS.HASH})`,
          'transaction_hash is not a 32-byte hex transaction hash',
        ],
        [
          `NOT regexp_full_match(from_address, ${PATTERNS.ADDRESS})`,
          'from_address is not an address',
        ],
        [
          `to_address <> '' AND NOT regexp_full_match(to_address, ${PATTERNS.ADDRESS})`,
          'to_address is not an address',
        ],
        [`NOT regexp_full_match(value, ${PATTERNS.UINT})`, 'value is not a non-negative integer'],
      ]
      break
    default:
      throw new InputError(`unsupported dataset ${file.dataset}`, {
        code: 'IMPORT_FORMAT',
        field: file.path,
      })
  }
  if (
    !isCsv &&
    !valueColumn &&
    (file.dataset === 'native_transfers' || file.dataset === 'erc20_transfers')
  )
    throw new InputError(
      'no text value column (value_string or value); export with cryo --u256-types string',
      { code: 'IMPORT_COLUMN', field: where(1) },
    )

  // CSV is materialized once (numbered lines); Parquet stays a view over the file, read once to
  // validate and once to stage, with its own row numbers: a 100M-row file never sits in memory
  // as text twice.
  const relation = isCsv ? 'TABLE' : 'VIEW'
  try {
    await conn.run(
      isCsv
        ? `CREATE OR REPLACE TEMP TABLE raw_file AS SELECT row_number() OVER () AS rn, * FROM ${source}`
        : `CREATE OR REPLACE TEMP VIEW raw_file AS SELECT file_row_number + 1 AS rn, * EXCLUDE (file_row_number)
           FROM read_parquet(${sqlString(file.path)}, file_row_number = true)`,
    )
    await conn.run(
      `CREATE OR REPLACE TEMP ${relation} norm_file AS SELECT rn, ${chain} AS chain_id, ${select} FROM raw_file`,
    )
  } catch (error) {
    throw duckInputError(error, file.path)
  }
  // An unsigned Parquet integer cast to text is digits only, so its "^[0-9]{1,N}$" check is a
  // length check: the regex runs only on text that could really be malformed.
  const unsigned = new Set(['UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT'])
  const digitsOnly = new Set(
    [
      ['block_number', 'block_number'],
      ['transaction_index', 'tx_index'],
      ['transfer_index', 'ordinal'],
      ['log_index', 'ordinal'],
    ]
      .filter(([column]) => !isCsv && unsigned.has(types.get(column!) ?? ''))
      .map(([, alias]) => alias!),
  )
  checks = checks.map(([cond, why]) => [
    cond.replace(
      /NOT regexp_full_match\((\w+), '\^\[0-9\]\{1,(\d+)\}\$'\)/g,
      (whole, alias: string, digits: string) =>
        digitsOnly.has(alias) ? `length(${alias}) > ${digits}` : whole,
    ),
    why,
  ])
  const reason = `CASE ${checks.map(([cond, why]) => `WHEN coalesce(${cond}, true) THEN ${sqlString(why)}`).join(' ')} END`
  const bad = (
    await conn.runAndReadAll(
      `SELECT rn, ${reason} AS why FROM norm_file WHERE ${reason} IS NOT NULL ORDER BY rn LIMIT 1`,
    )
  ).getRowObjectsJS()
  if (bad.length > 0) {
    const rn = Number(bad[0]!['rn'])
    throw new InputError(String(bad[0]!['why']), {
      code: 'IMPORT_ROW',
      field: where(isCsv ? rn + 1 : rn),
    })
  }
  const rows = Number(
    (await conn.runAndReadAll('SELECT count(*) AS n FROM norm_file')).getRowObjectsJS()[0]!['n'],
  )
  const dataset = `${file.format}:${file.dataset}`
  const transferInsert = (kind: string, filter: string) =>
    conn.run(`INSERT INTO st_transfers SELECT chain_id, tx_hash, '${kind}', CAST(ordinal AS INTEGER), CAST(block_number AS UBIGINT),
      CAST(tx_index AS INTEGER), token, from_address, to_address, value, CAST(value AS DOUBLE) FROM norm_file WHERE ${filter}`)
  if (dataset === 'ethereum-etl:transactions' || dataset === 'cryo:transactions') {
    await conn.run(`INSERT INTO st_transactions SELECT chain_id, tx_hash, CAST(block_number AS UBIGINT), CAST(tx_index AS INTEGER), from_address,
      to_address, value, nullif(gas_price, '') FROM norm_file`)
    await conn.run(`INSERT INTO st_receipts SELECT chain_id, tx_hash, CAST(gas_used AS UBIGINT), nullif(effective_gas_price, ''), CAST(nullif(status, '') AS SMALLINT)
      FROM norm_file WHERE gas_used IS NOT NULL AND gas_used <> ''`)
    if (dataset === 'ethereum-etl:transactions')
      // The transaction's own value is native transfer 0 (cryo's native_transfers carry it already).
      await conn.run(`INSERT INTO st_transfers SELECT chain_id, tx_hash, 'native', 0, CAST(block_number AS UBIGINT), CAST(tx_index AS INTEGER), 'ETH',
        from_address, to_address, value, CAST(value AS DOUBLE) FROM norm_file WHERE value <> '0' AND to_address <> ''`)
  } else if (dataset === 'ethereum-etl:receipts') {
    await conn.run(
      `INSERT INTO st_receipts SELECT chain_id, tx_hash, CAST(gas_used AS UBIGINT), nullif(effective_gas_price, ''), CAST(nullif(status, '') AS SMALLINT) FROM norm_file`,
    )
  } else if (dataset === 'ethereum-etl:traces') {
    // Value moves only in successful call/create/selfdestruct traces; delegatecall and
    // staticcall carry no value of their own.
    await transferInsert(
      'native',
      `value <> '0' AND trace_type IN ('call', 'create', 'suicide') AND coalesce(call_type, '') NOT IN ('delegatecall', 'staticcall', 'callcode')
       AND coalesce(status, '1') <> '0' AND coalesce(error, '') = ''`,
    )
  } else if (dataset === 'ethereum-etl:logs') {
    await stageLogs(conn, chainId)
  } else if (dataset === 'cryo:native_transfers') {
    await transferInsert('native', `value <> '0'`)
  } else {
    await transferInsert('log', 'true')
  }
  await conn.run(`DROP ${relation} norm_file`)
  await conn.run(`DROP ${relation} raw_file`)
  return rows
}

/** Validation shared by transfer datasets; `tokenColumn` null for native ETH. */
function transferChecks(tokenColumn: string | null): [string, string][] {
  return [
    [
      `NOT regexp_full_match(tx_hash, ${PATTERNS.HASH})`,
      'transaction_hash is not a 32-byte hex transaction hash',
    ],
    ...(tokenColumn
      ? ([
          [`NOT regexp_full_match(token, ${PATTERNS.ADDRESS})`, `${tokenColumn} is not an address`],
        ] as [string, string][])
      : []),
    [`NOT regexp_full_match(from_address, ${PATTERNS.ADDRESS})`, 'from_address is not an address'],
    [`NOT regexp_full_match(to_address, ${PATTERNS.ADDRESS})`, 'to_address is not an address'],
    [`NOT regexp_full_match(value, ${PATTERNS.UINT})`, 'value is not a non-negative integer'],
    [`NOT regexp_full_match(block_number, '^[0-9]{1,15}$')`, 'block_number is not a block number'],
    [`NOT regexp_full_match(ordinal, '^[0-9]{1,9}$')`, 'log/transfer index is not an index'],
    [
      `tx_index IS NOT NULL AND NOT regexp_full_match(tx_index, '^[0-9]{1,9}$')`,
      'transaction_index is not an index',
    ],
  ]
}

/** Decodes THORChain memos and WETH Deposit/Withdrawal from ethereum-etl logs in norm_file. */
async function stageLogs(conn: DuckDBConnection, chainId: number): Promise<void> {
  const topics = [THORCHAIN_DEPOSIT_TOPIC, WETH_DEPOSIT_TOPIC, WETH_WITHDRAWAL_TOPIC]
    .map(sqlString)
    .join(',')
  const rows = (
    await conn.runAndReadAll(
      `SELECT rn, tx_hash, block_number, tx_index, ordinal, address, data, topics FROM norm_file WHERE split_part(topics, ',', 1) IN (${topics}) ORDER BY rn`,
    )
  ).getRowObjectsJS()
  const transfers: string[] = []
  const memos: string[] = []
  for (const r of rows) {
    const t = String(r['topics']).split(',')
    const data = String(r['data']) as `0x${string}`
    const topicAddress = (i: number) => `0x${(t[i] ?? '').slice(-40)}`
    try {
      if (t[0] === THORCHAIN_DEPOSIT_TOPIC) {
        const [, memo] = decodeAbiParameters([{ type: 'uint256' }, { type: 'string' }], data)
        memos.push(
          `(${chainId}, ${sqlString(String(r['tx_hash']))}, ${Number(r['ordinal'])}, ${sqlString(memo)})`,
        )
      } else {
        const [wad] = decodeAbiParameters([{ type: 'uint256' }], data)
        const weth = String(r['address'])
        const [from, to] =
          t[0] === WETH_DEPOSIT_TOPIC ? [weth, topicAddress(1)] : [topicAddress(1), weth]
        transfers.push(
          `(${chainId}, ${sqlString(String(r['tx_hash']))}, 'log', ${Number(r['ordinal'])}, ${Number(r['block_number'])}, ${Number(r['tx_index'])}, ${sqlString(weth)}, ${sqlString(from)}, ${sqlString(to)}, '${wad}', ${Number(wad)})`,
        )
      }
    } catch {
      // Another contract's event with the same signature but a different layout: not ours.
    }
  }
  if (transfers.length > 0) await conn.run(`INSERT INTO st_transfers VALUES ${transfers.join(',')}`)
  if (memos.length > 0) await conn.run(`INSERT INTO st_memos VALUES ${memos.join(',')}`)
}

/** DuckDB's CSV errors name the line; keep it in our one-line file:line form. */
function duckInputError(error: unknown, path: string): InputError {
  const message = error instanceof Error ? error.message : String(error)
  const line = /line[:\s]+(\d+)/i.exec(message)?.[1]
  const what = message.split('\n').find((l) => l.trim().length > 0) ?? 'unreadable file'
  return new InputError(what.replace(/^[A-Za-z ]+Error: /, '').slice(0, 200), {
    code: 'IMPORT_READ',
    field: line ? `${path}:${line}` : path,
    cause: error,
  })
}

/**
 * Builds the time-ordered scan over integer ids only (assigned at import): the rows are sorted
 * by (block, tx index, tx id, kind rank, ordinal) inside DuckDB and streamed as DuckDB vectors,
 * whose typed arrays are copied straight into the engine's columns (no per-value conversion).
 */
async function scan(
  conn: DuckDBConnection,
  chunkRows: number,
  lazyTxHashes: boolean,
  lazyAddresses = false,
): Promise<TransferScan> {
  // ethereum-etl token_transfers carry no transaction index: take it from the transaction.
  // (A join condition on 't.tx_index IS NULL' would make DuckDB fall back to a nested loop.)
  const rowsSql = `WITH failed AS (SELECT tx_id FROM receipts WHERE status = 0)
    SELECT t.block_number, t.tx_index, CASE t.kind WHEN 'native' THEN 1 ELSE 2 END AS kind_rank, t.ordinal,
      t.tx_id, coalesce(t.from_id, 0) AS from_id, coalesce(t.to_id, 0) AS to_id, t.token_id, t.amount_f64 AS amount, 0 AS kind
    FROM transfers t
    WHERE t.tx_index IS NOT NULL AND t.amount_f64 > 0 AND NOT (t.kind = 'native' AND t.ordinal = 0 AND t.tx_id IN (SELECT tx_id FROM failed))
    UNION ALL
    SELECT t.block_number, coalesce(x.tx_index, 1000000000), CASE t.kind WHEN 'native' THEN 1 ELSE 2 END, t.ordinal,
      t.tx_id, coalesce(t.from_id, 0), coalesce(t.to_id, 0), t.token_id, t.amount_f64, 0
    FROM (SELECT * FROM transfers WHERE tx_index IS NULL AND amount_f64 > 0) t
    LEFT JOIN transactions x ON x.chain_id = t.chain_id AND x.tx_id = t.tx_id
    UNION ALL
    SELECT x.block_number, x.tx_index, 0, 0, x.tx_id, coalesce(x.from_id, 0), 0, 0,
      CAST(r.gas_used AS DOUBLE) * CAST(coalesce(r.effective_gas_price, x.gas_price) AS DOUBLE), 1
    FROM transactions x JOIN receipts r ON r.chain_id = x.chain_id AND r.tx_id = x.tx_id
    WHERE r.gas_used > 0 AND coalesce(r.effective_gas_price, x.gas_price) IS NOT NULL`
  const runs = await readBulkRuns(conn)
  const sqlRows = Number(
    (await conn.runAndReadAll(`SELECT count(*) AS n FROM (${rowsSql})`)).getRowObjectsJS()[0]!['n'],
  )
  const rows = sqlRows + runs.reduce((sum, r) => sum + r.rows, 0)
  if (rows === 0)
    throw new InputError(
      'the transfer store is empty: import transfers first (heistguard trace import)',
      { code: 'STORE_EMPTY', field: 'store' },
    )
  const list = async (sql: string) => {
    const out: string[] = []
    const result = await conn.stream(sql)
    for (;;) {
      const chunk = await result.fetchChunk()
      if (!chunk || chunk.rowCount === 0) break
      for (const v of chunk.getColumnValues(0)) out.push(String(v))
    }
    return out
  }
  const dictionary = {
    addresses: lazyAddresses ? [] : await list('SELECT address FROM dict_address ORDER BY id'),
    tokens: await list('SELECT token FROM dict_token ORDER BY id'),
    txHashes: lazyTxHashes ? [] : await allTxHashes(conn, runs),
  }
  async function* chunks(): AsyncGenerator<TransferColumns> {
    const result =
      await conn.stream(`SELECT CAST(block_number AS DOUBLE), CAST(tx_id AS UINTEGER), CAST(from_id AS UINTEGER),
      CAST(to_id AS UINTEGER), CAST(token_id AS UINTEGER), CAST(amount AS DOUBLE), CAST(kind AS UTINYINT)
      FROM (${rowsSql}) ORDER BY block_number, tx_index, tx_id, kind_rank, ordinal`)
    let out = allocateTransferColumns(chunkRows)
    let n = 0
    for (;;) {
      const chunk = await result.fetchChunk()
      if (!chunk || chunk.rowCount === 0) break
      const m = chunk.rowCount
      const items = (i: number) =>
        (
          chunk.getColumnVector(i) as unknown as {
            items: ArrayLike<number> & { subarray: (a: number, b: number) => ArrayLike<number> }
          }
        ).items
      const cols = [0, 1, 2, 3, 4, 5, 6].map(items)
      let i = 0
      while (i < m) {
        const take = Math.min(m - i, chunkRows - n)
        out.block.set(cols[0]!.subarray(i, i + take), n)
        out.txId.set(cols[1]!.subarray(i, i + take), n)
        out.from.set(cols[2]!.subarray(i, i + take), n)
        out.to.set(cols[3]!.subarray(i, i + take), n)
        out.token.set(cols[4]!.subarray(i, i + take), n)
        out.amount.set(cols[5]!.subarray(i, i + take), n)
        out.kind.set(cols[6]!.subarray(i, i + take), n)
        n += take
        i += take
        if (n === chunkRows) {
          yield out
          out = allocateTransferColumns(chunkRows)
          n = 0
        }
      }
    }
    if (n > 0) yield { ...out, length: n }
  }
  // SQL rows and bulk runs never share a block (an import into a run's range demotes the run),
  // so time order is: SQL rows before a run's first block, the run, and so on.
  async function* merged(): AsyncGenerator<TransferColumns> {
    const sql = sqlRows > 0 ? chunks() : null
    const nextSql = async () => {
      const r = await sql?.next()
      return r && !r.done ? r.value : null
    }
    let pending = await nextSql()
    let offset = 0
    const upTo = async function* (limit: number): AsyncGenerator<TransferColumns> {
      while (pending) {
        let end = offset
        while (end < pending.length && pending.block[end]! < limit) end++
        if (end > offset) yield sliceTransferColumns(pending, offset, end)
        offset = end
        if (offset < pending.length) return
        pending = await nextSql()
        offset = 0
      }
    }
    for (const run of runs) {
      yield* upTo(run.firstBlock)
      yield* runChunks(run, chunkRows)
    }
    yield* upTo(Number.POSITIVE_INFINITY)
  }
  const scanResult: TransferScan = { dictionary, rows, chunks: merged() }
  if (lazyAddresses) {
    scanResult.addressCount = Number(
      (
        await conn.runAndReadAll('SELECT coalesce(max(id) + 1, 0) FROM dict_address')
      ).getRows()[0]![0],
    )
    scanResult.addressIdsOf = async (addresses) => {
      const out = new Map<string, number>()
      for (let i = 0; i < addresses.length; i += 10_000) {
        const list = addresses.slice(i, i + 10_000).map((a) => sqlString(a.toLowerCase()))
        const found = await conn.runAndReadAll(
          `SELECT address, id FROM dict_address WHERE address IN (${list.join(',')})`,
        )
        for (const [address, id] of found.getRows()) out.set(String(address), Number(id))
      }
      return out
    }
    scanResult.addressesOf = async (ids) => {
      const out = new Map<number, string>()
      for (let i = 0; i < ids.length; i += 10_000) {
        const list = ids.slice(i, i + 10_000).map((id) => String(Math.trunc(id)))
        const found = await conn.runAndReadAll(
          `SELECT id, address FROM dict_address WHERE id IN (${list.join(',')})`,
        )
        for (const [id, address] of found.getRows()) out.set(Number(id), String(address))
      }
      return out
    }
  }
  if (lazyTxHashes) {
    scanResult.txIdsOf = async (hashes) => {
      const out = await bulkTxIdsOf(conn, runs, hashes)
      hashes = hashes.filter((h) => !out.has(h))
      if (hashes.length === 0) return out
      const rowsFound = (
        await conn.runAndReadAll(
          `SELECT tx_hash, id FROM dict_tx WHERE tx_hash IN (${hashes.map((h) => sqlString(h.toLowerCase())).join(',')})`,
        )
      ).getRowObjectsJS()
      for (const r of rowsFound) out.set(String(r['tx_hash']), Number(r['id']))
      return out
    }
    scanResult.txHashesOf = async (ids) => {
      const out = await bulkTxHashesOf(conn, runs, ids)
      ids = ids.filter((id) => !out.has(id))
      if (ids.length === 0) return out
      const rowsFound = (
        await conn.runAndReadAll(
          `SELECT tx_hash, id FROM dict_tx WHERE id IN (${ids.map((id) => String(Math.trunc(id))).join(',')})`,
        )
      ).getRowObjectsJS()
      for (const r of rowsFound) out.set(Number(r['id']), String(r['tx_hash']))
      return out
    }
  }
  return scanResult
}

/** Every transaction hash by id: the SQL dictionary and every bulk run. */
async function allTxHashes(conn: DuckDBConnection, runs: readonly BulkRun[]): Promise<string[]> {
  const out: string[] = []
  const result = await conn.stream('SELECT id, tx_hash FROM dict_tx')
  for (;;) {
    const chunk = await result.fetchChunk()
    if (!chunk || chunk.rowCount === 0) break
    for (const [id, hash] of chunk.getRows()) out[Number(id)] = String(hash)
  }
  for (const run of runs) {
    const hashes = await bulkAllTxHashes(conn, run)
    for (let k = 0; k < hashes.length; k++) out[run.txBase + k] = hashes[k]!
  }
  return out
}
