import { BULK_TABLE } from './bulkRuns.js'

/**
 * Schema of the DuckDB transfer store, as ordered migrations. `migrate` applies those not yet
 * recorded in `schema_migrations`. Amounts are kept twice: exact decimal text (uint256 does not
 * fit DuckDB's widest integer) and float64 for the engine's scan.
 *
 * No primary keys: DuckDB's ART indexes on 100M-row tables cost gigabytes; idempotency comes
 * from anti-joins on the dedupe key at import time instead.
 */
export type Migration = { version: number; name: string; statements: string[] }

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'transfers, transactions, receipts, memos, taint results',
    statements: [
      `CREATE TABLE transfers (
        chain_id UBIGINT NOT NULL,
        tx_hash VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        ordinal INTEGER NOT NULL,
        block_number UBIGINT NOT NULL,
        tx_index INTEGER,
        token VARCHAR NOT NULL,
        from_address VARCHAR NOT NULL,
        to_address VARCHAR NOT NULL,
        amount VARCHAR NOT NULL,
        amount_f64 DOUBLE NOT NULL
      )`,
      `CREATE TABLE transactions (
        chain_id UBIGINT NOT NULL,
        tx_hash VARCHAR NOT NULL,
        block_number UBIGINT NOT NULL,
        tx_index INTEGER NOT NULL,
        from_address VARCHAR NOT NULL,
        to_address VARCHAR NOT NULL,
        value VARCHAR NOT NULL,
        gas_price VARCHAR
      )`,
      `CREATE TABLE receipts (
        chain_id UBIGINT NOT NULL,
        tx_hash VARCHAR NOT NULL,
        gas_used UBIGINT NOT NULL,
        effective_gas_price VARCHAR,
        status SMALLINT
      )`,
      `CREATE TABLE memos (
        chain_id UBIGINT NOT NULL,
        tx_hash VARCHAR NOT NULL,
        log_index INTEGER NOT NULL,
        memo VARCHAR NOT NULL
      )`,
      `CREATE TABLE taint_runs (
        run_id VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
        policy VARCHAR NOT NULL,
        heists VARCHAR NOT NULL,
        report VARCHAR
      )`,
      `CREATE TABLE taint_results (
        run_id VARCHAR NOT NULL,
        address VARCHAR NOT NULL,
        token VARCHAR NOT NULL,
        heist VARCHAR NOT NULL,
        amount VARCHAR NOT NULL,
        balance VARCHAR NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    name: 'integer ids for transactions, addresses and tokens (scan without string joins)',
    statements: [
      // Dense ids, assigned at import: the scan sorts and streams integers only, and a tx hash
      // becomes text again only for the rows a report shows.
      `CREATE TABLE dict_tx (tx_hash VARCHAR NOT NULL, id UINTEGER NOT NULL)`,
      `CREATE TABLE dict_address (address VARCHAR NOT NULL, id UINTEGER NOT NULL)`,
      `CREATE TABLE dict_token (token VARCHAR NOT NULL, id UINTEGER NOT NULL)`,
      `INSERT INTO dict_token VALUES ('ETH', 0)`,
      `ALTER TABLE transfers ADD COLUMN tx_id UINTEGER`,
      `ALTER TABLE transfers ADD COLUMN from_id UINTEGER`,
      `ALTER TABLE transfers ADD COLUMN to_id UINTEGER`,
      `ALTER TABLE transfers ADD COLUMN token_id UINTEGER`,
      `ALTER TABLE transactions ADD COLUMN tx_id UINTEGER`,
      `ALTER TABLE transactions ADD COLUMN from_id UINTEGER`,
      `ALTER TABLE receipts ADD COLUMN tx_id UINTEGER`,
      // Stores written by version 1: give their rows ids too.
      `INSERT INTO dict_tx SELECT tx_hash, CAST(row_number() OVER (ORDER BY tx_hash) - 1 AS UINTEGER)
        FROM (SELECT tx_hash FROM transfers UNION SELECT tx_hash FROM transactions UNION SELECT tx_hash FROM receipts)`,
      `INSERT INTO dict_address SELECT a, CAST(row_number() OVER (ORDER BY a) - 1 AS UINTEGER)
        FROM (SELECT from_address AS a FROM transfers UNION SELECT to_address FROM transfers UNION SELECT from_address FROM transactions) WHERE a <> ''`,
      `INSERT INTO dict_token SELECT token, CAST(row_number() OVER (ORDER BY token) AS UINTEGER)
        FROM (SELECT DISTINCT token FROM transfers WHERE token <> 'ETH')`,
      `UPDATE transfers SET tx_id = (SELECT id FROM dict_tx d WHERE d.tx_hash = transfers.tx_hash),
        from_id = (SELECT id FROM dict_address d WHERE d.address = transfers.from_address),
        to_id = (SELECT id FROM dict_address d WHERE d.address = transfers.to_address),
        token_id = (SELECT id FROM dict_token d WHERE d.token = transfers.token)`,
      `UPDATE transactions SET tx_id = (SELECT id FROM dict_tx d WHERE d.tx_hash = transactions.tx_hash),
        from_id = (SELECT id FROM dict_address d WHERE d.address = transactions.from_address)`,
      `UPDATE receipts SET tx_id = (SELECT id FROM dict_tx d WHERE d.tx_hash = receipts.tx_hash)`,
    ],
  },
  {
    version: 3,
    name: 'bulk runs: cryo imports kept as engine columns on disk (see bulkRuns.ts)',
    statements: [BULK_TABLE],
  },
]
