import pg from 'pg'
import { beforeAll, describe, expect, test } from 'vitest'
import { servicesEnv } from '../../../test/services.js'
import { acquireChainLeadership } from './acquireChainLeadership.js'

let url = ''
beforeAll(async () => {
  const base = (await servicesEnv()).HEISTGUARD_TEST_PG_URL
  url = `${base}?schema=lead_${process.pid}_${Date.now().toString(36)}`
})

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('acquireChainLeadership', () => {
  test('one leader per chain; release hands over; chains are independent', async () => {
    const a = await acquireChainLeadership(url, { chainId: 1, pollIntervalMs: 20, name: 'a' })
    const other = await acquireChainLeadership(url, { chainId: 5, pollIntervalMs: 20 })
    let bLeads = false
    const b = acquireChainLeadership(url, { chainId: 1, pollIntervalMs: 20, name: 'b' }).then(
      (l) => {
        bLeads = true
        return l
      },
    )
    await settle(300)
    expect(bLeads).toBe(false)
    await a.release()
    expect(a.signal.aborted).toBe(true)
    const leaderB = await b
    expect(leaderB.signal.aborted).toBe(false)
    await leaderB.release()
    await other.release()
  })

  test('a leader whose session dies loses leadership and a candidate takes over', async () => {
    const a = await acquireChainLeadership(url, {
      chainId: 7,
      pollIntervalMs: 20,
      heartbeatMs: 100,
      name: 'victim',
    })
    const b = acquireChainLeadership(url, { chainId: 7, pollIntervalMs: 20, heartbeatMs: 100 })
    const admin = new pg.Client({ connectionString: url.replace(/\?.*$/, '') })
    await admin.connect()
    // What a crashed leader looks like to the server: its session ends.
    const { rows } = await admin.query(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
       WHERE application_name = 'heistguard-watch victim'`,
    )
    await admin.end()
    expect(rows).toEqual([{ ok: true }])
    const lost = await new Promise<unknown>((resolve) =>
      a.signal.aborted
        ? resolve(a.signal.reason)
        : a.signal.addEventListener('abort', () => resolve(a.signal.reason)),
    )
    expect((lost as { code: string }).code).toBe('LEADERSHIP_LOST')
    const leaderB = await b
    expect(leaderB.signal.aborted).toBe(false)
    await leaderB.release()
  })

  test('waiting stops when the caller aborts', async () => {
    const a = await acquireChainLeadership(url, { chainId: 9, pollIntervalMs: 20 })
    const controller = new AbortController()
    const waiting = acquireChainLeadership(url, {
      chainId: 9,
      pollIntervalMs: 20,
      signal: controller.signal,
    })
    controller.abort()
    await expect(waiting).rejects.toThrow('stopped waiting for leadership')
    await a.release()
  })
})
