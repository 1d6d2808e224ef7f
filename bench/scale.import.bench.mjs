// ClickHouse import throughput (issue 7): imports one generated cryo Parquet dataset into the
// two-shard cluster and splits the time into DuckDB validation and cluster write, with the CPU
// seconds of the client (incl. DuckDB's threads) and of each ClickHouse server (/proc).
// Run: BENCH_IMPORT_DATA=/path/to/generated node bench/scale.import.bench.mjs
// BENCH_IMPORT_ROOT=/other/checkout measures another version of the store (before/after).
// BENCH_IMPORT_DUCKDB=/path/store.duckdb instead measures the cluster write alone from an
// already validated DuckDB transfer store (copyDuckDbToShards; no DuckDB import first).
// Prints one JSON line per run on stdout.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'

const data = process.env.BENCH_IMPORT_DATA
const duckFile = process.env.BENCH_IMPORT_DUCKDB
if (!data && !duckFile)
  throw new Error('set BENCH_IMPORT_DATA to a `heistguard trace generate` output dir')
const root = process.env.BENCH_IMPORT_ROOT ?? process.cwd()
const reimport = process.env.BENCH_IMPORT_AGAIN === '1'
const outfile = join(
  process.cwd(),
  `node_modules/.cache/heistguard-bench/scale-import-${process.pid}.mjs`,
)
await build({
  stdin: {
    contents: `export * from './src/store/clickhouse/createClickHouseTransferStore.ts'
export * from './src/store/clickhouse/clickhouseShard.ts'
${duckFile ? "export * from './src/store/clickhouse/copyDuckDbToShards.ts'" : ''}
export * from './src/trace/ingest/detectImportFiles.ts'`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile,
  logLevel: 'warning',
  nodePaths: [join(process.cwd(), 'node_modules')],
})
const lib = await import(outfile)
const servicesDir = join(process.cwd(), '.tmp/services')
const env = Object.fromEntries(
  execFileSync('bash', ['scripts/services.sh', 'start'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /^export ([A-Z_]+)=(.*)$/.exec(l))
    .filter(Boolean)
    .map((m) => [m[1], m[2]]),
)
const shardUrls = env.HEISTGUARD_TEST_CH_URLS.split(',')
const serverPids = shardUrls.map((_, i) =>
  readFileSync(join(servicesDir, `ch${i + 1}`, 'pid'), 'utf8').trim(),
)
const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }))
const serverCpu = () =>
  serverPids.map((pid) => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(f[11]) + Number(f[12])) / ticks
  })
const clientCpu = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}
const chQuery = async (shard, sql) => {
  const r = await fetch(`${shard}/`, { method: 'POST', body: sql })
  const text = await r.text()
  if (!r.ok) throw new Error(text)
  return text.trim()
}
const db = `bench_import_${process.pid}`
const url = `clickhouse://${shardUrls.map((u) => u.replace('http://', '')).join(',')}/${db}?cluster=${env.HEISTGUARD_TEST_CH_CLUSTER}`
for (const shard of shardUrls) await chQuery(shard, `DROP DATABASE IF EXISTS ${db}`)
const files = data ? lib.detectImportFiles([data]).filter((f) => f.format === 'cryo') : []
const store = await lib.createClickHouseTransferStore(url)

async function importOnce() {
  const t0 = performance.now()
  const c0 = clientCpu()
  const s0 = serverCpu()
  let validated = null
  let cValidated = null
  let sValidated = null
  const lines = []
  const added = await store.importFiles(files, {
    onProgress: (line) => {
      lines.push(line)
      // "validated in DuckDB" ends the DuckDB staging (the staging file is closed).
      if (/^validated in DuckDB/.test(line)) {
        validated = (performance.now() - t0) / 1000
        cValidated = clientCpu() - c0
        sValidated = serverCpu()
      }
    },
  })
  const total = (performance.now() - t0) / 1000
  const s1 = serverCpu()
  const rows = added.transfers + added.transactions + added.receipts + added.memos
  return {
    added,
    rows,
    totalS: total,
    validateS: validated,
    writeS: total - validated,
    clientCpuValidateS: cValidated,
    clientCpuWriteS: clientCpu() - c0 - cValidated,
    serverCpuWriteS: s1.map((v, i) => v - sValidated[i]),
    serverCpuValidateS: sValidated.map((v, i) => v - s0[i]),
    lastLine: lines.at(-1),
  }
}
async function copyOnce() {
  const shards = shardUrls.map((u, i) =>
    lib.openClickHouseShard(i, u, { username: 'default', password: '' }),
  )
  const t0 = performance.now()
  const c0 = clientCpu()
  const s0 = serverCpu()
  const { added, report } = await lib.copyDuckDbToShards(duckFile, shards, db)
  const writeS = (performance.now() - t0) / 1000
  const s1 = serverCpu()
  for (const s of shards) await s.close()
  const rows = added.transfers + added.transactions + added.receipts + added.memos
  return {
    added,
    rows,
    totalS: writeS,
    validateS: 0,
    writeS,
    clientCpuWriteS: clientCpu() - c0,
    serverCpuWriteS: s1.map((v, i) => v - s0[i]),
    paths: Object.fromEntries(Object.entries(report).map(([t, w]) => [t, w.map((x) => x.path)])),
  }
}
const load0 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
const first = duckFile ? await copyOnce() : await importOnce()
const again = reimport ? (duckFile ? await copyOnce() : await importOnce()) : null
const perShard = await Promise.all(
  shardUrls.map((s) =>
    chQuery(
      s,
      `SELECT (SELECT count() FROM ${db}.transfers_local) + (SELECT count() FROM ${db}.transactions_local) + (SELECT count() FROM ${db}.receipts_local) + (SELECT count() FROM ${db}.memos_local)`,
    ).then(Number),
  ),
)
await store.close()
for (const shard of shardUrls) await chQuery(shard, `DROP DATABASE IF EXISTS ${db}`)
const load1 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
process.stdout.write(
  `${JSON.stringify({ root, data, first, again, perShard, writeRowsPerSecPerShard: Math.round(first.rows / first.writeS / shardUrls.length), load: [load0, load1] })}\n`,
)
