// Trace end to end at scale (issues 5 and 7): `heistguard trace generate --parquet-only` ->
// `trace import` (cryo Parquet into DuckDB) -> `trace run` (haircut, 3 heists, labels), each step
// a separate process under GNU time (wall, CPU, peak RSS), the report checked against the
// generator's exact ground truth.
//
//   npm run bench:trace:e2e                      # 1M, 10M, 100M
//   TRACE_E2E_SIZES=1000000 npm run bench:trace:e2e
//   TRACE_E2E_DIR=/work/bigdata/bulk             # datasets live (and are reused) here
//
// A dataset directory that already holds ground-truth.json is reused (generating 100M takes
// ~13 min); the store is rebuilt every run. Prints a Markdown table for bench/RESULTS.md.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'

const SIZES = (process.env.TRACE_E2E_SIZES ?? '1000000,10000000,100000000').split(',').map(Number)
const DIR = process.env.TRACE_E2E_DIR ?? join(tmpdir(), 'heistguard-trace-e2e')
const CLI = join(process.cwd(), 'bin/heistguard.js')
const log = (line) => process.stderr.write(`${line}\n`)

/** Runs the CLI under /usr/bin/time -v; returns wall s, cpu s, peak RSS MB and stderr. */
function timed(args, stdoutFile) {
  const r = spawnSync('/usr/bin/time', ['-v', 'node', CLI, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  if (r.status !== 0)
    throw new Error(`heistguard ${args.join(' ')} failed: ${r.stderr.slice(-2000)}`)
  if (stdoutFile) writeFileSync(stdoutFile, r.stdout)
  const num = (re) => Number(re.exec(r.stderr)?.[1] ?? Number.NaN)
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(
    r.stderr,
  )
  return {
    seconds: wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN,
    cpu: num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/),
    rssMb: num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024,
    stderr: r.stderr,
  }
}

/** Largest relative difference between report holders and the haircut ground truth. */
function checkTruth(reportFile, truthFile) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'))
  const truth = JSON.parse(readFileSync(truthFile, 'utf8')).policies.haircut
  let worst = 0
  let scale = 1
  let checked = 0
  for (const byHeist of Object.values(truth.holders))
    for (const a of Object.values(byHeist)) scale = Math.max(scale, Number(a))
  const holders = new Map(report.holders.map((h) => [`${h.address}|${h.token}`, h]))
  for (const [key, byHeist] of Object.entries(truth.holders))
    for (const [heist, a] of Object.entries(byHeist))
      if (Number(a) >= 1) {
        checked++
        const got = Number(holders.get(key)?.tainted[heist] ?? 0)
        worst = Math.max(worst, Math.abs(got - Number(a)) / scale)
      }
  return { worst, checked, ok: worst <= 1e-9 }
}

const rows = []
for (const n of SIZES) {
  const d = join(DIR, n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}m` : String(n))
  let gen = '(reused)'
  if (!existsSync(join(d, 'ground-truth.json'))) {
    log(`${n}: generate`)
    const g = timed([
      'trace',
      'generate',
      '--transfers',
      String(n),
      '--heists',
      '3',
      '--seed',
      '1',
      '--parquet-only',
      '--out',
      d,
    ])
    gen = `${g.seconds.toFixed(1)} (${g.rssMb.toFixed(0)} MB)`
  }
  const db = join(d, 'bench-store.duckdb')
  const clean = () => {
    rmSync(db, { force: true })
    rmSync(`${db}.wal`, { force: true })
    rmSync(`${db}.runs`, { recursive: true, force: true })
  }
  clean()
  log(`${n}: import`)
  const imp = timed(['trace', 'import', join(d, 'cryo'), '--db', db])
  // Bulk run (cryo): "streamed ... (X s)" then the dictionary; SQL path: staged, then merged.
  const bulk = /into .* \(([\d.]+) s\)/.exec(imp.stderr)
  const staged = bulk
    ? Number(bulk[1])
    : [...imp.stderr.matchAll(/staged in ([\d.]+) s/g)].reduce((s, m) => s + Number(m[1]), 0)
  const merged = Number(
    (bulk ? /tokens to the dictionary \(([\d.]+) s\)/ : /ids and dedupe in ([\d.]+) s/).exec(
      imp.stderr,
    )?.[1] ?? Number.NaN,
  )
  log(`${n}: run`)
  const reportFile = join(d, 'bench-report.json')
  const run = timed(
    ['trace', 'run', join(d, 'case.yaml'), '--labels', join(d, 'labels.csv'), '--db', db, '--json'],
    reportFile,
  )
  const split = /([\d,]+) transfers, scan (\d+) ms, engine (\d+) ms/.exec(run.stderr)
  const check = checkTruth(reportFile, join(d, 'ground-truth.json'))
  const row = `| ${(split ? Number(split[1].replace(/,/g, '')) : n).toLocaleString('en')} | ${gen} | ${imp.seconds.toFixed(1)} (cpu ${imp.cpu.toFixed(0)}, ${imp.rssMb.toFixed(0)} MB) | ${staged.toFixed(1)} / ${merged.toFixed(1)} | ${run.seconds.toFixed(1)} (cpu ${run.cpu.toFixed(0)}, ${run.rssMb.toFixed(0)} MB) | ${split ? (Number(split[2]) / 1000).toFixed(1) : '?'} / ${split ? (Number(split[3]) / 1000).toFixed(1) : '?'} | ${(imp.seconds + run.seconds).toFixed(1)} | ${check.ok ? 'yes' : 'NO'} (${check.checked} amounts, max rel. diff ${check.worst.toExponential(1)}) |`
  log(row)
  rows.push(row)
  clean()
}
const cpu = cpus()[0]?.model ?? 'unknown'
process.stdout.write(
  [
    `Machine: ${cpus().length} cores (${cpu}), load average at end ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}, ${new Date().toISOString()}`,
    '',
    '| transfers (engine rows) | generate s (peak) | import s (cpu s, peak RSS) | of which stream+merge (SQL path: check+stage) / dictionary (ids+dedupe) s | trace run s (cpu s, peak RSS) | of which scan / engine s | import+trace s | report == ground truth (haircut) |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n'),
)
