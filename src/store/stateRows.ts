import type { Alert, AlertState, OutboxEntry, OutboxState } from './StateStore.js'

/** A database row as the SQL drivers return it (better-sqlite3 and pg alike). */
export type StateRow = Record<string, unknown>

// One mapping from the shared column layout to the StateStore types, so the SQLite and
// PostgreSQL backends cannot drift apart (both run the same stateStoreSuite).

/**
 * An `alerts` row as an Alert.
 *
 * @example
 * rows.map(alertFromRow)
 */
export function alertFromRow(row: StateRow): Alert {
  return {
    id: String(row.id),
    chainId: Number(row.chain_id),
    blockNumber: Number(row.block_number),
    blockHash: String(row.block_hash),
    txHash: row.tx_hash === null ? null : String(row.tx_hash),
    detector: String(row.detector),
    severity: row.severity as Alert['severity'],
    title: String(row.title),
    details: JSON.parse(String(row.details)),
    state: row.state as AlertState,
    revision: Number(row.revision),
    createdAt: Number(row.created_at),
  }
}

/**
 * An `outbox` row as an OutboxEntry.
 *
 * @example
 * rows.map(outboxEntryFromRow)
 */
export function outboxEntryFromRow(row: StateRow): OutboxEntry {
  return {
    messageId: String(row.message_id),
    notifier: String(row.notifier),
    alertId: String(row.alert_id),
    kind: row.kind as OutboxEntry['kind'],
    state: row.state as OutboxState,
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    lastError: row.last_error === null ? null : String(row.last_error),
    createdAt: Number(row.created_at),
    deliveredAt: row.delivered_at === null ? null : Number(row.delivered_at),
    alert: JSON.parse(String(row.alert)),
  }
}
