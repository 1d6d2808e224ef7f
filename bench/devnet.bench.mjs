// Devnet start-up benchmark (issue 3, "the devnet starts in under 3 s"). Measures
//  - in-process (what every chain test pays): startDevnet; + installSafeContracts (29 Safe
//    contracts, code hashes); + setupBybit;
//  - end to end (what a user waits for): `heistguard devnet --port 0` until its JSON line, plain
//    and with --scenario bybit;
//  - next to the tool a user would pick instead: `hardhat node` (hardhat 2.29.1, same EDR engine,
//    empty chain, no Safe contracts) until it prints its URL. anvil/ganache are not installed here.
// Run: npm run bench:devnet (builds the CLI first). --append adds the Markdown to bench/RESULTS.md.
import { spawn } from 'node:child_process'
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { build } from 'esbuild'

const N_IN = Number(process.env.BENCH_IN_PROCESS ?? 10)
const N_CLI = Number(process.env.BENCH_CLI ?? 5)
const log = (m) => process.stderr.write(`[bench ${(performance.now() / 1000).toFixed(1)}s] ${m}\n`)

const dir = join(process.cwd(), 'node_modules', '.cache', 'heistguard-bench-devnet')
mkdirSync(dir, { recursive: true })
await build({
  stdin: {
    contents: `export * from './src/devnet/startDevnet.ts'
export * from './src/devnet/installSafeContracts.ts'
export * from './src/devnet/scenarios/bybit.ts'`,
    resolveDir: process.cwd(),
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile: join(dir, 'devnet.mjs'),
  logLevel: 'warning',
})
const lib = await import(join(dir, 'devnet.mjs'))

const stats = (samples) => {
  const sorted = [...samples].sort((a, b) => a - b)
  const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length
  return {
    mean,
    median: sorted[Math.floor(sorted.length / 2)],
    max: sorted.at(-1),
    n: sorted.length,
  }
}
const row = (name, s) =>
  `| ${name} | ${s.mean.toFixed(0)} | ${s.median.toFixed(0)} | ${s.max.toFixed(0)} | ${s.n} |`

async function inProcess(n, steps) {
  const samples = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    const devnet = await lib.startDevnet({
      port: 0,
      ...(steps.bybit ? { initialDate: lib.BYBIT_GENESIS_DATE } : {}),
    })
    if (steps.install) await lib.installSafeContracts(devnet)
    if (steps.bybit) await lib.setupBybit(devnet)
    samples.push(performance.now() - t)
    await devnet.stop()
  }
  return stats(samples)
}

/** Spawns a command and resolves with ms until a stdout line matches, then stops it with SIGTERM. */
function untilLine(command, args, match, options = {}) {
  return new Promise((resolve, reject) => {
    const t = performance.now()
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options })
    let done = false
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (done || !match(line)) return
      done = true
      const ms = performance.now() - t
      child.once('exit', () => resolve(ms))
      child.kill('SIGTERM')
    })
    child.once(
      'exit',
      (code) => !done && reject(new Error(`${command} exited ${code} before ready`)),
    )
  })
}

async function spawned(n, command, args, match, options) {
  const samples = []
  for (let i = 0; i < n; i++) samples.push(await untilLine(command, args, match, options))
  return stats(samples)
}

log('in-process')
const start = await inProcess(N_IN, {})
const install = await inProcess(N_IN, { install: true })
const bybit = await inProcess(N_IN, { install: true, bybit: true })
log('CLI')
const isJson = (line) => line.startsWith('{"url"')
const cli = await spawned(
  N_CLI,
  process.execPath,
  ['bin/heistguard.js', 'devnet', '--port', '0'],
  isJson,
)
const cliBybit = await spawned(
  N_CLI,
  process.execPath,
  ['bin/heistguard.js', 'devnet', '--port', '0', '--scenario', 'bybit'],
  isJson,
)
log('hardhat node')
const hhDir = join(dir, 'hardhat-node')
mkdirSync(hhDir, { recursive: true })
writeFileSync(
  join(hhDir, 'hardhat.config.cjs'),
  "module.exports = { networks: { hardhat: { hardfork: 'prague' } } }\n",
)
const hardhatNode = await spawned(
  N_CLI,
  process.execPath,
  [
    join(process.cwd(), 'node_modules/hardhat/internal/cli/bootstrap.js'),
    'node',
    '--port',
    '0',
    '--hostname',
    '127.0.0.1',
  ],
  (line) => line.includes('Started HTTP and WebSocket JSON-RPC server'),
  { cwd: hhDir, env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true' } },
)

const cpu = cpus()[0]?.model ?? 'unknown'
const markdown = `
## devnet start-up (${new Date().toISOString().slice(0, 10)})

Machine: ${cpus().length} cores, ${cpu}, Node ${process.version}, load average ${loadavg()[0].toFixed(1)} at the end (shared with other jobs). bench/devnet.bench.mjs (\`npm run bench:devnet\`).
Milliseconds until the node answers JSON-RPC on 127.0.0.1. In-process rows: the first run pays module loading (~1 s), later runs reuse it, as test files after their first devnet do.

| what | mean ms | median ms | max ms | runs |
|---|---|---|---|---|
${row('in-process startDevnet (EDR provider + HTTP/WS server, 10 funded accounts)', start)}
${row('in-process startDevnet + installSafeContracts (29 Safe contracts, hashes checked)', install)}
${row('in-process startDevnet + install + setupBybit (Bybit Safe, tokens, attacker contracts)', bybit)}
${row('`heistguard devnet --port 0` until its JSON line (new process)', cli)}
${row('`heistguard devnet --port 0 --scenario bybit` until its JSON line (new process)', cliBybit)}
${row('peer: `hardhat node --port 0` until "Started HTTP…" (new process, empty chain)', hardhatNode)}

Done-when target: under 3,000 ms. anvil and ganache are not installed on this machine (ganache stops at shanghai anyway).
`
process.stdout.write(markdown)
if (process.argv.includes('--append')) appendFileSync('bench/RESULTS.md', markdown)
