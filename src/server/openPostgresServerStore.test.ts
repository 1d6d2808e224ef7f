import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { servicesEnv } from '../../test/services.js'
import { openPostgresStateStore } from '../store/postgres/openPostgresStateStore.js'
import { openPostgresServerStore } from './openPostgresServerStore.js'
import { openServerStore } from './openServerStore.js'
import type { ServerStore } from './ServerStore.js'
import { serverStoreSuite } from './serverStoreSuite.js'

// Each store gets its own schema of the one test database: fresh, and invisible to parallel files.
let baseUrl = ''
const run = `srv${process.pid}_${Date.now().toString(36)}`
let n = 0
const urlFor = (schema: string) => `${baseUrl}${baseUrl.includes('?') ? '&' : '?'}schema=${schema}`
const urls = new WeakMap<ServerStore, string>()
const open = async (url: string) => {
  const store = await openPostgresServerStore(url, { poolSize: 2 })
  urls.set(store, url)
  return store
}

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

serverStoreSuite('postgres', async () => open(urlFor(`${run}_${n++}`)), {
  reopen: async (store) => {
    await store.close()
    return open(urls.get(store)!)
  },
  twin: async (store) => open(urls.get(store)!),
})

describe('openPostgresServerStore', () => {
  test('lives beside the state store in one schema; replicas starting together migrate once', async () => {
    const url = urlFor(`${run}_beside`)
    const state = await openPostgresStateStore(url, { poolSize: 1 })
    const servers = await Promise.all(Array.from({ length: 4 }, () => openServerStore(url)))
    const client = new pg.Client({ connectionString: baseUrl })
    await client.connect()
    const tables = await client.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
      [`${run}_beside`],
    )
    const versions = await client.query(`SELECT version FROM "${run}_beside".server_migrations`)
    await client.end()
    expect(tables.rows.map((r) => r.table_name)).toEqual([
      'alerts',
      'cases',
      'checkpoints',
      'intents',
      'migrations',
      'outbox',
      'receipts',
      'server_alert_acks',
      'server_migrations',
      'server_tokens',
    ])
    expect(versions.rows).toEqual([{ version: 1 }])
    for (const s of servers) await s.close()
    await state.close()
  })

  test('errors name the URL without its credentials', async () => {
    const error = await openServerStore(
      'postgres://u:hunter2@127.0.0.1:1/db?password=hunter2',
    ).catch((e: Error) => e)
    expect(String(error)).toMatch(
      /: postgres:\/\/\*\*\*@127\.0\.0\.1:1\/db: cannot open PostgreSQL server store: connect ECONNREFUSED/,
    )
    expect(String(error)).not.toContain('hunter2')
    await expect(openServerStore('mysql://x/y')).rejects.toThrow(
      'state store URL: unsupported state store URL scheme mysql:',
    )
  })
})
