import type { Readable } from 'node:stream'
import type { ClickHouseShard } from './clickhouseShard.js'
import { type ClickHouseTable, TABLE_COLUMNS, TABLE_KEYS } from './clickhouseTables.js'

/** Rows of one table bound for one shard: parsed values, or an encoded stream made on demand. */
export type ShardRows =
  | { kind: 'values'; rows: readonly (readonly (string | number | bigint)[])[] }
  | { kind: 'stream'; format: 'CSV' | 'TabSeparated'; open: () => ShardStream }

/** An encoded stream and the promise of its producer (rejects when the producer failed). */
export type ShardStream = { body: Readable; produced: Promise<void> }

/** What the caller knows about the rows: how many (unique by key), and their block range. */
export type ShardRowStats = { rows: number; minBlock: number | null; maxBlock: number | null }

/** How a table's rows reached the shard: straight into the table, or through a staging table. */
export type ShardWrite = { added: number; path: 'none' | 'direct' | 'staged-new' | 'staged-merge' }

/**
 * Writes one table's rows to one shard's `<table>_local` and returns how many were new.
 *
 * Idempotency without a per-row anti-join in the common case (a bulk import of new blocks):
 * 1. A cheap pre-check proves that none of the rows can be stored yet: for transfers and
 *    transactions, no stored row in the rows' block range (transfers: the primary index; a
 *    transaction hash fixes its block); for receipts and memos, an empty table. Then the rows
 *    stream straight into the table, parsed once by the server.
 * 2. Otherwise they stream into a staging table on the shard; if none of their keys is stored
 *    (one set lookup on the server) they are copied over in one INSERT SELECT, else only the
 *    keys not yet stored are (the anti-join), which also drops duplicates within the rows.
 * ReplacingMergeTree on the same key keeps reads (`FINAL`) exact even when two importers race
 * past the pre-check together.
 *
 * The rows in `stats.rows` must be unique by key for the direct paths (DuckDB-staged imports
 * are); parsed batches that may repeat a key pass `unique: false` and always take the anti-join.
 *
 * @example
 * const { added } = await writeShardTable(shard, 'hg', 'transfers', { kind: 'values', rows }, stats)
 */
export async function writeShardTable(
  shard: ClickHouseShard,
  db: string,
  table: ClickHouseTable,
  rows: ShardRows,
  stats: ShardRowStats & { unique?: boolean },
): Promise<ShardWrite> {
  if (stats.rows === 0) return { added: 0, path: 'none' }
  const local = `${db}.${table}_local`
  const columns = TABLE_COLUMNS[table].join(', ')
  const send = async (target: string) => {
    if (rows.kind === 'values') {
      await shard.insert(`${target} (${columns})`, rows.rows)
      return
    }
    const { body, produced } = rows.open()
    // Both must finish: a producer that fails midway ends the stream early, and the rows it
    // did send must not count as a complete write.
    const inserted = shard.insertStream(`${target} (${columns})`, body, rows.format)
    const [insertResult, producedResult] = await Promise.allSettled([
      inserted.finally(() => body.destroy()),
      produced,
    ])
    if (producedResult.status === 'rejected') throw producedResult.reason
    if (insertResult.status === 'rejected') throw insertResult.reason
  }
  const blockWindow =
    (table === 'transfers' || table === 'transactions') &&
    stats.minBlock !== null &&
    stats.maxBlock !== null
      ? `block_number >= ${stats.minBlock} AND block_number <= ${stats.maxBlock}`
      : null
  if (stats.unique !== false) {
    const probe = blockWindow
      ? `SELECT count() AS n FROM ${local} WHERE ${blockWindow}`
      : `SELECT count() AS n FROM ${local}`
    if (Number((await shard.rows(probe))[0]?.n ?? 1) === 0) {
      await send(local)
      return { added: stats.rows, path: 'direct' }
    }
  }

  const stage = `${db}.stage_${table}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`
  await shard.exec(`CREATE TABLE IF NOT EXISTS ${stage} AS ${local} ENGINE = Log`)
  try {
    await send(stage)
    const key = TABLE_KEYS[table]
    // Transfers are stored in block order: bounding the lookup by the staged blocks lets the
    // primary index skip the rest of the table.
    const window =
      table === 'transfers'
        ? `block_number >= (SELECT min(block_number) FROM ${stage}) AND block_number <= (SELECT max(block_number) FROM ${stage}) AND `
        : ''
    const stored = `SELECT ${key} FROM ${local} WHERE ${window}tx_hash IN (SELECT tx_hash FROM ${stage})`
    if (stats.unique !== false) {
      const overlap = await shard.rows(
        `SELECT count() AS n FROM (${stored}) WHERE (${key}) IN (SELECT ${key} FROM ${stage})`,
      )
      if (Number(overlap[0]?.n ?? 1) === 0) {
        await shard.exec(`INSERT INTO ${local} (${columns}) SELECT ${columns} FROM ${stage}`)
        return { added: stats.rows, path: 'staged-new' }
      }
    }
    const keyCols = key.split(', ')
    const fresh = `SELECT ${TABLE_COLUMNS[table].map((c) => (keyCols.includes(c) ? c : `any(${c}) AS ${c}`)).join(', ')}
      FROM ${stage} WHERE (${key}) NOT IN (${stored}) GROUP BY ${key}`
    const counted = await shard.rows(`SELECT count() AS n FROM (${fresh})`)
    const n = Number(counted[0]?.n ?? 0)
    if (n > 0) await shard.exec(`INSERT INTO ${local} (${columns}) ${fresh}`)
    return { added: n, path: 'staged-merge' }
  } finally {
    await shard.exec(`DROP TABLE IF EXISTS ${stage}`)
  }
}
