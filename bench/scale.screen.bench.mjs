// Screening throughput with N stateless API processes against one index (issue 7).
// Run: npm run bench:scale (after `npm run build`); env BENCH_SCREEN_TRANSFERS (default 200000),
// BENCH_SCREEN_REQUESTS (default 40000), BENCH_SCREEN_CONCURRENCY (default 64).
// Builds one trace report with the real CLI (generate -> import -> run), starts 1 and then 4
// `heistguard serve --index report.json` processes on 127.0.0.1, and drives GET
// /api/screen/:address round-robin over them with a bounded closed-loop load generator (a fixed
// number of requests, then it stops). Prints a Markdown section for bench/RESULTS.md.
// On 2 cores more processes cannot add throughput, so the per-core scaling is measured instead:
// the CPU seconds each server process spent (/proc/PID/stat) for its share of the requests, for
// 1, 2 and 4 processes. Connections come from 16 loopback addresses (127.0.0.2-17) so the
// per-client rate limit (2,000/s per address) does not turn the measurement into 429s.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'

const TRANSFERS = Number(process.env.BENCH_SCREEN_TRANSFERS ?? 200_000)
const REQUESTS = Number(process.env.BENCH_SCREEN_REQUESTS ?? 40_000)
// Connections per API process: the total grows with the processes, so each process sees the same
// load per event-loop turn whatever N is.
const PER_PROCESS = Number(process.env.BENCH_SCREEN_CONCURRENCY ?? 16)
const log = (m) => process.stderr.write(`[bench ${(performance.now() / 1000).toFixed(1)}s] ${m}\n`)
const dir = mkdtempSync(join(tmpdir(), 'hg-bench-scale-screen-'))
const cli = (args, out) =>
  execFileSync(process.execPath, ['bin/heistguard.js', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', out ? 'pipe' : 'ignore', 'ignore'],
    maxBuffer: 1 << 30,
  })

log(`generate ${TRANSFERS} transfers, import, trace`)
cli(['trace', 'generate', '--transfers', String(TRANSFERS), '--out', join(dir, 'data')])
cli(['trace', 'import', join(dir, 'data'), '--db', join(dir, 't.duckdb')])
const report = cli(
  [
    'trace',
    'run',
    join(dir, 'data', 'case.yaml'),
    '--db',
    join(dir, 't.duckdb'),
    '--labels',
    join(dir, 'data', 'labels.csv'),
    '--json',
  ],
  true,
)
const reportPath = join(dir, 'report.json')
;(await import('node:fs')).writeFileSync(reportPath, report)
// Query mix: every exposed address of the report, then as many random clean addresses.
const exposed = [...new Set(report.match(/0x[0-9a-f]{40}/g) ?? [])]
let seed = 7
const rand = () => {
  seed = (seed * 1103515245 + 12345) >>> 0
  return seed.toString(16).padStart(8, '0')
}
const clean = exposed.map(() => `0x${rand()}${rand()}${rand()}${rand()}${rand()}`)
const queries = [...exposed, ...clean]
log(`${exposed.length} exposed addresses in the index`)

function startServer(i) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        'bin/heistguard.js',
        'serve',
        '--index',
        reportPath,
        '--port',
        '0',
        '--state',
        join(dir, `state-${i}.db`),
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    )
    let out = ''
    child.stdout.on('data', (c) => {
      out += c
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out)
      if (m) resolve({ child, port: Number(m[1]) })
    })
    child.on('exit', (code) => reject(new Error(`serve exited ${code}`)))
  })
}

async function drive(ports) {
  const CONCURRENCY = PER_PROCESS * ports.length
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  const latencies = new Float64Array(REQUESTS)
  let next = 0
  let errors = 0
  const statuses = {}
  const one = (i) =>
    new Promise((resolve) => {
      const t0 = performance.now()
      const req = http.get(
        {
          host: '127.0.0.1',
          port: ports[i % ports.length],
          path: `/api/screen/${queries[i % queries.length]}`,
          localAddress: `127.0.0.${2 + (i % 16)}`,
          agent,
        },
        (res) => {
          res.resume()
          res.on('end', () => {
            if (res.statusCode !== 200) {
              errors++
              statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1
            }
            latencies[i] = performance.now() - t0
            resolve()
          })
        },
      )
      req.on('error', () => {
        errors++
        resolve()
      })
    })
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < REQUESTS; i = next++) await one(i)
    }),
  )
  const seconds = (performance.now() - t0) / 1000
  agent.destroy()
  const sorted = [...latencies].sort((a, b) => a - b)
  return {
    rps: REQUESTS / seconds,
    p50: sorted[Math.floor(REQUESTS * 0.5)],
    p99: sorted[Math.floor(REQUESTS * 0.99)],
    errors,
    statuses,
  }
}

const rows = []
const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }))
const cpuOf = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(f[11]) + Number(f[12])) / ticks
}
for (const processes of [1, 2, 4]) {
  const servers = await Promise.all(Array.from({ length: processes }, (_, i) => startServer(i)))
  await drive(servers.map((s) => s.port)) // warm-up pass (JIT, index load)
  const before = servers.map((s) => cpuOf(s.child.pid))
  const r = await drive(servers.map((s) => s.port))
  const cpu = servers.map((s, i) => cpuOf(s.child.pid) - before[i])
  // Requests go round-robin: each process served REQUESTS / processes of them.
  const perProcess = cpu.map((c) => REQUESTS / processes / c)
  rows.push({ processes, ...r, cpu, perProcess })
  log(
    `${processes} process(es): ${Math.round(r.rps)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, ${r.errors} errors`,
  )
  for (const s of servers) s.child.kill('SIGTERM')
}
rmSync(dir, { recursive: true, force: true })

const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown'
const lines = [
  `### Scale: screening with N API processes against one index (${new Date().toISOString().slice(0, 10)})`,
  '',
  `Machine: ${cpus().length} cores (${cpu}); the load generator (one node process, ${PER_PROCESS} keep-alive connections per API process, ${REQUESTS.toLocaleString('en')} GET /api/screen/:address per run, half exposed and half clean addresses) shares the same cores. Index: the trace report of a ${TRANSFERS.toLocaleString('en')}-transfer generated case (${exposed.length} exposed addresses).`,
  '',
  '| API processes | requests/s (wall, all processes) | p50 | p99 | errors | server CPU-s per process | requests per CPU-second, each process | requests per CPU-second, all processes |',
  '|---:|---:|---:|---:|---:|---|---|---:|',
  ...rows.map(
    (r) =>
      `| ${r.processes} | ${Math.round(r.rps).toLocaleString('en')} | ${r.p50.toFixed(2)} ms | ${r.p99.toFixed(2)} ms | ${r.errors}${r.errors ? ` (${JSON.stringify(r.statuses)})` : ''} | ${r.cpu.map((c) => c.toFixed(2)).join(' / ')} | ${r.perProcess.map((x) => Math.round(x).toLocaleString('en')).join(' / ')} | ${Math.round(REQUESTS / r.cpu.reduce((a, b) => a + b, 0)).toLocaleString('en')} |`,
  ),
  '',
  `Per-process efficiency relative to one process (requests per CPU-second, N processes / 1 process): ${rows.map((r) => `${r.processes}: ${(REQUESTS / r.cpu.reduce((a, b) => a + b, 0) / (REQUESTS / rows[0].cpu[0])).toFixed(2)}`).join(', ')}. Load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}.`,
]
process.stdout.write(`${lines.join('\n')}\n`)
