/**
 * Schema of the SQLite state store, as ordered migrations. Applied by `openSqliteStateStore`;
 * the `migrations` table records which ran, so the program creates and upgrades its own schema.
 */
export const sqliteMigrations: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
CREATE TABLE alerts (
  id TEXT PRIMARY KEY,
  chain_id INTEGER NOT NULL,
  block_number INTEGER NOT NULL,
  block_hash TEXT NOT NULL,
  tx_hash TEXT,
  detector TEXT NOT NULL,
  severity TEXT NOT NULL,
  title TEXT NOT NULL,
  details TEXT NOT NULL,
  state TEXT NOT NULL,
  revision INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX alerts_chain_block ON alerts (chain_id, block_number);
CREATE TABLE outbox (
  message_id TEXT NOT NULL,
  notifier TEXT NOT NULL,
  alert_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  delivered_at INTEGER,
  alert TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (message_id, notifier)
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE TABLE checkpoints (
  chain_id INTEGER PRIMARY KEY,
  number INTEGER NOT NULL,
  hash TEXT NOT NULL,
  recent TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE intents (
  id TEXT PRIMARY KEY,
  chain_id INTEGER NOT NULL,
  body TEXT NOT NULL,
  state TEXT NOT NULL
);
CREATE TABLE receipts (
  safe_tx_hash TEXT NOT NULL,
  signer TEXT NOT NULL,
  verdict TEXT NOT NULL,
  time INTEGER NOT NULL,
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
