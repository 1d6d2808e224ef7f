import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BaseError, InputError } from '../../core/BaseError.js'
import { allocateTransferColumns, type TransferColumns } from '../../trace/TransferColumns.js'
import { createDuckDbTransferStore } from '../duckdb/createDuckDbTransferStore.js'
import type {
  ImportBatch,
  ImportResult,
  StoreCounts,
  TaintRunRecord,
  TransactionRecord,
  TransferScan,
  TransferStore,
} from '../TransferStore.js'
import { CLICKHOUSE_MIGRATIONS } from './clickhouseMigrations.js'
import { type ClickHouseShard, openClickHouseShard, sqlString } from './clickhouseShard.js'
import { CLICKHOUSE_TABLES, type ClickHouseTable as Table } from './clickhouseTables.js'
import { copyDuckDbToShards } from './copyDuckDbToShards.js'
import { parseClickHouseUrl, shardOf } from './parseClickHouseUrl.js'
import { writeShardTable } from './writeShardTable.js'

export type ClickHouseTransferStoreOptions = {
  /** Chain id for files that do not carry one (ethereum-etl CSV). Default 1. */
  chainId?: number
  /** Rows per insert of taint results. Default 200,000. */
  batchRows?: number
  /**
   * Memory limit of the DuckDB instance that validates bulk files before they are sent (it
   * spills to disk beyond it). Default '4GB', so a 100M-row import stays within a worker's RAM.
   */
  stagingMemoryLimit?: string
}

type Row = (string | number | bigint)[]
/** Parsed rows of one import, per table, per shard, unique by key (first wins). */
type Staged = Record<Table, { rows: Row[]; keys: Set<string> }[]>

/**
 * Opens a ClickHouse transfer store: the same contract as the DuckDB store (it passes
 * `transferStoreSuite`), with rows sharded over a cluster by transaction hash.
 *
 * - Schema: migrations run on every shard's server (no `ON CLUSTER`: 18.16 without ZooKeeper
 *   has none), recorded per shard in `schema_migrations`.
 * - Import: rows are routed to their shard by the client ({@link shardOf}, the same rule as the
 *   Distributed tables) and written to all shards in parallel, in batches, through a staging
 *   table that drops rows already stored, so `ImportResult` counts only new rows.
 *   ReplacingMergeTree + `FINAL` keeps reads exact even when two importers race.
 * - Bulk files are read and validated by DuckDB first (the same `file:line` errors as the
 *   embedded store), then streamed into the cluster.
 * - Atomicity: ClickHouse has no multi-statement transactions. A bad row is rejected before
 *   anything is written; an import cut off midway (network, crash) leaves a prefix, and running
 *   the same import again completes it without duplicates (idempotent).
 * - Scan: every shard sorts its rows; the client merges the shard streams into one time order.
 *
 * @example
 * const store = await createClickHouseTransferStore('clickhouse://ch1:8123,ch2:8123/heistguard?cluster=heistguard')
 */
export async function createClickHouseTransferStore(
  url: string,
  options: ClickHouseTransferStoreOptions = {},
): Promise<TransferStore> {
  const target = parseClickHouseUrl(url)
  const shards = target.shards.map((shardUrl, i) =>
    openClickHouseShard(i, shardUrl, { username: target.username, password: target.password }),
  )
  const db = target.database
  const chainId = options.chainId ?? 1
  const batchRows = options.batchRows ?? 200_000
  const first = shards[0]!

  const migrate = async () => {
    await Promise.all(
      shards.map(async (shard) => {
        await shard.exec(`CREATE DATABASE IF NOT EXISTS ${db}`)
        await shard.exec(
          `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations (version UInt32, name String, applied_at DateTime) ENGINE = MergeTree() ORDER BY version`,
        )
        const applied = new Set(
          (await shard.rows(`SELECT version FROM ${db}.schema_migrations`)).map((r) =>
            Number(r.version),
          ),
        )
        for (const m of CLICKHOUSE_MIGRATIONS) {
          if (applied.has(m.version)) continue
          const sub = (sql: string) =>
            sql.replaceAll('{db}', db).replaceAll('{cluster}', target.cluster ?? '')
          for (const sql of m.shardStatements) await shard.exec(sub(sql))
          if (target.cluster) for (const sql of m.distributedStatements) await shard.exec(sub(sql))
          if (shard.index === 0)
            for (const sql of m.firstShardStatements) await shard.exec(sub(sql))
          await shard.exec(
            `INSERT INTO ${db}.schema_migrations VALUES (${m.version}, ${sqlString(m.name)}, now())`,
          )
        }
      }),
    )
  }

  const newStaged = (): Staged => ({
    transfers: shards.map(() => ({ rows: [], keys: new Set() })),
    transactions: shards.map(() => ({ rows: [], keys: new Set() })),
    receipts: shards.map(() => ({ rows: [], keys: new Set() })),
    memos: shards.map(() => ({ rows: [], keys: new Set() })),
  })
  // Key columns per table, as positions in the row: a batch repeating a key keeps its first row.
  const keyAt: Record<Table, number[]> = {
    transfers: [0, 1, 2, 3],
    transactions: [0, 1],
    receipts: [0, 1],
    memos: [0, 1, 2],
  }
  const route = (staged: Staged, table: Table, txHash: string, row: Row) => {
    const into = staged[table][shardOf(txHash, shards.length)]!
    const key = keyAt[table].map((k) => row[k]).join('\t')
    if (into.keys.has(key)) return
    into.keys.add(key)
    into.rows.push(row)
  }
  /** Writes staged rows to every shard in parallel; returns the rows that were new. */
  const flush = async (staged: Staged): Promise<ImportResult> => {
    const added: ImportResult = { transfers: 0, transactions: 0, receipts: 0, memos: 0 }
    await Promise.all(
      shards.map(async (shard, s) => {
        for (const table of CLICKHOUSE_TABLES) {
          const { rows } = staged[table][s]!
          const blockAt = table === 'transfers' ? 4 : table === 'transactions' ? 2 : -1
          let minBlock: number | null = null
          let maxBlock: number | null = null
          if (blockAt >= 0)
            for (const row of rows) {
              const b = Number(row[blockAt])
              if (minBlock === null || b < minBlock) minBlock = b
              if (maxBlock === null || b > maxBlock) maxBlock = b
            }
          const write = await writeShardTable(
            shard,
            db,
            table,
            { kind: 'values', rows },
            { rows: rows.length, minBlock, maxBlock },
          )
          added[table] += write.added
        }
      }),
    )
    return added
  }

  const stageBatch = (staged: Staged, batch: ImportBatch) => {
    for (const t of batch.transfers) {
      const hash = t.txHash.toLowerCase()
      route(staged, 'transfers', hash, [
        t.chainId || chainId,
        hash,
        t.kind,
        t.ordinal,
        t.block,
        t.txIndex ?? -1,
        t.token,
        t.from.toLowerCase(),
        t.to.toLowerCase(),
        t.amount.toString(),
        Number(t.amount),
      ])
    }
    for (const t of batch.transactions) {
      const hash = t.hash.toLowerCase()
      const chain = t.chainId || chainId
      route(staged, 'transactions', hash, [
        chain,
        hash,
        t.block,
        t.txIndex,
        t.from.toLowerCase(),
        t.to.toLowerCase(),
        t.value.toString(),
        t.gasPrice?.toString() ?? '',
      ])
      if (t.gasUsed !== undefined)
        route(staged, 'receipts', hash, [
          chain,
          hash,
          t.gasUsed,
          t.effectiveGasPrice?.toString() ?? '',
          t.status ?? -1,
        ])
    }
    for (const m of batch.memos ?? []) {
      const hash = m.txHash.toLowerCase()
      route(staged, 'memos', hash, [m.chainId || chainId, hash, m.logIndex, m.memo])
    }
  }

  const store: TransferStore = {
    backend: 'clickhouse',
    location: target.location,
    migrate,
    importRecords: async (batch) => {
      validateBatch(batch)
      const staged = newStaged()
      stageBatch(staged, batch)
      return flush(staged)
    },
    importFiles: async (files, opts) => {
      // DuckDB reads and validates the files exactly as the embedded store does (bad row:
      // file:line, nothing written); its tables are then streamed into the cluster.
      const dir = mkdtempSync(join(tmpdir(), 'hg-ch-import-'))
      try {
        const path = join(dir, 'stage.duckdb')
        const local = await createDuckDbTransferStore(path, {
          chainId,
          memoryLimit: options.stagingMemoryLimit ?? '4GB',
          bulk: false,
        })
        try {
          await local.importFiles(files, opts)
        } finally {
          await local.close()
        }
        opts?.onProgress?.(`validated in DuckDB; writing to ${shards.length} ClickHouse shard(s)`)
        const { added: result, report } = await copyDuckDbToShards(path, shards, db)
        const paths = [
          ...new Set(
            CLICKHOUSE_TABLES.flatMap((t) => report[t].map((w) => w.path)).filter(
              (p) => p !== 'none',
            ),
          ),
        ]
        opts?.onProgress?.(
          `wrote ${result.transfers} new transfers, ${result.transactions} transactions, ${result.receipts} receipts, ${result.memos} memos to ${shards.length} ClickHouse shard(s) (${paths.join(', ')})`,
        )
        return result
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
    scanTransfers: async (opts) => scanShards(shards, db, opts?.chunkRows ?? 1 << 20),
    findTransactions: async (hashes) => findTransactions(shards, db, hashes),
    findMemos: async (hashes) => {
      const out = new Map<string, string>()
      const groups = groupByShard(hashes, shards.length)
      const found = await Promise.all(
        shards.map((shard, s) =>
          groups[s]!.length === 0
            ? []
            : shard.rows(
                `SELECT tx_hash, memo FROM ${db}.memos_local FINAL WHERE tx_hash IN (${groups[s]!.map(sqlString).join(',')}) ORDER BY tx_hash, log_index`,
              ),
        ),
      )
      for (const r of found.flat())
        if (!out.has(String(r.tx_hash))) out.set(String(r.tx_hash), String(r.memo))
      return out
    },
    counts: async (): Promise<StoreCounts> => {
      const per = await Promise.all(
        shards.map((shard) =>
          shard.rows(`SELECT
            (SELECT count() FROM ${db}.transfers_local FINAL) AS transfers,
            (SELECT count() FROM ${db}.transactions_local FINAL) AS transactions,
            (SELECT count() FROM ${db}.receipts_local FINAL) AS receipts,
            (SELECT min(block_number) FROM ${db}.transfers_local) AS min_block,
            (SELECT max(block_number) FROM ${db}.transfers_local) AS max_block`),
        ),
      )
      const runs = await first.rows(`SELECT count() AS n FROM ${db}.taint_runs FINAL`)
      const rows = per.map((p) => p[0]!)
      const nonEmpty = rows.filter((r) => Number(r.transfers) > 0)
      return {
        transfers: rows.reduce((a, r) => a + Number(r.transfers), 0),
        transactions: rows.reduce((a, r) => a + Number(r.transactions), 0),
        receipts: rows.reduce((a, r) => a + Number(r.receipts), 0),
        taintRuns: Number(runs[0]?.n ?? 0),
        minBlock: nonEmpty.length ? Math.min(...nonEmpty.map((r) => Number(r.min_block))) : null,
        maxBlock: nonEmpty.length ? Math.max(...nonEmpty.map((r) => Number(r.max_block))) : null,
      }
    },
    saveTaintResults: async (run) => {
      // A new version of the run's rows first, then the run row pointing at it: a reader sees
      // the old results or the new ones, never a mix.
      const version = Date.now() * 1000 + Math.floor(Math.random() * 1000)
      const rows: Row[] = run.holdings.map((h) => [
        run.runId,
        version,
        h.address,
        h.token,
        h.heist,
        h.amount,
        h.balance,
      ])
      for (let i = 0; i < rows.length; i += batchRows)
        await first.insert(`${db}.taint_results`, rows.slice(i, i + batchRows))
      await first.insert(`${db}.taint_runs`, [
        [
          run.runId,
          version,
          run.policy,
          JSON.stringify(run.heists),
          run.report ?? '',
          run.report === undefined ? 0 : 1,
        ],
      ])
      // Older versions are garbage now; the delete runs in the background on the server.
      await first
        .exec(
          `ALTER TABLE ${db}.taint_results DELETE WHERE run_id = ${sqlString(run.runId)} AND version < ${version}`,
        )
        .catch(() => undefined)
    },
    readTaintResults: async (runId) => {
      const runs = await first.rows(
        `SELECT version, policy, heists, report, has_report FROM ${db}.taint_runs FINAL WHERE run_id = ${sqlString(runId)}`,
      )
      const head = runs[0]
      if (!head) return undefined
      const rows = await first.rows(
        `SELECT address, token, heist, amount, balance FROM ${db}.taint_results
         WHERE run_id = ${sqlString(runId)} AND version = ${String(head.version)} ORDER BY address, token, heist`,
      )
      const run: TaintRunRecord = {
        runId,
        policy: String(head.policy),
        heists: JSON.parse(String(head.heists)) as string[],
        holdings: rows.map((r) => ({
          address: String(r.address),
          token: String(r.token),
          heist: String(r.heist),
          amount: String(r.amount),
          balance: String(r.balance),
        })),
      }
      if (Number(head.has_report) === 1) run.report = String(head.report)
      return run
    },
    close: async () => {
      await Promise.all(shards.map((s) => s.close()))
    },
  }
  try {
    if (target.cluster) await checkCluster(first, target.cluster, shards.length)
    await migrate()
  } catch (error) {
    await store.close()
    throw error
  }
  return store
}

/** The cluster must name as many shards as the URL lists, or routing would disagree. */
async function checkCluster(shard: ClickHouseShard, cluster: string, expected: number) {
  const rows = await shard.rows(
    `SELECT count(DISTINCT shard_num) AS n FROM system.clusters WHERE cluster = ${sqlString(cluster)}`,
  )
  const n = Number(rows[0]?.n ?? 0)
  if (n !== expected)
    throw new InputError(
      `cluster ${cluster} has ${n} shard(s) on ${shard.url}, the URL lists ${expected}`,
      { code: 'INVALID_STORE_URL', field: 'transfer store URL: cluster' },
    )
}

function validateBatch(batch: ImportBatch): void {
  const where = batch.source ?? 'import batch'
  batch.transfers.forEach((t, i) => {
    if (!/^0x[0-9a-fA-F]{64}$/.test(t.txHash))
      throw new InputError('txHash is not a 32-byte hex hash', {
        code: 'IMPORT_ROW',
        field: `${where}: transfers[${i}]`,
      })
    if (t.amount < 0n)
      throw new InputError('amount is negative', {
        code: 'IMPORT_ROW',
        field: `${where}: transfers[${i}]`,
      })
  })
  batch.transactions.forEach((t, i) => {
    if (!/^0x[0-9a-fA-F]{64}$/.test(t.hash))
      throw new InputError('hash is not a 32-byte hex hash', {
        code: 'IMPORT_ROW',
        field: `${where}: transactions[${i}]`,
      })
  })
}

function groupByShard(hashes: readonly string[], n: number): string[][] {
  const groups: string[][] = Array.from({ length: n }, () => [])
  for (const h of new Set(hashes.map((x) => x.toLowerCase())))
    if (/^0x[0-9a-f]{2}/.test(h)) groups[shardOf(h, n)]!.push(h)
  return groups
}

async function findTransactions(
  shards: ClickHouseShard[],
  db: string,
  hashes: readonly string[],
): Promise<TransactionRecord[]> {
  const groups = groupByShard(hashes, shards.length)
  const out: TransactionRecord[] = []
  await Promise.all(
    shards.map(async (shard, s) => {
      for (let i = 0; i < groups[s]!.length; i += 5000) {
        const list = groups[s]!.slice(i, i + 5000)
          .map(sqlString)
          .join(',')
        const txs =
          await shard.rows(`SELECT chain_id, tx_hash, block_number, tx_index, from_address, to_address, value, gas_price,
            r_gas_used, r_effective_gas_price, r_status, r_found
          FROM (SELECT * FROM ${db}.transactions_local FINAL WHERE tx_hash IN (${list}))
          ANY LEFT JOIN (SELECT chain_id, tx_hash, gas_used AS r_gas_used, effective_gas_price AS r_effective_gas_price,
              status AS r_status, toUInt8(1) AS r_found
            FROM ${db}.receipts_local FINAL WHERE tx_hash IN (${list})) USING (chain_id, tx_hash)`)
        const known = new Set<string>()
        for (const r of txs) {
          known.add(String(r.tx_hash))
          const record: TransactionRecord = {
            chainId: Number(r.chain_id),
            hash: String(r.tx_hash),
            block: Number(r.block_number),
            txIndex: Number(r.tx_index),
            from: String(r.from_address),
            to: String(r.to_address),
            value: BigInt(String(r.value)),
          }
          if (r.gas_price !== '') record.gasPrice = BigInt(String(r.gas_price))
          if (Number(r.r_found) === 1) {
            record.gasUsed = BigInt(String(r.r_gas_used))
            if (r.r_effective_gas_price !== '')
              record.effectiveGasPrice = BigInt(String(r.r_effective_gas_price))
            if (Number(r.r_status) >= 0) record.status = Number(r.r_status)
          }
          out.push(record)
        }
        // Hashes seen only in transfers (token transfers imported without their transaction).
        const rest =
          await shard.rows(`SELECT chain_id, tx_hash, block_number, tx_index, from_address, to_address
          FROM ${db}.transfers_local FINAL WHERE tx_hash IN (${list}) ORDER BY tx_hash, kind, ordinal`)
        for (const r of rest) {
          const hash = String(r.tx_hash)
          if (known.has(hash)) continue
          known.add(hash)
          out.push({
            chainId: Number(r.chain_id),
            hash,
            block: Number(r.block_number),
            txIndex: Math.max(0, Number(r.tx_index)),
            from: String(r.from_address),
            to: String(r.to_address),
            value: 0n,
          })
        }
      }
    }),
  )
  return out
}

/** The scan rows of one shard, in time order (the same rules as the DuckDB store's scan). */
function scanSql(db: string): string {
  // Output names differ from column names: ClickHouse resolves a name to a SELECT alias first.
  return `SELECT s_block, s_tx_index, s_rank, s_ordinal, s_tx, s_token, s_from, s_to, s_amount, s_kind FROM (
    SELECT block_number AS s_block, if(tx_index >= 0, tx_index, if(x_found = 1, x_tx_index, 1000000000)) AS s_tx_index,
      if(kind = 'native', 1, 2) AS s_rank, ordinal AS s_ordinal, tx_hash AS s_tx, token AS s_token,
      from_address AS s_from, to_address AS s_to, amount_f64 AS s_amount, toUInt8(0) AS s_kind
    FROM (
      SELECT chain_id, tx_hash, kind, ordinal, block_number, tx_index, token, from_address, to_address, amount_f64
      FROM ${db}.transfers_local FINAL
      WHERE amount_f64 > 0 AND NOT (kind = 'native' AND ordinal = 0
        AND tx_hash IN (SELECT tx_hash FROM ${db}.receipts_local FINAL WHERE status = 0))
    ) ANY LEFT JOIN (
      SELECT chain_id, tx_hash, tx_index AS x_tx_index, toUInt8(1) AS x_found FROM ${db}.transactions_local FINAL
      WHERE tx_hash IN (SELECT tx_hash FROM ${db}.transfers_local WHERE tx_index < 0)
    ) USING (chain_id, tx_hash)
    UNION ALL
    SELECT block_number AS s_block, tx_index AS s_tx_index, 0 AS s_rank, toUInt32(0) AS s_ordinal, tx_hash AS s_tx,
      'ETH' AS s_token, from_address AS s_from, '' AS s_to,
      toFloat64(r_gas_used) * toFloat64OrZero(if(r_price != '', r_price, gas_price)) AS s_amount, toUInt8(1) AS s_kind
    FROM (SELECT chain_id, tx_hash, block_number, tx_index, from_address, gas_price FROM ${db}.transactions_local FINAL)
    ALL INNER JOIN (
      SELECT chain_id, tx_hash, gas_used AS r_gas_used, effective_gas_price AS r_price FROM ${db}.receipts_local FINAL
    ) USING (chain_id, tx_hash)
    WHERE r_gas_used > 0 AND (r_price != '' OR gas_price != '')
  ) ORDER BY s_block, s_tx_index, s_tx, s_rank, s_ordinal`
}

type ScanRow = {
  block: number
  txIndex: number
  kindRank: number
  ordinal: number
  tx: string
  token: string
  from: string
  to: string
  amount: number
  kind: number
}

function toScanRow(f: string[]): ScanRow {
  return {
    block: Number(f[0]),
    txIndex: Number(f[1]),
    kindRank: Number(f[2]),
    ordinal: Number(f[3]),
    tx: f[4]!,
    token: f[5]!,
    from: f[6]!,
    to: f[7]!,
    amount: Number(f[8]),
    kind: Number(f[9]),
  }
}

function before(a: ScanRow, b: ScanRow): boolean {
  if (a.block !== b.block) return a.block < b.block
  if (a.txIndex !== b.txIndex) return a.txIndex < b.txIndex
  if (a.tx !== b.tx) return a.tx < b.tx
  if (a.kindRank !== b.kindRank) return a.kindRank < b.kindRank
  return a.ordinal < b.ordinal
}

/**
 * The time-ordered scan over all shards: dictionaries first (distinct addresses, tokens and
 * transactions of every shard, merged and sorted like the DuckDB store's), then the shards'
 * sorted row streams merged into one order and packed into typed-array chunks.
 */
async function scanShards(
  shards: ClickHouseShard[],
  db: string,
  chunkRows: number,
): Promise<TransferScan> {
  const sql = scanSql(db)
  const distinct = async (expr: string) => {
    const sets = await Promise.all(
      shards.map(async (shard) => {
        const out: string[] = []
        for await (const f of shard.lines(`SELECT DISTINCT ${expr} FROM (${sql})`)) out.push(f[0]!)
        return out
      }),
    )
    return sets
  }
  const [addressSets, tokenSets, txSets] = await Promise.all([
    distinct('arrayJoin([s_from, s_to]) AS a'),
    distinct('s_token'),
    distinct('s_tx'),
  ])
  const addresses = [...new Set(addressSets.flat())].filter((a) => a !== '').sort()
  const tokens = ['ETH', ...[...new Set(tokenSets.flat())].filter((t) => t !== 'ETH').sort()]
  const txHashes = [...new Set(txSets.flat())].sort()
  const counted = await Promise.all(
    shards.map((shard) => shard.rows(`SELECT count() AS n FROM (${sql})`)),
  )
  const total = counted.reduce((a, r) => a + Number(r[0]?.n ?? 0), 0)
  if (total === 0)
    throw new InputError(
      'the transfer store is empty: import transfers first (heistguard trace import)',
      { code: 'STORE_EMPTY', field: 'store' },
    )
  const addressId = new Map(addresses.map((a, i) => [a, i]))
  const tokenId = new Map(tokens.map((t, i) => [t, i]))
  const txId = new Map(txHashes.map((t, i) => [t, i]))

  async function* chunks(): AsyncGenerator<TransferColumns> {
    const streams = shards.map((shard) => shard.lines(sql)[Symbol.asyncIterator]())
    const heads: (ScanRow | null)[] = await Promise.all(
      streams.map(async (s) => {
        const next = await s.next()
        return next.done ? null : toScanRow(next.value)
      }),
    )
    let out = allocateTransferColumns(chunkRows)
    let n = 0
    for (;;) {
      let pick = -1
      for (let s = 0; s < heads.length; s++) {
        const h = heads[s]
        if (h && (pick < 0 || before(h, heads[pick]!))) pick = s
      }
      if (pick < 0) break
      const r = heads[pick]!
      out.block[n] = r.block
      out.txId[n] = txId.get(r.tx)!
      out.from[n] = addressId.get(r.from)!
      out.to[n] = r.to === '' ? 0 : addressId.get(r.to)!
      out.token[n] = tokenId.get(r.token)!
      out.amount[n] = r.amount
      out.kind[n] = r.kind
      n++
      if (n === chunkRows) {
        yield out
        out = allocateTransferColumns(chunkRows)
        n = 0
      }
      const next = await streams[pick]!.next()
      heads[pick] = next.done ? null : toScanRow(next.value)
    }
    if (n > 0) yield { ...out, length: n }
  }
  if (total < 0) throw new BaseError('negative row count', { code: 'STORE_SCAN' })
  return { dictionary: { addresses, tokens, txHashes }, rows: total, chunks: chunks() }
}
