/**
 * Schema of the PostgreSQL state store, as ordered migrations (the same tables as the SQLite
 * backend). `openPostgresStateStore` applies them under an advisory lock, so several watchers
 * starting at once on one database run each migration exactly once.
 *
 * JSON columns are TEXT, not JSONB: the stored document must read back exactly as written
 * (JSONB reorders keys, drops duplicates and rejects `\u0000`), and nothing queries inside it.
 */
export const postgresMigrations: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
CREATE TABLE alerts (
  id TEXT PRIMARY KEY,
  chain_id BIGINT NOT NULL,
  block_number BIGINT NOT NULL,
  block_hash TEXT NOT NULL,
  tx_hash TEXT,
  detector TEXT NOT NULL,
  severity TEXT NOT NULL,
  title TEXT NOT NULL,
  details TEXT NOT NULL,
  state TEXT NOT NULL,
  revision INTEGER NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX alerts_chain_block ON alerts (chain_id, block_number);
CREATE TABLE outbox (
  message_id TEXT NOT NULL,
  notifier TEXT NOT NULL,
  alert_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  delivered_at BIGINT,
  alert TEXT NOT NULL,
  seq BIGSERIAL NOT NULL,
  PRIMARY KEY (message_id, notifier)
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at, seq);
CREATE INDEX outbox_alert ON outbox (alert_id, seq);
CREATE TABLE checkpoints (
  chain_id BIGINT PRIMARY KEY,
  number BIGINT NOT NULL,
  hash TEXT NOT NULL,
  recent TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE intents (
  id TEXT PRIMARY KEY,
  chain_id BIGINT NOT NULL,
  body TEXT NOT NULL,
  state TEXT NOT NULL
);
CREATE TABLE receipts (
  safe_tx_hash TEXT NOT NULL,
  signer TEXT NOT NULL,
  verdict TEXT NOT NULL,
  time BIGINT NOT NULL,
  document TEXT NOT NULL,
  PRIMARY KEY (safe_tx_hash, signer)
);
CREATE TABLE cases (
  id TEXT PRIMARY KEY,
  body TEXT NOT NULL
);
`,
  },
]
