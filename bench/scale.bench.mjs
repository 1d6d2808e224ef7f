// Scale benchmark (issue 7). Run: npm run bench:scale (env: BENCH_SCALE_SIZES, default 1000000).
// Prints a Markdown section for bench/RESULTS.md. Outside CI: it starts the test services
// (scripts/services.sh: PostgreSQL + a two-shard ClickHouse 18.16 cluster on 127.0.0.1).
// For each size, the same generated dataset (`heistguard trace generate`, cryo Parquet) is:
// 1. imported into DuckDB (embedded default) and into the two-shard ClickHouse cluster
//    (importFiles: DuckDB validates the files, then streams CSV to both shards in parallel);
// 2. parsed records imported straight into ClickHouse (importRecords: the parallel sharded
//    write path alone, which gives the per-shard write rate);
// 3. scanned in time order into typed arrays and traced (haircut) on each backend;
// 4. on ClickHouse, the tainted-frontier scan (only transfers sent by reached addresses).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'

const SIZES = (process.env.BENCH_SCALE_SIZES ?? '1000000').split(',').map(Number)
// BENCH_SCALE_DATA=DIR uses an existing \`heistguard trace generate --heists 3 --seed 1\` output
// (BENCH_SCALE_SIZES then names its --transfers) instead of generating it here.
const DATA = process.env.BENCH_SCALE_DATA
// BENCH_SCALE_RECORDS=0 skips the importRecords measurement.
const RECORDS = process.env.BENCH_SCALE_RECORDS !== '0'
// BENCH_SCALE_DUCKDB=0 skips the DuckDB side (ClickHouse numbers only).
const DUCKDB = process.env.BENCH_SCALE_DUCKDB !== '0'
const log = (m) => process.stderr.write(`[bench ${(performance.now() / 1000).toFixed(1)}s] ${m}\n`)
const dir = mkdtempSync(join(tmpdir(), 'hg-bench-scale-'))
const outfile = join(process.cwd(), 'node_modules/.cache/heistguard-bench/scale.mjs')

await build({
  stdin: {
    contents: `export * from './src/store/duckdb/createDuckDbTransferStore.ts'
export * from './src/store/clickhouse/createClickHouseTransferStore.ts'
export * from './src/store/clickhouse/scanClickHouseFrontier.ts'
export * from './src/trace/generate/writeDataset.ts'
export * from './src/trace/generate/generateInMemory.ts'
export * from './src/trace/generate/generateScenario.ts'
export * from './src/trace/ingest/detectImportFiles.ts'
export * from './src/trace/taintEngine.ts'
export * from './src/trace/resolveTaintSetup.ts'`,
    resolveDir: process.cwd(),
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile,
  logLevel: 'warning',
})
const lib = await import(outfile)

const env = Object.fromEntries(
  execFileSync('bash', ['scripts/services.sh', 'start'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /^export ([A-Z_]+)=(.*)$/.exec(l))
    .filter(Boolean)
    .map((m) => [m[1], m[2]]),
)
const shardUrls = env.HEISTGUARD_TEST_CH_URLS.split(',')
const chUrl = (db) =>
  `clickhouse://${shardUrls.map((u) => u.replace('http://', '')).join(',')}/${db}?cluster=${env.HEISTGUARD_TEST_CH_CLUSTER}`
const chQuery = async (shard, sql) => {
  const r = await fetch(`${shard}/`, { method: 'POST', body: sql })
  const text = await r.text()
  if (!r.ok) throw new Error(text)
  return text.trim()
}
const secs = (t0) => (performance.now() - t0) / 1000
// CPU seconds of this process (incl. DuckDB's threads) and of each ClickHouse server (/proc).
const cpuNow = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}
const serverPids = shardUrls.map((_, i) =>
  readFileSync(join(process.cwd(), '.tmp/services', `ch${i + 1}`, 'pid'), 'utf8').trim(),
)
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }))
const serverCpu = () =>
  serverPids.map((pid) => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(f[11]) + Number(f[12])) / clockTicks
  })
const rate = (n, s) => `${Math.round(n / s).toLocaleString('en')}/s`

async function scanAndTrace(store, heists, places) {
  const t0 = performance.now()
  const scan = await store.scanTransfers()
  const scanSetup = secs(t0)
  const setup = lib.resolveTaintSetup({ policy: 'haircut', heists, places }, scan.dictionary)
  const state = lib.createTaintState(setup, scan.dictionary.addresses.length * 2)
  let engine = 0
  let rows = 0
  for await (const chunk of scan.chunks) {
    const e0 = performance.now()
    lib.applyTransfers(state, chunk, lib.prepareTransfers(state, chunk))
    engine += secs(e0)
    rows += chunk.length
  }
  lib.finishTaint(state)
  const total = secs(t0)
  return { rows, total, engine, scan: total - engine, scanSetup }
}

const results = []
for (const n of SIZES) {
  const data = DATA ?? join(dir, `d${n}`)
  let t0 = performance.now()
  let written = { transfers: n }
  if (!DATA) {
    log(`generate ${n.toLocaleString('en')} transfers`)
    written = await lib.writeDataset({ transfers: n, heists: 3, seed: 1 }, data)
  }
  const genS = secs(t0)
  const files = lib.detectImportFiles([data]).filter((f) => f.format === 'cryo')
  const scenario = lib.generateScenario({ transfers: n, heists: 3, seed: 1 }, () => {}, {
    heistOnly: true,
  })
  const heists = lib.heistSpecsOf(scenario)
  const codes = { dex: 1, exchange: 2, bridge: 3, mixer: 4 }
  const places = new Map(
    scenario.labels.filter((l) => codes[l.category]).map((l) => [l.address, codes[l.category]]),
  )
  const r = { n, transfersWritten: written.transfers, genS }

  if (DUCKDB) {
    log('duckdb import')
    const duckPath = join(dir, `d${n}.duckdb`)
    const duck = await lib.createDuckDbTransferStore(duckPath)
    t0 = performance.now()
    const c0 = cpuNow()
    const duckImport = await duck.importFiles(files)
    r.duckImportS = secs(t0)
    r.duckImportCpu = cpuNow() - c0
    r.rows = duckImport.transfers
    log(`duckdb import ${r.duckImportS.toFixed(1)} s; scan + trace`)
    r.duckTrace = await scanAndTrace(duck, heists, places)
    log(`duckdb scan + trace ${r.duckTrace.total.toFixed(1)} s`)
    await duck.close()
    rmSync(duckPath, { force: true })
  }

  const db = `bench_${n}_${process.pid}`
  for (const shard of shardUrls) await chQuery(shard, `DROP DATABASE IF EXISTS ${db}`)
  for (const shard of shardUrls) await chQuery(shard, `DROP DATABASE IF EXISTS ${db}_rec`)
  log('clickhouse importFiles')
  const ch = await lib.createClickHouseTransferStore(chUrl(db))
  t0 = performance.now()
  let stagedAt = 0
  const c0 = cpuNow()
  let cStaged = 0
  const s0 = serverCpu()
  let sStaged = s0
  const chImport = await ch.importFiles(files, {
    onProgress: (line) => {
      if (line.startsWith('validated in DuckDB')) {
        stagedAt = secs(t0)
        cStaged = cpuNow() - c0
        sStaged = serverCpu()
      }
    },
  })
  r.chImportS = secs(t0)
  r.chValidateCpu = cStaged
  r.chWriteClientCpu = cpuNow() - c0 - cStaged
  r.chWriteServerCpu = serverCpu().map((v, i) => v - sStaged[i])
  r.chStageS = stagedAt
  r.chRows = chImport.transfers
  r.chAllRows = chImport.transfers + chImport.transactions + chImport.receipts + chImport.memos
  r.rows ??= r.chRows
  const parts = await Promise.all(
    shardUrls.map((s) =>
      chQuery(
        s,
        `SELECT sum(bytes_on_disk), sum(rows) FROM system.parts WHERE active AND database = '${db}' AND table = 'transfers_local' FORMAT TSV`,
      ),
    ),
  )
  const [bytes, partRows] = parts
    .map((p) => p.split('\t').map(Number))
    .reduce((a, b) => [a[0] + b[0], a[1] + b[1]], [0, 0])
  r.bytesPerRow = bytes / partRows
  r.perShard = await Promise.all(
    shardUrls.map((s) => chQuery(s, `SELECT count() FROM ${db}.transfers_local FINAL`)),
  )
  log(
    `clickhouse importFiles ${r.chImportS.toFixed(1)} s (DuckDB staging ${stagedAt.toFixed(1)} s); scan + trace`,
  )
  r.chTrace = await scanAndTrace(ch, heists, places)

  // The frontier scan: seeds are the recipients of the theft transactions (via the
  // Distributed table, which spans both shards).
  const thefts = heists.flatMap((h) => h.thefts).map((t) => `'${t.toLowerCase()}'`)
  const seedText = await chQuery(
    shardUrls[0],
    `SELECT to_address, min(block_number) FROM ${db}.transfers WHERE tx_hash IN (${thefts.join(',')}) AND to_address != '' GROUP BY to_address FORMAT TSV`,
  )
  const seeds = seedText
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [address, block] = l.split('\t')
      return { address, block: Number(block) }
    })
  const counts = await ch.counts()
  const span = counts.maxBlock - counts.minBlock + 1
  t0 = performance.now()
  let windows = 0
  let read = 0
  let moved = 0
  let frontier = 0
  for await (const w of lib.scanClickHouseFrontier(chUrl(db), {
    seeds,
    stopAt: new Set(places.keys()),
    windowBlocks: Math.ceil(span / 20),
  })) {
    windows++
    read += w.rowsRead
    moved += w.records.length
    frontier = w.frontier
  }
  r.frontier = { s: secs(t0), windows, read, moved, frontier, seeds: seeds.length }
  await ch.close()

  if (RECORDS && n <= 2_000_000) {
    log('clickhouse importRecords (parsed records, parallel sharded writes)')
    const mem = lib.generateInMemory({ transfers: n, heists: 3, seed: 1 })
    const transfers = mem.records.filter((x) => x.kind !== 'gas')
    const transactions = mem.txs.map((t) => ({
      chainId: 1,
      hash: t.hash,
      block: t.block,
      txIndex: t.txIndex,
      from: t.from,
      to: t.to,
      value: t.value,
      gasPrice: t.gasPrice,
      gasUsed: t.gasUsed,
      effectiveGasPrice: t.gasPrice,
      status: 1,
    }))
    const rec = await lib.createClickHouseTransferStore(chUrl(`${db}_rec`))
    t0 = performance.now()
    const added = await rec.importRecords({ transfers, transactions })
    r.recordsS = secs(t0)
    r.recordsRows = added.transfers + added.transactions + added.receipts
    t0 = performance.now()
    const again = await rec.importRecords({ transfers, transactions })
    r.reimportS = secs(t0)
    r.reimportAdded = again.transfers
    await rec.close()
  }
  for (const shard of shardUrls) await chQuery(shard, `DROP DATABASE IF EXISTS ${db}_rec`)
  for (const shard of shardUrls) await chQuery(shard, `DROP DATABASE IF EXISTS ${db}`)
  if (!DATA) rmSync(data, { recursive: true, force: true })
  results.push(r)
  log(JSON.stringify(r))
}
rmSync(dir, { recursive: true, force: true })

const cpu = execFileSync('bash', ['-c', "lscpu | sed -n 's/^Model name: *//p' | head -1"], {
  encoding: 'utf8',
}).trim()
const version = await chQuery(shardUrls[0], 'SELECT version()')
const lines = [
  `### Scale: DuckDB vs two-shard ClickHouse (${new Date().toISOString().slice(0, 10)})`,
  '',
  `Machine: ${cpus().length} cores (${cpu}), ${Math.round((await import('node:os')).totalmem() / 2 ** 30)} GiB; both ClickHouse ${version} shards and PostgreSQL on the same 2 cores (127.0.0.1). Dataset: \`heistguard trace generate --heists 3 --seed 1\`, imported from its cryo Parquet files. Trace = time-ordered scan into typed arrays + haircut engine.`,
  '',
  '| transfers | backend | import | import rate | scan | engine | scan + trace |',
  '|---:|---|---:|---:|---:|---:|---:|',
]
for (const r of results) {
  if (r.duckTrace)
    lines.push(
      `| ${r.rows.toLocaleString('en')} | DuckDB file | ${r.duckImportS.toFixed(1)} s | ${rate(r.rows, r.duckImportS)} | ${r.duckTrace.scan.toFixed(1)} s | ${r.duckTrace.engine.toFixed(1)} s | ${r.duckTrace.total.toFixed(1)} s |`,
    )
  lines.push(
    `| ${r.chRows.toLocaleString('en')} | ClickHouse 2 shards (files: DuckDB validation ${r.chStageS.toFixed(1)} s + cluster write ${(r.chImportS - r.chStageS).toFixed(1)} s; ${r.bytesPerRow.toFixed(1)} bytes/row on disk) | ${r.chImportS.toFixed(1)} s | ${rate(r.chRows, r.chImportS)} | ${r.chTrace.scan.toFixed(1)} s | ${r.chTrace.engine.toFixed(1)} s | ${r.chTrace.total.toFixed(1)} s |`,
  )
}
lines.push('', '| transfers | ClickHouse path | time | rate | detail |', '|---:|---|---:|---:|---|')
for (const r of results) {
  const writeS = r.chImportS - r.chStageS
  lines.push(
    `| ${r.chRows.toLocaleString('en')} | importFiles, cluster write only (after DuckDB validation) | ${writeS.toFixed(1)} s | ${rate(r.chAllRows, writeS)} rows, **${rate(r.chAllRows / r.chWriteServerCpu.length, writeS)} per shard** | ${r.chAllRows.toLocaleString('en')} rows (transfers + transactions + receipts); CPU: client ${r.chWriteClientCpu.toFixed(1)} s (DuckDB CSV encoding + pipes), servers ${r.chWriteServerCpu.map((c) => c.toFixed(1)).join(' + ')} s = ${rate(r.chAllRows / r.chWriteServerCpu.length, r.chWriteServerCpu.reduce((a, b) => a + b, 0) / r.chWriteServerCpu.length)} rows per server CPU-second |`,
  )
  if (r.recordsS !== undefined)
    lines.push(
      `| ${r.rows.toLocaleString('en')} | importRecords (parsed rows, deduped in JS -> 2 shards in parallel; pre-check, then direct or staged) | ${r.recordsS.toFixed(1)} s | ${rate(r.recordsRows, r.recordsS)} rows (${rate(r.recordsRows / 2, r.recordsS)} per shard) | ${r.recordsRows.toLocaleString('en')} rows (transfers + transactions + receipts); re-import ${r.reimportS.toFixed(1)} s, ${r.reimportAdded} added |`,
    )
  lines.push(
    `| ${r.chRows.toLocaleString('en')} | frontier scan (20 block windows) | ${r.frontier.s.toFixed(2)} s | - | ${r.frontier.seeds} seeds, read ${r.frontier.read.toLocaleString('en')} rows (${((100 * r.frontier.read) / r.chRows).toFixed(2)}% of the table), ${r.frontier.moved.toLocaleString('en')} taint-moving transfers, ${r.frontier.frontier.toLocaleString('en')} addresses reached; shard rows ${r.perShard.join(' / ')} |`,
  )
}
process.stdout.write(`${lines.join('\n')}\n`)
