import { execFileSync } from 'node:child_process'
import { closeSync, constants, createReadStream, mkdtempSync, openSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'
import type { ImportResult } from '../TransferStore.js'
import type { ClickHouseShard } from './clickhouseShard.js'
import { CLICKHOUSE_TABLES, type ClickHouseTable } from './clickhouseTables.js'
import { KEY_BYTES } from './parseClickHouseUrl.js'
import { type ShardRowStats, type ShardWrite, writeShardTable } from './writeShardTable.js'

/** Per table and shard: rows written and how (for the import's progress line and benchmarks). */
export type ShardCopyReport = Record<ClickHouseTable, ShardWrite[]>

/** The DuckDB side of each table: its rows in the ClickHouse column order, NULLs as our defaults. */
const SELECTS: Record<ClickHouseTable, string> = {
  transfers: `chain_id, tx_hash, kind, ordinal, block_number, coalesce(tx_index, -1), token, from_address, to_address, amount, amount_f64`,
  transactions: `chain_id, tx_hash, block_number, tx_index, from_address, to_address, value, coalesce(gas_price, '')`,
  receipts: `chain_id, tx_hash, gas_used, coalesce(effective_gas_price, ''), coalesce(status, -1)`,
  memos: `chain_id, tx_hash, log_index, memo`,
}

/**
 * Copies the four tables of a validated DuckDB transfer store file into the cluster: DuckDB
 * routes every row to its shard (the same byte-sum rule as {@link shardOf}) and writes it as CSV
 * into a named pipe, which streams straight into that shard's table over HTTP. No row passes
 * through JavaScript values: DuckDB encodes in C++, ClickHouse parses once, and the shards load
 * in parallel. Per shard the tables go one after another; {@link writeShardTable} decides per
 * table between the direct path and the staged anti-join.
 *
 * @example
 * const { added } = await copyDuckDbToShards('/tmp/stage.duckdb', shards, 'heistguard')
 */
export async function copyDuckDbToShards(
  path: string,
  shards: readonly ClickHouseShard[],
  db: string,
): Promise<{ added: ImportResult; report: ShardCopyReport }> {
  // Reading and encoding stream: a small memory limit suffices and keeps workers lean.
  const instance = await DuckDBInstance.create(path, {
    access_mode: 'READ_ONLY',
    memory_limit: '2GB',
  })
  const pipes = mkdtempSync(join(tmpdir(), 'hg-ch-pipe-'))
  const shardExpr = duckDbShardExpr(shards.length)
  const connections: DuckDBConnection[] = []
  try {
    const stats = await readStats(await instance.connect(), shardExpr, shards.length)
    const report = {} as ShardCopyReport
    for (const table of CLICKHOUSE_TABLES) report[table] = []
    await Promise.all(
      shards.map(async (shard, s) => {
        // One DuckDB connection per shard: the shards' COPY statements run side by side.
        const conn = await instance.connect()
        connections.push(conn)
        for (const table of CLICKHOUSE_TABLES) {
          const fifo = join(pipes, `${table}-${s}`)
          const write = await writeShardTable(
            shard,
            db,
            table,
            {
              kind: 'stream',
              format: 'CSV',
              open: () => {
                rmSync(fifo, { force: true })
                execFileSync('mkfifo', ['-m', '600', fifo])
                // DuckDB blocks opening the pipe until the reader below opens it.
                const produced = conn
                  .run(
                    `COPY (SELECT ${SELECTS[table]} FROM ${table} WHERE ${shardExpr} = ${s}) TO '${fifo}' (FORMAT csv, HEADER false)`,
                  )
                  .then(() => undefined)
                // 64 KiB: a pipe returns at most its buffer (64 KiB) per read; a larger highWaterMark
                // allocates that much per read and leaves it to the GC (7 s of GC per 1M rows).
                const body = createReadStream(fifo, { highWaterMark: 1 << 16 })
                // If the insert gives up before opening the pipe, DuckDB would wait forever for
                // a reader: open and close it once so its write fails instead.
                body.on('close', () => unblock(fifo))
                return { body, produced }
              },
            },
            stats[table][s]!,
          )
          report[table][s] = write
        }
      }),
    )
    const added: ImportResult = { transfers: 0, transactions: 0, receipts: 0, memos: 0 }
    for (const table of CLICKHOUSE_TABLES)
      for (const w of report[table]) added[table] += w?.added ?? 0
    return { added, report }
  } finally {
    for (const c of connections) c.closeSync()
    instance.closeSync()
    rmSync(pipes, { recursive: true, force: true })
  }
}

/** Rows and block range per table and shard, in one pass of DuckDB per table. */
async function readStats(
  conn: DuckDBConnection,
  shardExpr: string,
  shards: number,
): Promise<Record<ClickHouseTable, ShardRowStats[]>> {
  const out = {} as Record<ClickHouseTable, ShardRowStats[]>
  try {
    for (const table of CLICKHOUSE_TABLES) {
      const blocks = table === 'transfers' || table === 'transactions'
      const reader = await conn.runAndReadAll(
        `SELECT ${shardExpr} AS shard, count(*) AS n, ${blocks ? 'min(block_number), max(block_number)' : 'NULL, NULL'}
         FROM ${table} GROUP BY shard`,
      )
      out[table] = Array.from({ length: shards }, () => ({
        rows: 0,
        minBlock: null,
        maxBlock: null,
      }))
      for (const [shard, n, lo, hi] of reader.getRows())
        out[table][Number(shard)] = {
          rows: Number(n),
          minBlock: lo === null ? null : Number(lo),
          maxBlock: hi === null ? null : Number(hi),
        }
    }
  } finally {
    conn.closeSync()
  }
  return out
}

function unblock(fifo: string): void {
  try {
    closeSync(openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK))
  } catch {
    // Already gone or never created: nothing waits on it.
  }
}

/**
 * {@link shardOf} in DuckDB SQL over a `tx_hash` column. Bytes 0-7 are parsed as one 64-bit
 * integer and summed with shifts (two string casts a row instead of nine: ~2x cheaper, and it
 * runs once per shard).
 *
 * @example
 * duckDbShardExpr(2) // '((((…) >> 0) & 255) + … + ('0x' || substring(tx_hash, 65, 2))::UBIGINT) % 2'
 */
export function duckDbShardExpr(shards: number): string {
  if (KEY_BYTES.join() !== '0,2,4,6,8,10,12,14,62')
    throw new Error('duckDbShardExpr assumes the shard key bytes 0-7 and 31')
  const word = `('0x' || substring(tx_hash, 3, 16))::UBIGINT`
  const bytes = [0, 8, 16, 24, 32, 40, 48, 56].map((s) => `((${word} >> ${s}) & 255)`)
  return `((${bytes.join(' + ')}) + ('0x' || substring(tx_hash, 65, 2))::UBIGINT) % ${shards}`
}
