// Trace benchmark (issue 5). Run: npm run bench:trace (env: BENCH_ENGINE_N, BENCH_E2E_SIZES,
// BENCH_SIDE_SIZES, BENCH_SQL_TIMEOUT_S). Prints a Markdown section for bench/RESULTS.md.
// 1. Engine (bench/trace.engine.bench.mjs): M transfers/s of CPU time, one core, every policy.
// 2. End to end: `heistguard trace generate` -> `trace import` (cryo Parquet) -> `trace run`, wall
//    time and peak resident memory of each process (GNU time), with the report checked against
//    the generator's ground truth.
// 3. Side by side, same trace (poison without labels = time-respecting reachability from the
//    theft transfers): heistguard's engine vs a recursive SQL query in DuckDB vs a NetworkX script.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { build } from 'esbuild'

const ENGINE_N = Number(process.env.BENCH_ENGINE_N ?? 10_000_000)
const E2E_SIZES = (process.env.BENCH_E2E_SIZES ?? '1000000,10000000').split(',').map(Number)
const SIDE_SIZES = (process.env.BENCH_SIDE_SIZES ?? '100000,1000000').split(',').map(Number)
const SQL_TIMEOUT_S = Number(process.env.BENCH_SQL_TIMEOUT_S ?? 300)
const log = (m) => process.stderr.write(`[bench ${(performance.now() / 1000).toFixed(1)}s] ${m}\n`)
const dir = mkdtempSync(join(tmpdir(), 'hg-bench-trace-'))
const out = []

await build({
  stdin: {
    contents: `export * from './src/trace/taintEngine.ts'
export * from './src/trace/TransferColumns.ts'
export * from './src/trace/resolveTaintSetup.ts'
export * from './src/store/duckdb/createDuckDbTransferStore.ts'`,
    resolveDir: process.cwd(),
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  external: ['@duckdb/*'],
  // Inside the repo so that the external @duckdb/node-api resolves from node_modules.
  outfile: join(process.cwd(), 'node_modules/.cache/heistguard-bench/trace.mjs'),
  logLevel: 'warning',
})
const lib = await import(join(process.cwd(), 'node_modules/.cache/heistguard-bench/trace.mjs'))

// ---------- 1. engine ----------
// The engine rows (realistic generator data and the synthetic worst case, every policy) live in
// bench/trace.engine.bench.mjs, which also runs alone: npm run bench:trace:engine.
{
  const engine = await import('./trace.engine.bench.mjs')
  out.push(
    ...(await engine.engineSection(await engine.buildEngineLib(process.cwd(), 'trace-engine'), {
      engineN: ENGINE_N,
      realN: Number(process.env.BENCH_REAL_N ?? ENGINE_N),
      lotsN: Number(process.env.BENCH_LOTS_N ?? 2_000_000),
      log,
    })),
  )
}

// ---------- 2. end to end ----------
function timed(args, stdoutFile) {
  const r = spawnSync('/usr/bin/time', ['-v', 'node', 'bin/heistguard.js', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', stdoutFile ? 'pipe' : 'ignore', 'pipe'],
  })
  if (r.status !== 0)
    throw new Error(`heistguard ${args.join(' ')} failed: ${r.stderr.slice(-2000)}`)
  if (stdoutFile) writeFileSync(stdoutFile, r.stdout)
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(
    r.stderr,
  )
  const seconds = wall
    ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3])
    : Number.NaN
  const rss =
    Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? Number.NaN) / 1024
  const engine = /scan (\d+) ms, engine (\d+) ms/.exec(r.stderr)
  return {
    seconds,
    rssMb: rss,
    scanMs: engine ? Number(engine[1]) : undefined,
    engineMs: engine ? Number(engine[2]) : undefined,
  }
}
out.push('### End to end: generate -> import cryo Parquet -> trace (haircut, 3 heists, labels)', '')
out.push(
  '| transfers | generate s (peak MB) | import s (peak MB) | trace run s (peak MB) | of which scan / engine s | import+trace s | report == ground truth |',
  '|---|---|---|---|---|---|---|',
)
const datasets = new Map()
for (const n of E2E_SIZES) {
  const d = join(dir, `e2e-${n}`)
  log(`e2e ${n}: generate`)
  const g = timed([
    'trace',
    'generate',
    '--transfers',
    String(n),
    '--heists',
    '3',
    '--seed',
    '1',
    '--out',
    d,
  ])
  log(`e2e ${n}: import (cryo)`)
  const db = join(d, 'store.duckdb')
  const imp = timed(['trace', 'import', join(d, 'cryo'), '--db', db])
  log(`e2e ${n}: run`)
  const reportFile = join(d, 'report.json')
  const run = timed(
    ['trace', 'run', join(d, 'case.yaml'), '--labels', join(d, 'labels.csv'), '--db', db, '--json'],
    reportFile,
  )
  const report = JSON.parse(readFileSync(reportFile, 'utf8'))
  const truth = JSON.parse(readFileSync(join(d, 'ground-truth.json'), 'utf8')).policies.haircut
  let worst = 0
  let scale = 1
  for (const byHeist of Object.values(truth.holders))
    for (const a of Object.values(byHeist)) scale = Math.max(scale, Number(a))
  for (const [key, byHeist] of Object.entries(truth.holders)) {
    const [address, token] = key.split('|')
    const h = report.holders.find((x) => x.address === address && x.token === token)
    for (const [heist, a] of Object.entries(byHeist))
      if (Number(a) >= 1)
        worst = Math.max(worst, Math.abs(Number(h?.tainted[heist] ?? 0) - Number(a)) / scale)
  }
  const row = `| ${n.toLocaleString('en')} | ${g.seconds.toFixed(1)} (${g.rssMb.toFixed(0)}) | ${imp.seconds.toFixed(1)} (${imp.rssMb.toFixed(0)}) | ${run.seconds.toFixed(1)} (${run.rssMb.toFixed(0)}) | ${(run.scanMs / 1000).toFixed(1)} / ${(run.engineMs / 1000).toFixed(2)} | ${(imp.seconds + run.seconds).toFixed(1)} | ${worst <= 1e-9 ? 'yes' : 'NO'} (max rel. diff ${worst.toExponential(1)}) |`
  log(row)
  out.push(row)
  datasets.set(n, d)
}
out.push('')

// ---------- 3. side by side ----------
out.push(
  '### Same trace three ways: time-respecting reachability from the theft transfers (poison, no labels)',
  '',
)
out.push(
  '| transfers | heistguard scan+engine s | DuckDB recursive SQL s | NetworkX load+trace s | tainted (address, token): heistguard / SQL / NetworkX | SQL / heistguard | NetworkX / heistguard |',
  '|---|---|---|---|---|---|---|',
)
const hasNetworkx =
  spawnSync('python3', ['-c', 'import networkx'], { stdio: 'ignore' }).status === 0
for (const n of SIDE_SIZES) {
  let d = datasets.get(n)
  if (!d) {
    d = join(dir, `side-${n}`)
    log(`side ${n}: generate + import`)
    timed([
      'trace',
      'generate',
      '--transfers',
      String(n),
      '--heists',
      '3',
      '--seed',
      '1',
      '--out',
      d,
    ])
  }
  // The ethereum-etl CSV of the same dataset, through the SQL import: the recursive query needs
  // the rows in the `transfers` table (a cryo import becomes a bulk run of column files instead).
  const db = join(d, 'side.duckdb')
  log(`side ${n}: import CSV`)
  timed([
    'trace',
    'import',
    ...['transactions', 'token_transfers', 'traces', 'receipts', 'logs'].map((f) =>
      join(d, `${f}.csv`),
    ),
    '--db',
    db,
  ])
  const thefts = [...readFileSync(join(d, 'case.yaml'), 'utf8').matchAll(/0x[0-9a-f]{64}/g)].map(
    (m) => m[0],
  )
  // heistguard, on its own store of the cryo files (a bulk run: engine columns on disk)
  const ownDb = join(d, 'store.duckdb')
  if (!datasets.has(n)) timed(['trace', 'import', join(d, 'cryo'), '--db', ownDb])
  const store = await lib.createDuckDbTransferStore(ownDb)
  const t0 = performance.now()
  // As `trace run` reads a store: hashes and addresses stay in the store, only the thefts resolve.
  const scan = await store.scanTransfers({ lazyTxHashes: true, lazyAddresses: true })
  const theftIds = await scan.txIdsOf(thefts)
  const txHashes = []
  for (const [h, id] of theftIds) txHashes[id] = h
  const chunks = []
  for await (const c of scan.chunks) chunks.push(c)
  const columns = lib.concatTransferColumns(chunks)
  const t1 = performance.now()
  const setup = lib.resolveTaintSetup(
    { policy: 'poison', heists: [{ id: 'all', thefts, sources: [] }], places: new Map() },
    { ...scan.dictionary, txHashes, addresses: [] },
  )
  setup.addressCount = scan.addressCount
  setup.placeByAddress = new Uint8Array(scan.addressCount)
  setup.placeOf = () => 0
  const state = lib.runTaint(columns, setup)
  const t2 = performance.now()
  let ours = 0
  for (let a = 0; a < state.accountCount; a++) if (lib.mayHoldTaint(state, a)) ours++
  await store.close()
  // DuckDB recursive SQL (earliest infection per (address, token), USING KEY keeps one row each)
  const inst = await DuckDBInstance.create(db)
  const conn = await inst.connect()
  const p0 = performance.now()
  await conn.run(`CREATE TEMP TABLE t AS SELECT row_number() OVER (ORDER BY block_number, coalesce(tx_index, 1000000000), tx_hash, CASE kind WHEN 'native' THEN 1 ELSE 2 END, ordinal) AS seq,
    from_address AS src, to_address AS dst, token, tx_hash FROM transfers WHERE amount_f64 > 0`)
  const prepSeconds = (performance.now() - p0) / 1000
  const rowsInT = Number((await conn.runAndReadAll('SELECT count(*) FROM t')).getRows()[0][0])
  if (rowsInT === 0)
    throw new Error(`side ${n}: no transfers in ${db} for the SQL and NetworkX runs`)
  const theftList = thefts.map((h) => `'${h}'`).join(',')
  const sql = `WITH RECURSIVE reach(addr, token, seq) USING KEY (addr, token) AS (
      SELECT dst, token, min(seq) FROM t WHERE tx_hash IN (${theftList}) GROUP BY dst, token
      UNION
      (SELECT t.dst, t.token, min(t.seq) FROM reach r JOIN t ON t.src = r.addr AND t.token = r.token AND t.seq > r.seq
        LEFT JOIN recurring.reach k ON k.addr = t.dst AND k.token = t.token
        WHERE k.seq IS NULL OR t.seq < k.seq
        GROUP BY t.dst, t.token))
    SELECT count(*) AS n FROM reach`
  const s0 = performance.now()
  let sqlCount = 'timeout'
  let sqlSeconds = Number.NaN
  const timer = setTimeout(() => conn.interrupt(), SQL_TIMEOUT_S * 1000)
  try {
    sqlCount = Number((await conn.runAndReadAll(sql)).getRowObjectsJS()[0].n)
    sqlSeconds = (performance.now() - s0) / 1000
  } catch (e) {
    log(`SQL stopped: ${String(e.message).split('\n')[0]}`)
  }
  clearTimeout(timer)
  // NetworkX input
  const edges = join(d, 'edges.csv')
  const seeds = join(d, 'seeds.csv')
  await conn.run(`COPY (SELECT seq, src, dst, token FROM t ORDER BY seq) TO '${edges}' (HEADER)`)
  await conn.run(
    `COPY (SELECT seq, dst || '|' || token FROM t WHERE tx_hash IN (${theftList}) ORDER BY seq) TO '${seeds}' (HEADER false)`,
  )
  conn.closeSync()
  inst.closeSync()
  let nx = { tainted: 'n/a', load_s: Number.NaN, trace_s: Number.NaN }
  if (hasNetworkx) {
    log(`side ${n}: networkx`)
    nx = JSON.parse(
      execFileSync('python3', ['bench/trace_networkx.py', edges, seeds], {
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      }),
    )
  }
  const oursS = (t2 - t0) / 1000
  const nxS = nx.load_s + nx.trace_s
  const row = `| ${n.toLocaleString('en')} | ${oursS.toFixed(2)} (engine ${((t2 - t1) / 1000).toFixed(3)}) | ${Number.isNaN(sqlSeconds) ? `> ${SQL_TIMEOUT_S} (stopped)` : sqlSeconds.toFixed(2)} (+ ${prepSeconds.toFixed(2)} to order the table) | ${Number.isNaN(nxS) ? 'n/a' : `${nxS.toFixed(2)} (${nx.load_s.toFixed(2)} + ${nx.trace_s.toFixed(2)})`} | ${ours} / ${sqlCount} / ${nx.tainted} | ${Number.isNaN(sqlSeconds) ? `> ${(SQL_TIMEOUT_S / oursS).toFixed(0)}x` : `${(sqlSeconds / oursS).toFixed(1)}x`} | ${Number.isNaN(nxS) ? 'n/a' : `${(nxS / oursS).toFixed(1)}x`} |`
  log(row)
  out.push(row)
}
out.push('')
const cpu = cpus()[0]?.model ?? 'unknown'
const header = `## trace (issue 5) — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, ${cpu}, Node ${process.version}\n`
process.stdout.write(`${header}\n${out.join('\n')}\n`)
if (process.env.BENCH_KEEP !== '1') rmSync(dir, { recursive: true, force: true })
