/**
 * What the HTTP server keeps beside the watcher's StateStore: API tokens (only a salted hash) and
 * alert acknowledgements. A separate small interface because the StateStore belongs to `watch`;
 * the SQLite backend lives in the same database file, in its own tables and migrations.
 */
export type StoredToken = {
  /** Public id: the part of the token before the secret, safe to log. */
  id: string
  name: string
  /** hex(salt), hex(sha256(salt || secret)). */
  salt: string
  hash: string
  createdAt: number
}

export type AlertAck = { alertId: string; by: string; at: number; note: string | null }

export type ServerStore = {
  putToken(token: StoredToken): Promise<void>
  getToken(id: string): Promise<StoredToken | null>
  listTokens(): Promise<Omit<StoredToken, 'salt' | 'hash'>[]>
  deleteToken(id: string): Promise<boolean>
  /** First acknowledgement wins; a second one is a no-op that returns the first. */
  ackAlert(ack: AlertAck): Promise<AlertAck>
  listAcks(): Promise<AlertAck[]>
  close(): Promise<void>
}
