/**
 * The one TransferStore contract, run against both backends: the embedded DuckDB file and the
 * two-shard ClickHouse cluster of scripts/services.sh.
 */
import { afterAll, beforeAll } from 'vitest'
import { createClickHouseTransferStore } from '../src/store/clickhouse/createClickHouseTransferStore.js'
import { createDuckDbTransferStore } from '../src/store/duckdb/createDuckDbTransferStore.js'
import { transferStoreSuite } from '../src/store/transferStoreSuite.js'
import { servicesEnv } from './services.js'

let chUrl = ''
let n = 0
const run = `suite_${process.pid}_${Date.now().toString(36)}`

beforeAll(async () => {
  const env = await servicesEnv()
  const hosts = env.HEISTGUARD_TEST_CH_URLS.split(',').map((u) => u.replace(/^http:\/\//, ''))
  chUrl = `clickhouse://${hosts.join(',')}/{db}?cluster=${env.HEISTGUARD_TEST_CH_CLUSTER}`
})

afterAll(async () => {
  const env = await servicesEnv()
  for (const shard of env.HEISTGUARD_TEST_CH_URLS.split(','))
    for (let i = 0; i < n; i++)
      await fetch(`${shard}/`, { method: 'POST', body: `DROP DATABASE IF EXISTS ${run}_${i}` })
})

transferStoreSuite('duckdb', () => createDuckDbTransferStore(':memory:'))
transferStoreSuite('clickhouse (2 shards)', () =>
  createClickHouseTransferStore(chUrl.replace('{db}', `${run}_${n++}`)),
)
