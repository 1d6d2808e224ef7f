import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { servicesEnv } from '../../../test/services.js'
import { stateStoreSuite } from '../stateStoreSuite.js'
import { openPostgresStateStore } from './openPostgresStateStore.js'

// Each store gets its own schema in the one test database: fresh and empty, and parallel test
// files never see each other's rows.
let baseUrl = ''
const run = `t${process.pid}_${Date.now().toString(36)}`
let n = 0
const urlFor = (schema: string) => `${baseUrl}${baseUrl.includes('?') ? '&' : '?'}schema=${schema}`
const urls = new WeakMap<object, string>()

beforeAll(async () => {
  baseUrl = (await servicesEnv()).HEISTGUARD_TEST_PG_URL
})

afterAll(async () => {
  const client = new pg.Client({ connectionString: baseUrl })
  await client.connect()
  const { rows } = await client.query('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', [
    `${run}%`,
  ])
  for (const row of rows) await client.query(`DROP SCHEMA "${row.nspname}" CASCADE`)
  await client.end()
})

stateStoreSuite(
  'postgres',
  async () => {
    const url = urlFor(`${run}_${n++}`)
    const store = await openPostgresStateStore(url, { poolSize: 4 })
    urls.set(store, url)
    return store
  },
  {
    reopen: async (store) => {
      const url = urls.get(store)!
      await store.close()
      const again = await openPostgresStateStore(url, { poolSize: 4 })
      urls.set(again, url)
      return again
    },
  },
)

describe('openPostgresStateStore', () => {
  test('several processes opening one schema at once run each migration once', async () => {
    const url = urlFor(`${run}_migrate`)
    const stores = await Promise.all(
      Array.from({ length: 5 }, () => openPostgresStateStore(url, { poolSize: 1 })),
    )
    const client = new pg.Client({ connectionString: baseUrl })
    await client.connect()
    const { rows } = await client.query(`SELECT version FROM "${run}_migrate".migrations`)
    await client.end()
    expect(rows).toEqual([{ version: 1 }])
    for (const store of stores) await store.close()
  })

  test('concurrent writers of the same alerts produce each alert and message once', async () => {
    const url = urlFor(`${run}_race`)
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => openPostgresStateStore(url, { poolSize: 2 })),
    )
    const alerts = Array.from({ length: 25 }, (_, i) => ({
      id: `race-${i}`,
      chainId: 1,
      blockNumber: i,
      blockHash: `0x${i.toString(16)}`,
      txHash: null,
      detector: 'outflow',
      severity: 'high' as const,
      title: 'race',
      details: {},
      state: 'live' as const,
      revision: 0,
      createdAt: 1,
    }))
    const results = await Promise.all(
      stores.map((store) =>
        store.transaction(async (tx) => {
          const put = await tx.putAlerts(alerts, ['webhook', 'stdout'])
          await tx.putCheckpoint({ chainId: 1, number: 24, hash: '0x18', recent: [], updatedAt: 1 })
          return put.length
        }),
      ),
    )
    // Exactly one writer inserted each alert; the others saw it and did nothing.
    expect(results.reduce((a, b) => a + b, 0)).toBe(25)
    const messages = await stores[0]!.listMessages()
    expect(messages).toHaveLength(50)
    expect(new Set(messages.map((m) => `${m.messageId}/${m.notifier}`)).size).toBe(50)
    for (const store of stores) await store.close()
  })

  test('bad URLs are one-line input errors without the password', async () => {
    await expect(openPostgresStateStore('mysql://x')).rejects.toThrow(
      'state store URL: expected postgres://, got mysql://',
    )
    await expect(openPostgresStateStore(`${baseUrl}?schema=Bad-Name`)).rejects.toThrow(
      /state store URL: schema: schema must match/,
    )
    const error = await openPostgresStateStore('postgres://u:hunter2@127.0.0.1:1/db').catch(
      (e: Error) => e,
    )
    expect(String(error)).toMatch(/postgres:\/\/\*\*\*@127\.0\.0\.1:1\/db: cannot open PostgreSQL/)
    expect(String(error)).not.toContain('hunter2')
  })
})
