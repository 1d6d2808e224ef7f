import pg from 'pg'
import { BaseError } from '../core/BaseError.js'
import { parsePostgresUrl } from '../store/postgres/parsePostgresUrl.js'
import { redactPostgresUrl } from '../store/postgres/redactPostgresUrl.js'
import { runPostgresMigrations } from '../store/postgres/runPostgresMigrations.js'
import type { AlertAck, ServerStore, StoredToken } from './ServerStore.js'

/**
 * The server's tables on PostgreSQL, as ordered migrations (the same tables as the SQLite
 * backend, prefixed `server_`, tracked in `server_migrations`), so they live beside the
 * watcher's state store in one database or schema without colliding with it.
 */
export const postgresServerMigrations: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
CREATE TABLE server_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  salt TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE server_alert_acks (
  alert_id TEXT PRIMARY KEY,
  by TEXT NOT NULL,
  at BIGINT NOT NULL,
  -- JSON-encoded: PostgreSQL TEXT cannot hold U+0000, a note from the API can.
  note_json TEXT
);`,
  },
]

/**
 * Opens (and migrates) the HTTP server's tables (API tokens, alert acknowledgements) on
 * PostgreSQL: the same behaviour as the SQLite backend (both pass `serverStoreSuite`), for
 * several `serve` replicas on one database. Every read goes to the database, so a token created
 * or an alert acknowledged through one replica is seen by all of them at once. `?schema=NAME`
 * selects (and creates) a schema, as for the state store. Errors name the URL without its
 * credentials.
 *
 * @example
 * const server = await openPostgresServerStore('postgres://api@db.internal:5432/heistguard')
 * await server.listTokens()
 */
export async function openPostgresServerStore(
  url: string,
  options: { poolSize?: number } = {},
): Promise<ServerStore> {
  const { config, schema } = parsePostgresUrl(url)
  const pool = new pg.Pool({ ...config, max: options.poolSize ?? 4 })
  // An idle client losing its connection emits 'error' on the pool; unhandled it would crash.
  pool.on('error', () => {})
  try {
    await runPostgresMigrations(pool, {
      schema,
      table: 'server_migrations',
      lock: 'heistguard-server-migrate',
      migrations: postgresServerMigrations,
    })
  } catch (error) {
    await pool.end().catch(() => {})
    if (error instanceof BaseError) throw error
    throw new BaseError(`cannot open PostgreSQL server store: ${(error as Error).message}`, {
      code: 'STORE_OPEN',
      field: redactPostgresUrl(url),
      cause: error,
    })
  }
  type Row = Record<string, unknown>
  const toToken = (r: Row): StoredToken => ({
    id: String(r.id),
    name: String(r.name),
    salt: String(r.salt),
    hash: String(r.hash),
    createdAt: Number(r.created_at),
  })
  const toAck = (r: Row): AlertAck => ({
    alertId: String(r.alert_id),
    by: String(r.by),
    at: Number(r.at),
    note: r.note_json === null ? null : (JSON.parse(String(r.note_json)) as string),
  })
  let closed = false
  return {
    async putToken(t) {
      await pool.query(
        'INSERT INTO server_tokens (id, name, salt, hash, created_at) VALUES ($1, $2, $3, $4, $5)',
        [t.id, t.name, t.salt, t.hash, t.createdAt],
      )
    },
    async getToken(id) {
      const { rows } = await pool.query('SELECT * FROM server_tokens WHERE id = $1', [id])
      return rows[0] ? toToken(rows[0]) : null
    },
    async listTokens() {
      const { rows } = await pool.query(
        'SELECT id, name, created_at FROM server_tokens ORDER BY created_at, id COLLATE "C"',
      )
      return rows.map((r) => ({
        id: String(r.id),
        name: String(r.name),
        createdAt: Number(r.created_at),
      }))
    },
    async deleteToken(id) {
      return ((await pool.query('DELETE FROM server_tokens WHERE id = $1', [id])).rowCount ?? 0) > 0
    },
    async ackAlert(ack) {
      // One statement decides the race between replicas: the first insert wins, later ones see
      // the conflict and read the winner.
      await pool.query(
        `INSERT INTO server_alert_acks (alert_id, by, at, note_json) VALUES ($1, $2, $3, $4)
         ON CONFLICT (alert_id) DO NOTHING`,
        [ack.alertId, ack.by, ack.at, ack.note === null ? null : JSON.stringify(ack.note)],
      )
      const { rows } = await pool.query('SELECT * FROM server_alert_acks WHERE alert_id = $1', [
        ack.alertId,
      ])
      return toAck(rows[0]!)
    },
    async listAcks() {
      const { rows } = await pool.query(
        'SELECT * FROM server_alert_acks ORDER BY at, alert_id COLLATE "C"',
      )
      return rows.map(toAck)
    },
    async close() {
      if (closed) return
      closed = true
      await pool.end()
    },
  }
}
