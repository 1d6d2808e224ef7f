import { SHARD_KEY_SQL } from './parseClickHouseUrl.js'

/**
 * Schema of the ClickHouse transfer store, run on every shard's server (18.16 has no
 * `ON CLUSTER` without ZooKeeper). Each statement is idempotent (`IF NOT EXISTS`), because
 * ClickHouse DDL is not transactional: a migration interrupted halfway is simply run again.
 *
 * - `*_local` tables hold a shard's rows: ReplacingMergeTree keyed by the dedupe key, so a
 *   re-import (or two importers racing) leaves one row after merges; reads use `FINAL`.
 *   Transfers are ordered by (chain, block, tx, kind, ordinal): storage order is time order,
 *   and a block window reads only its own granules.
 * - Distributed tables of the same names without `_local` span the cluster (sharded by the
 *   first byte of the tx hash) for ad-hoc queries and counts.
 * - Taint runs are small and live on the first shard only.
 *
 * Works on ClickHouse 18.16 and current releases: old-style engine syntax is avoided except
 * where both accept it; no Nullable columns (unknown tx index is -1, unknown status -1, unknown
 * gas price '').
 */
export type ClickHouseMigration = {
  version: number
  name: string
  /** Run on every shard. `{db}` and `{cluster}` are substituted. */
  shardStatements: string[]
  /** Run only when a cluster is configured: the Distributed tables. */
  distributedStatements: string[]
  /** Run on the first shard only. */
  firstShardStatements: string[]
}

export const CLICKHOUSE_MIGRATIONS: ClickHouseMigration[] = [
  {
    version: 1,
    name: 'transfers, transactions, receipts, memos, taint results',
    shardStatements: [
      `CREATE TABLE IF NOT EXISTS {db}.transfers_local (
        chain_id UInt64, tx_hash String, kind String, ordinal UInt32, block_number UInt64,
        tx_index Int64, token String, from_address String, to_address String,
        amount String, amount_f64 Float64
      ) ENGINE = ReplacingMergeTree() PARTITION BY intDiv(block_number, 1000000)
        ORDER BY (chain_id, block_number, tx_hash, kind, ordinal)`,
      `CREATE TABLE IF NOT EXISTS {db}.transactions_local (
        chain_id UInt64, tx_hash String, block_number UInt64, tx_index Int64,
        from_address String, to_address String, value String, gas_price String
      ) ENGINE = ReplacingMergeTree() ORDER BY (chain_id, tx_hash)`,
      `CREATE TABLE IF NOT EXISTS {db}.receipts_local (
        chain_id UInt64, tx_hash String, gas_used UInt64, effective_gas_price String, status Int8
      ) ENGINE = ReplacingMergeTree() ORDER BY (chain_id, tx_hash)`,
      `CREATE TABLE IF NOT EXISTS {db}.memos_local (
        chain_id UInt64, tx_hash String, log_index UInt32, memo String
      ) ENGINE = ReplacingMergeTree() ORDER BY (chain_id, tx_hash, log_index)`,
    ],
    distributedStatements: ['transfers', 'transactions', 'receipts', 'memos'].map(
      (t) =>
        `CREATE TABLE IF NOT EXISTS {db}.${t} AS {db}.${t}_local ENGINE = Distributed({cluster}, {db}, ${t}_local, ${SHARD_KEY_SQL})`,
    ),
    firstShardStatements: [
      `CREATE TABLE IF NOT EXISTS {db}.taint_runs (
        run_id String, version UInt64, policy String, heists String, report String, has_report UInt8
      ) ENGINE = ReplacingMergeTree(version) ORDER BY run_id`,
      `CREATE TABLE IF NOT EXISTS {db}.taint_results (
        run_id String, version UInt64, address String, token String, heist String,
        amount String, balance String
      ) ENGINE = MergeTree() ORDER BY (run_id, version, address, token, heist)`,
    ],
  },
]
