/**
 * The state store of `heistguard watch`: alerts, their delivery outbox, chain checkpoints,
 * intents, verification receipts and trace cases. One interface, several backends (SQLite here,
 * PostgreSQL later); every backend passes `stateStoreSuite`.
 *
 * All functions are async so that a network database fits the same shape. `transaction(fn)`
 * runs `fn` with a store bound to one database transaction: the follower writes a checkpoint and
 * the alerts of that block inside one, so a crash leaves either both or neither.
 */

/** Severity scale shared with verify findings. */
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical'

/** `live` until the block that produced it is orphaned by a reorg, then `retracted`. */
export type AlertState = 'live' | 'retracted'

/** One alert. `id` is stable: hash(chain id, block hash, tx hash, detector, discriminator). */
export type Alert = {
  id: string
  chainId: number
  blockNumber: number
  blockHash: string
  txHash: string | null
  detector: string
  severity: Severity
  title: string
  /** JSON-serialisable detail; bigint values are stored as decimal strings by detectors. */
  details: Record<string, unknown>
  state: AlertState
  /** Bumped on every state change; outbox message ids derive from it. */
  revision: number
  createdAt: number
}

/** What notifiers deliver: an alert, its retraction, or its restoration after a re-reorg. */
export type OutboxMessageKind = 'alert' | 'retraction' | 'restoration'

export type OutboxState = 'pending' | 'delivered' | 'dead'

/**
 * Delivery state of one message for one notifier. `messageId` is the idempotency key the
 * receiver sees: the alert id for the first message, `<id>:r<revision>` for follow-ups.
 */
export type OutboxEntry = {
  messageId: string
  notifier: string
  alertId: string
  kind: OutboxMessageKind
  state: OutboxState
  attempts: number
  nextAttemptAt: number
  lastError: string | null
  createdAt: number
  deliveredAt: number | null
  /** The alert as it was when the message was enqueued. */
  alert: Alert
}

/** One block the follower has processed; the ring keeps them back to the finalized block. */
export type BlockRef = { number: number; hash: string; parentHash: string }

/** Where the follower stands on one chain. `recent` is ascending by number, ends at `number`. */
export type Checkpoint = {
  chainId: number
  number: number
  hash: string
  recent: BlockRef[]
  updatedAt: number
}

/** An approved outflow: destination, token (null = ETH), max amount, time window (unix s). */
export type Intent = {
  id: string
  chainId: number
  from: string
  to: string
  token: string | null
  maxAmount: string
  validFrom: number
  validUntil: number
  state: 'open' | 'used' | 'cancelled'
  note?: string
}

/** A verification receipt as stored (the signed document lives in `document`). */
export type StoredReceipt = {
  safeTxHash: string
  signer: string
  verdict: 'pass' | 'warn' | 'block'
  time: number
  document: Record<string, unknown>
}

export type StateStore = {
  readonly backend: string
  /** Runs `fn` in one database transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: StateStore) => Promise<T>): Promise<T>
  close(): Promise<void>

  /**
   * Inserts alerts and one `alert` outbox message per notifier. An alert whose id exists and is
   * live is left alone (replay after a crash); one that was retracted becomes live again with a
   * `restoration` message. Returns the alerts that were new or restored.
   */
  putAlerts(alerts: Alert[], notifiers: string[]): Promise<Alert[]>
  getAlert(id: string): Promise<Alert | null>
  listAlerts(filter?: {
    chainId?: number
    state?: AlertState
    fromBlock?: number
  }): Promise<Alert[]>
  /** Retracts every live alert of `chainId` above `blockNumber`, enqueuing `retraction` messages. */
  retractAlertsAbove(
    chainId: number,
    blockNumber: number,
    notifiers: string[],
    now: number,
  ): Promise<Alert[]>

  /** Pending messages due at `now`, oldest first. */
  listDueMessages(now: number, limit: number): Promise<OutboxEntry[]>
  listMessages(filter?: {
    state?: OutboxState
    alertId?: string
    notifier?: string
  }): Promise<OutboxEntry[]>
  markDelivered(messageId: string, notifier: string, now: number): Promise<void>
  /** Records a failed attempt; `dead` moves it to the dead-letter state (kept, never deleted). */
  markFailed(
    messageId: string,
    notifier: string,
    failure: { error: string; nextAttemptAt: number; dead: boolean },
  ): Promise<void>
  countMessages(): Promise<Record<OutboxState, number>>

  getCheckpoint(chainId: number): Promise<Checkpoint | null>
  putCheckpoint(checkpoint: Checkpoint): Promise<void>

  putIntent(intent: Intent): Promise<void>
  listIntents(filter?: { chainId?: number; state?: Intent['state'] }): Promise<Intent[]>
  setIntentState(id: string, state: Intent['state']): Promise<void>

  /** Upserts by (safeTxHash, signer): a signer's newer receipt replaces its older one. */
  putReceipt(receipt: StoredReceipt): Promise<void>
  listReceipts(safeTxHash: string): Promise<StoredReceipt[]>

  putCase(id: string, value: unknown): Promise<void>
  getCase(id: string): Promise<unknown | null>
  listCaseIds(): Promise<string[]>
}

/** The outbox message id (receiver idempotency key) for an alert at a revision. */
export function messageIdFor(alertId: string, revision: number): string {
  return revision === 0 ? alertId : `${alertId}:r${revision}`
}
