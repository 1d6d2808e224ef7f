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
]
