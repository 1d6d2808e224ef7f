import pg from 'pg'
import { BaseError } from '../../core/BaseError.js'
import {
  type Alert,
  type AlertState,
  type Checkpoint,
  type Intent,
  messageIdFor,
  type OutboxEntry,
  type OutboxState,
  type StateStore,
  type StoredReceipt,
} from '../StateStore.js'
import { alertFromRow, outboxEntryFromRow } from '../stateRows.js'
import { parsePostgresUrl } from './parsePostgresUrl.js'
import { postgresMigrations } from './postgresMigrations.js'
import { redactPostgresUrl } from './redactPostgresUrl.js'
import { runPostgresMigrations } from './runPostgresMigrations.js'

type Row = Record<string, unknown>
type Queryable = { query: (sql: string, params?: unknown[]) => Promise<{ rows: Row[] }> }

export type OpenPostgresStateStoreOptions = {
  /** Connections in the pool. Default 10. */
  poolSize?: number
}

/**
 * Opens a PostgreSQL state store: the same behaviour as the SQLite backend (it passes
 * `stateStoreSuite`), for several `watch` processes sharing one database. The schema is created
 * and upgraded by migrations under an advisory lock. `?schema=NAME` in the URL selects (and
 * creates) a schema, so several stores can share one database.
 *
 * Every multi-statement write (an alert with its outbox messages, a retraction) runs in one
 * transaction, so a crash never leaves an alert without its messages. Writes are idempotent
 * (alerts are keyed by their stable id; `INSERT ... ON CONFLICT DO NOTHING`), so two processes
 * writing the same block — an old leader and its successor — produce each alert and each
 * message once.
 *
 * @example
 * const store = await openPostgresStateStore('postgres://watch@db.internal:5432/heistguard')
 * await store.transaction(async (tx) => { await tx.putCheckpoint(cp) })
 */
export async function openPostgresStateStore(
  url: string,
  options: OpenPostgresStateStoreOptions = {},
): Promise<StateStore> {
  const { config, schema } = parsePostgresUrl(url)
  const pool = new pg.Pool({ ...config, max: options.poolSize ?? 10 })
  // An idle client that loses its connection emits 'error' on the pool; without a listener
  // that would crash the process. The next query gets a fresh connection.
  pool.on('error', () => {})
  try {
    await runPostgresMigrations(pool, {
      schema,
      table: 'migrations',
      lock: 'heistguard-migrate',
      migrations: postgresMigrations,
    })
  } catch (error) {
    await pool.end().catch(() => {})
    if (error instanceof BaseError) throw error
    throw new BaseError(`cannot open PostgreSQL state store: ${(error as Error).message}`, {
      code: 'STORE_OPEN',
      field: redactPostgresUrl(url),
      cause: error,
    })
  }

  const makeOps = (db: Queryable) => {
    const enqueue = async (
      alert: Alert,
      kind: OutboxEntry['kind'],
      notifiers: string[],
      now: number,
    ) => {
      const messageId = messageIdFor(alert.id, alert.revision)
      const body = JSON.stringify(alert)
      for (const notifier of notifiers)
        await db.query(
          `INSERT INTO outbox (message_id, notifier, alert_id, kind, state, attempts,
            next_attempt_at, last_error, created_at, delivered_at, alert)
           VALUES ($1, $2, $3, $4, 'pending', 0, $5, NULL, $5, NULL, $6)
           ON CONFLICT (message_id, notifier) DO NOTHING`,
          [messageId, notifier, alert.id, kind, now, body],
        )
    }

    return {
      async putAlerts(alerts: Alert[], notifiers: string[]): Promise<Alert[]> {
        const changed: Alert[] = []
        for (const alert of alerts) {
          const fresh: Alert = { ...alert, state: 'live', revision: 0 }
          const inserted = await db.query(
            `INSERT INTO alerts (id, chain_id, block_number, block_hash, tx_hash, detector,
              severity, title, details, state, revision, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'live', 0, $10)
             ON CONFLICT (id) DO NOTHING RETURNING id`,
            [
              fresh.id,
              fresh.chainId,
              fresh.blockNumber,
              fresh.blockHash,
              fresh.txHash,
              fresh.detector,
              fresh.severity,
              fresh.title,
              JSON.stringify(fresh.details),
              fresh.createdAt,
            ],
          )
          if (inserted.rows.length > 0) {
            await enqueue(fresh, 'alert', notifiers, fresh.createdAt)
            changed.push(fresh)
            continue
          }
          // The row lock taken by UPDATE makes a concurrent restore of the same alert wait and
          // then match nothing, so a restoration is enqueued once.
          const restored = await db.query(
            `UPDATE alerts SET state = 'live', revision = revision + 1
             WHERE id = $1 AND state = 'retracted' RETURNING *`,
            [alert.id],
          )
          const row = restored.rows[0]
          if (row) {
            const back = alertFromRow(row)
            await enqueue(back, 'restoration', notifiers, alert.createdAt)
            changed.push(back)
          }
        }
        return changed
      },
      async retractAlertsAbove(
        chainId: number,
        blockNumber: number,
        notifiers: string[],
        now: number,
      ): Promise<Alert[]> {
        const { rows } = await db.query(
          `UPDATE alerts SET state = 'retracted', revision = revision + 1
           WHERE chain_id = $1 AND block_number > $2 AND state = 'live' RETURNING *`,
          [chainId, blockNumber],
        )
        const retracted = rows.map(alertFromRow).sort(byBlockThenId)
        for (const alert of retracted) await enqueue(alert, 'retraction', notifiers, now)
        return retracted
      },
      async getAlert(id: string): Promise<Alert | null> {
        const { rows } = await db.query('SELECT * FROM alerts WHERE id = $1', [id])
        return rows[0] ? alertFromRow(rows[0]) : null
      },
      async listAlerts(
        filter: { chainId?: number; state?: AlertState; fromBlock?: number } = {},
      ): Promise<Alert[]> {
        const where = whereClause()
        if (filter.chainId !== undefined) where.add('chain_id =', filter.chainId)
        if (filter.state !== undefined) where.add('state =', filter.state)
        if (filter.fromBlock !== undefined) where.add('block_number >=', filter.fromBlock)
        const { rows } = await db.query(
          `SELECT * FROM alerts ${where.sql()} ORDER BY block_number, id COLLATE "C"`,
          where.params,
        )
        return rows.map(alertFromRow)
      },
      async listDueMessages(now: number, limit: number): Promise<OutboxEntry[]> {
        const { rows } = await db.query(
          `SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_at <= $1
           ORDER BY seq LIMIT $2`,
          [now, limit],
        )
        return rows.map(outboxEntryFromRow)
      },
      async listMessages(
        filter: { state?: OutboxState; alertId?: string; notifier?: string } = {},
      ): Promise<OutboxEntry[]> {
        const where = whereClause()
        if (filter.state !== undefined) where.add('state =', filter.state)
        if (filter.alertId !== undefined) where.add('alert_id =', filter.alertId)
        if (filter.notifier !== undefined) where.add('notifier =', filter.notifier)
        const { rows } = await db.query(
          `SELECT * FROM outbox ${where.sql()} ORDER BY seq`,
          where.params,
        )
        return rows.map(outboxEntryFromRow)
      },
      async markDelivered(messageId: string, notifier: string, now: number): Promise<void> {
        await db.query(
          `UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = $1,
             last_error = NULL
           WHERE message_id = $2 AND notifier = $3 AND state = 'pending'`,
          [now, messageId, notifier],
        )
      },
      async markFailed(
        messageId: string,
        notifier: string,
        failure: { error: string; nextAttemptAt: number; dead: boolean },
      ): Promise<void> {
        await db.query(
          `UPDATE outbox SET state = $1, attempts = attempts + 1, next_attempt_at = $2,
             last_error = $3
           WHERE message_id = $4 AND notifier = $5 AND state = 'pending'`,
          [
            failure.dead ? 'dead' : 'pending',
            failure.nextAttemptAt,
            failure.error,
            messageId,
            notifier,
          ],
        )
      },
      async countMessages(): Promise<Record<OutboxState, number>> {
        const counts: Record<OutboxState, number> = { pending: 0, delivered: 0, dead: 0 }
        const { rows } = await db.query('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state')
        for (const row of rows) counts[row.state as OutboxState] = Number(row.n)
        return counts
      },
      async getCheckpoint(chainId: number): Promise<Checkpoint | null> {
        const { rows } = await db.query('SELECT * FROM checkpoints WHERE chain_id = $1', [chainId])
        const row = rows[0]
        if (!row) return null
        return {
          chainId: Number(row.chain_id),
          number: Number(row.number),
          hash: String(row.hash),
          recent: JSON.parse(String(row.recent)),
          updatedAt: Number(row.updated_at),
        }
      },
      async putCheckpoint(checkpoint: Checkpoint): Promise<void> {
        await db.query(
          `INSERT INTO checkpoints (chain_id, number, hash, recent, updated_at)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (chain_id) DO UPDATE SET number = excluded.number, hash = excluded.hash,
             recent = excluded.recent, updated_at = excluded.updated_at`,
          [
            checkpoint.chainId,
            checkpoint.number,
            checkpoint.hash,
            JSON.stringify(checkpoint.recent),
            checkpoint.updatedAt,
          ],
        )
      },
      async putIntent(intent: Intent): Promise<void> {
        await db.query(
          `INSERT INTO intents (id, chain_id, body, state) VALUES ($1, $2, $3, $4)
           ON CONFLICT (id) DO UPDATE SET chain_id = excluded.chain_id, body = excluded.body,
             state = excluded.state`,
          [intent.id, intent.chainId, JSON.stringify(intent), intent.state],
        )
      },
      async listIntents(
        filter: { chainId?: number; state?: Intent['state'] } = {},
      ): Promise<Intent[]> {
        const where = whereClause()
        if (filter.chainId !== undefined) where.add('chain_id =', filter.chainId)
        if (filter.state !== undefined) where.add('state =', filter.state)
        const { rows } = await db.query(
          `SELECT * FROM intents ${where.sql()} ORDER BY id COLLATE "C"`,
          where.params,
        )
        return rows.map((row) => ({
          ...(JSON.parse(String(row.body)) as Intent),
          state: row.state as Intent['state'],
        }))
      },
      async setIntentState(id: string, state: Intent['state']): Promise<void> {
        await db.query('UPDATE intents SET state = $1 WHERE id = $2', [state, id])
      },
      async putReceipt(receipt: StoredReceipt): Promise<void> {
        await db.query(
          `INSERT INTO receipts (safe_tx_hash, signer, verdict, time, document)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (safe_tx_hash, signer) DO UPDATE SET verdict = excluded.verdict,
             time = excluded.time, document = excluded.document`,
          [
            receipt.safeTxHash.toLowerCase(),
            receipt.signer.toLowerCase(),
            receipt.verdict,
            receipt.time,
            JSON.stringify(receipt.document),
          ],
        )
      },
      async listReceipts(safeTxHash: string): Promise<StoredReceipt[]> {
        const { rows } = await db.query(
          'SELECT * FROM receipts WHERE safe_tx_hash = $1 ORDER BY signer COLLATE "C"',
          [safeTxHash.toLowerCase()],
        )
        return rows.map((row) => ({
          safeTxHash: String(row.safe_tx_hash),
          signer: String(row.signer),
          verdict: row.verdict as StoredReceipt['verdict'],
          time: Number(row.time),
          document: JSON.parse(String(row.document)),
        }))
      },
      async putCase(id: string, value: unknown): Promise<void> {
        await db.query(
          `INSERT INTO cases (id, body) VALUES ($1, $2)
           ON CONFLICT (id) DO UPDATE SET body = excluded.body`,
          [id, JSON.stringify(value)],
        )
      },
      async getCase(id: string): Promise<unknown | null> {
        const { rows } = await db.query('SELECT body FROM cases WHERE id = $1', [id])
        return rows[0] ? JSON.parse(String(rows[0].body)) : null
      },
      async listCaseIds(): Promise<string[]> {
        const { rows } = await db.query('SELECT id FROM cases ORDER BY id COLLATE "C"')
        return rows.map((row) => String(row.id))
      },
    }
  }

  /** Runs `fn` on one pooled connection inside BEGIN/COMMIT (ROLLBACK when it throws). */
  const inTransaction = async <T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect()
    let broken = false
    try {
      await client.query('BEGIN')
      const result = await fn(client)
      await client.query('COMMIT')
      return result
    } catch (error) {
      try {
        await client.query('ROLLBACK')
      } catch {
        broken = true
      }
      throw error
    } finally {
      client.release(broken)
    }
  }

  const storeOn = (client: pg.PoolClient): StateStore => {
    const ops = makeOps(client)
    const txStore: StateStore = {
      backend: 'postgres',
      ...ops,
      transaction: (fn) => fn(txStore),
      close: async () => {
        throw new BaseError('close() inside a transaction', { code: 'STORE_MISUSE' })
      },
    }
    return txStore
  }

  const poolOps = makeOps(pool)
  let closed = false
  return {
    backend: 'postgres',
    ...poolOps,
    // Alerts and their outbox messages commit together.
    putAlerts: (alerts, notifiers) =>
      inTransaction((client) => makeOps(client).putAlerts(alerts, notifiers)),
    retractAlertsAbove: (chainId, blockNumber, notifiers, now) =>
      inTransaction((client) =>
        makeOps(client).retractAlertsAbove(chainId, blockNumber, notifiers, now),
      ),
    transaction: (fn) => inTransaction((client) => fn(storeOn(client))),
    close: async () => {
      if (closed) return
      closed = true
      await pool.end()
    },
  }
}

/** Builds `WHERE a = $1 AND b >= $2`, numbering the parameters. */
function whereClause() {
  const params: unknown[] = []
  const parts: string[] = []
  return {
    params,
    add(condition: string, value: unknown): void {
      params.push(value)
      parts.push(`${condition} $${params.length}`)
    },
    sql: (): string => (parts.length ? `WHERE ${parts.join(' AND ')}` : ''),
  }
}

function byBlockThenId(a: Alert, b: Alert): number {
  return a.blockNumber - b.blockNumber || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}
