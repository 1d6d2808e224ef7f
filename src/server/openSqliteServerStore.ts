import Database from 'better-sqlite3'
import { BaseError } from '../core/BaseError.js'
import type { AlertAck, ServerStore, StoredToken } from './ServerStore.js'

const MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE server_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  salt TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE server_alert_acks (
  alert_id TEXT PRIMARY KEY,
  by TEXT NOT NULL,
  at INTEGER NOT NULL,
  note TEXT
);`,
  },
]

/**
 * Opens (and migrates) the server's tables in the state database file. Tables are prefixed
 * `server_` and migrations are tracked in `server_migrations`, so they never collide with the
 * watcher's schema in the same file. `:memory:` works for tests.
 *
 * @example
 * const store = openSqliteServerStore('heistguard.db')
 */
export function openSqliteServerStore(path: string): ServerStore {
  let db: Database.Database
  try {
    db = new Database(path)
  } catch (error) {
    throw new BaseError(`cannot open state database: ${(error as Error).message}`, {
      code: 'STORE_OPEN',
      field: path,
      exitCode: 2,
    })
  }
  db.pragma('journal_mode = WAL')
  db.pragma('busy_timeout = 5000')
  db.exec('CREATE TABLE IF NOT EXISTS server_migrations (version INTEGER PRIMARY KEY)')
  const done = new Set(
    (db.prepare('SELECT version FROM server_migrations').all() as { version: number }[]).map(
      (r) => r.version,
    ),
  )
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue
    db.transaction(() => {
      db.exec(m.sql)
      db.prepare('INSERT INTO server_migrations (version) VALUES (?)').run(m.version)
    })()
  }
  type TokenRow = { id: string; name: string; salt: string; hash: string; created_at: number }
  const toToken = (r: TokenRow): StoredToken => ({
    id: r.id,
    name: r.name,
    salt: r.salt,
    hash: r.hash,
    createdAt: r.created_at,
  })
  type AckRow = { alert_id: string; by: string; at: number; note: string | null }
  const toAck = (r: AckRow): AlertAck => ({ alertId: r.alert_id, by: r.by, at: r.at, note: r.note })
  return {
    async putToken(t) {
      db.prepare(
        'INSERT INTO server_tokens (id, name, salt, hash, created_at) VALUES (?, ?, ?, ?, ?)',
      ).run(t.id, t.name, t.salt, t.hash, t.createdAt)
    },
    async getToken(id) {
      const row = db.prepare('SELECT * FROM server_tokens WHERE id = ?').get(id) as
        | TokenRow
        | undefined
      return row ? toToken(row) : null
    },
    async listTokens() {
      return (
        db
          .prepare('SELECT id, name, created_at FROM server_tokens ORDER BY created_at, id')
          .all() as TokenRow[]
      ).map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at }))
    },
    async deleteToken(id) {
      return db.prepare('DELETE FROM server_tokens WHERE id = ?').run(id).changes > 0
    },
    async ackAlert(ack) {
      db.prepare(
        'INSERT OR IGNORE INTO server_alert_acks (alert_id, by, at, note) VALUES (?, ?, ?, ?)',
      ).run(ack.alertId, ack.by, ack.at, ack.note)
      return toAck(
        db.prepare('SELECT * FROM server_alert_acks WHERE alert_id = ?').get(ack.alertId) as AckRow,
      )
    },
    async listAcks() {
      return (
        db.prepare('SELECT * FROM server_alert_acks ORDER BY at, alert_id').all() as AckRow[]
      ).map(toAck)
    },
    async close() {
      db.close()
    },
  }
}
