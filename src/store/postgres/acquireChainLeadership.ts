import pg from 'pg'
import { BaseError } from '../../core/BaseError.js'
import { parsePostgresUrl } from './parsePostgresUrl.js'

/** Held leadership of one chain. Stop acting as leader as soon as `signal` aborts. */
export type ChainLeadership = {
  chainId: number
  /** Aborted when leadership is lost (database connection gone, heartbeat late) or released. */
  signal: AbortSignal
  /** Gives the leadership up (unlock, close the connection); the next candidate takes over. */
  release(): Promise<void>
}

export type AcquireChainLeadershipOptions = {
  chainId: number
  /** Stops waiting: the returned promise rejects with code LEADERSHIP_ABORTED. */
  signal?: AbortSignal
  /** How often a candidate retries the lock. Default 250 ms. */
  pollIntervalMs?: number
  /** How often the leader proves its connection alive. Default 1000 ms. */
  heartbeatMs?: number
  /**
   * How long a leader that stopped answering (frozen process, dead network) keeps the lock: the
   * server ends its idle session after this (PostgreSQL >= 14 `idle_session_timeout`), and the
   * leader itself gives up when a heartbeat takes longer. Default 5000 ms.
   */
  leaseMs?: number
  /** Shown in `pg_stat_activity.application_name` of the lock connection. */
  name?: string
}

/**
 * Waits until this process leads `chainId` among every process using the same database (and
 * `?schema=`), then returns. Leadership is a PostgreSQL session advisory lock held on a
 * dedicated connection: when the leader dies (even `kill -9`) the server ends its session and
 * releases the lock at once, and a waiting candidate takes it within `pollIntervalMs`.
 *
 * Leadership keeps the work to one process; correctness does not depend on it. A deposed leader
 * that still writes for a moment (it learns of the loss at its next heartbeat) writes the same
 * alert ids with `ON CONFLICT DO NOTHING`, and the outbox is delivered at least once with the
 * message id as idempotency key.
 *
 * @example
 * const leadership = await acquireChainLeadership(url, { chainId: 1, signal })
 * await runWatch(config, { store, signal: leadership.signal, ... })
 */
export async function acquireChainLeadership(
  url: string,
  options: AcquireChainLeadershipOptions,
): Promise<ChainLeadership> {
  const { config, schema } = parsePostgresUrl(url)
  const pollIntervalMs = options.pollIntervalMs ?? 250
  const heartbeatMs = options.heartbeatMs ?? 1000
  const leaseMs = Math.max(options.leaseMs ?? 5000, heartbeatMs * 2)
  const key = `heistguard-leader:${schema ?? ''}:${options.chainId}`
  const name = `heistguard-watch ${options.name ?? process.pid}`.slice(0, 63)

  for (;;) {
    if (options.signal?.aborted)
      throw new BaseError('stopped waiting for leadership', { code: 'LEADERSHIP_ABORTED' })
    const client = new pg.Client({ ...config, application_name: name })
    // Without a listener a dropped connection would crash the process; losses are handled below.
    client.on('error', () => {})
    try {
      await client.connect()
      // The server-side half of the lease. Older servers lack the setting: keep the default
      // (the lock then lasts until TCP notices a dead peer).
      await client.query(`SET idle_session_timeout = ${Math.round(leaseMs)}`).catch(() => undefined)
      while (!options.signal?.aborted) {
        const { rows } = await client.query(
          'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok',
          [key],
        )
        if (rows[0]?.ok === true) return hold(client, options.chainId, key, heartbeatMs, leaseMs)
        await sleep(pollIntervalMs, options.signal)
      }
    } catch {
      // Database unreachable or the session ended: retry with a new connection.
    }
    await client.end().catch(() => undefined)
    await sleep(pollIntervalMs, options.signal)
  }
}

function hold(
  client: pg.Client,
  chainId: number,
  key: string,
  heartbeatMs: number,
  leaseMs: number,
): ChainLeadership {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const lose = (reason: string) => {
    if (controller.signal.aborted) return
    clearTimeout(timer)
    controller.abort(
      new BaseError(`lost leadership of chain ${chainId}: ${reason}`, { code: 'LEADERSHIP_LOST' }),
    )
    client.end().catch(() => undefined)
  }
  client.on('end', () => lose('database connection closed'))
  client.on('error', (error) => lose(error.message))
  const beat = async () => {
    const late = setTimeout(
      () => lose(`heartbeat took over ${leaseMs - heartbeatMs} ms`),
      leaseMs - heartbeatMs,
    )
    try {
      await client.query('SELECT 1')
      clearTimeout(late)
      if (!controller.signal.aborted) timer = setTimeout(beat, heartbeatMs)
    } catch (error) {
      clearTimeout(late)
      lose((error as Error).message)
    }
  }
  timer = setTimeout(beat, heartbeatMs)
  return {
    chainId,
    signal: controller.signal,
    async release() {
      if (controller.signal.aborted) return
      clearTimeout(timer)
      controller.abort(
        new BaseError(`released leadership of chain ${chainId}`, { code: 'LEADERSHIP_RELEASED' }),
      )
      await client
        .query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key])
        .catch(() => undefined)
      await client.end().catch(() => undefined)
    },
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}
