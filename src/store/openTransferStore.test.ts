import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { servicesEnv } from '../../test/services.js'
import { parseClickHouseUrl, shardOf } from './clickhouse/parseClickHouseUrl.js'
import { openTransferStore } from './openTransferStore.js'

describe('openTransferStore', () => {
  let chUrl = ''
  beforeAll(async () => {
    const env = await servicesEnv()
    const hosts = env.HEISTGUARD_TEST_CH_URLS.split(',').map((u) => u.replace('http://', ''))
    chUrl = `clickhouse://${hosts.join(',')}/open_${process.pid}?cluster=${env.HEISTGUARD_TEST_CH_CLUSTER}`
  })

  test('file paths, duckdb: URLs and :memory: open DuckDB', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-open-t-'))
    for (const url of [
      join(dir, 'a.duckdb'),
      `duckdb:${join(dir, 'b.duckdb')}`,
      'duckdb://c.duckdb',
      ':memory:',
    ]) {
      const store = await openTransferStore(url, { cwd: dir })
      expect(store.backend).toBe('duckdb')
      expect((await store.counts()).transfers).toBe(0)
      await store.close()
    }
  })

  test('clickhouse:// opens the cluster; the location carries no credentials', async () => {
    const store = await openTransferStore(chUrl.replace('clickhouse://', 'clickhouse://default:@'))
    expect(store.backend).toBe('clickhouse')
    expect(store.location).toBe(chUrl)
    expect((await store.counts()).transfers).toBe(0)
    await store.close()
  })

  test('a cluster that does not match the URL is an input error', async () => {
    const one = chUrl.replace(/,[^/]+/, '')
    await expect(openTransferStore(one)).rejects.toThrow(
      'transfer store URL: cluster: cluster heistguard has 2 shard(s)',
    )
    await expect(openTransferStore('mysql://x/y')).rejects.toThrow(
      'unsupported transfer store URL scheme mysql:',
    )
  })

  test('URL parsing and shard routing', () => {
    expect(parseClickHouseUrl('clickhouse://u:p%40ss@a:1,b/db?cluster=c&secure=1')).toEqual({
      shards: ['https://a:1', 'https://b:8123'],
      database: 'db',
      cluster: 'c',
      username: 'u',
      password: 'p@ss',
      location: 'clickhouse://a:1,b/db?cluster=c',
    })
    expect(() => parseClickHouseUrl('clickhouse://a,b/db')).toThrow(
      /several shards need \?cluster=NAME/,
    )
    expect(() => parseClickHouseUrl('clickhouse://a/db-x')).toThrow(/database must match/)
    // Bytes 0-7 and 31 of the hash, summed, pick the shard, as the Distributed tables do.
    const hash = (bytes: Record<number, number>) =>
      `0x${Array.from({ length: 32 }, (_, i) => (bytes[i] ?? 0).toString(16).padStart(2, '0')).join('')}`
    expect([
      shardOf(hash({ 0: 1 }), 2),
      shardOf(hash({ 0: 1, 31: 1 }), 2),
      shardOf(hash({ 3: 2, 31: 1 }), 3),
      shardOf(hash({ 8: 1, 30: 1 }), 2),
    ]).toEqual([1, 0, 0, 0])
  })
})
