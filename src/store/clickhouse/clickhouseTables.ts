/** The sharded tables of the ClickHouse transfer store (each `<name>_local` on every shard). */
export type ClickHouseTable = 'transfers' | 'transactions' | 'receipts' | 'memos'

/** The order the tables are written in: a transaction's transfers last. */
export const CLICKHOUSE_TABLES: readonly ClickHouseTable[] = [
  'transactions',
  'receipts',
  'memos',
  'transfers',
]

/** The dedupe key of each table (the ReplacingMergeTree sorting key minus the time columns). */
export const TABLE_KEYS: Record<ClickHouseTable, string> = {
  transfers: 'chain_id, tx_hash, kind, ordinal',
  transactions: 'chain_id, tx_hash',
  receipts: 'chain_id, tx_hash',
  memos: 'chain_id, tx_hash, log_index',
}

/** Column order of each table: the order of rows sent as TabSeparated or CSV. */
export const TABLE_COLUMNS: Record<ClickHouseTable, readonly string[]> = {
  transfers: [
    'chain_id',
    'tx_hash',
    'kind',
    'ordinal',
    'block_number',
    'tx_index',
    'token',
    'from_address',
    'to_address',
    'amount',
    'amount_f64',
  ],
  transactions: [
    'chain_id',
    'tx_hash',
    'block_number',
    'tx_index',
    'from_address',
    'to_address',
    'value',
    'gas_price',
  ],
  receipts: ['chain_id', 'tx_hash', 'gas_used', 'effective_gas_price', 'status'],
  memos: ['chain_id', 'tx_hash', 'log_index', 'memo'],
}
