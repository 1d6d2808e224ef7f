// Taint engine benchmark (issue 5), section 1 of bench/trace.bench.mjs; also runs alone:
//   npm run bench:trace:engine   (env: BENCH_ENGINE_N, BENCH_REAL_N, BENCH_LOTS_N,
//   BENCH_BASELINE_REF = a git ref whose engine is measured side by side in the same run)
// Prints a Markdown section for bench/RESULTS.md. Throughput is CPU time of this process
// (process.cpuUsage, user+system), so other load on the shared machine does not count.
//
// Two datasets:
// - realistic: the laundering generator's data (`heistguard trace generate`: power-law background
//   traffic, gas rows, DEX swaps, exchange deposits, 2 heists whose taint reaches a small part of
//   the accounts). This is what the issue's 10 M transfers/s is judged on.
// - worst case: every row random over 1,000,000 power-law addresses, 1,000 theft transactions at
//   the start, so every first outflow of an address is a clean top-up and taint reaches most
//   accounts: nearly every row carries taint and takes the evidence branch.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const ENGINE_EXPORTS = `export * from './src/trace/taintEngine.ts'
export * from './src/trace/TransferColumns.ts'
export * from './src/trace/resolveTaintSetup.ts'`
const GENERATOR_EXPORTS = `export * from './src/trace/columnsFromRecords.ts'
export * from './src/trace/generate/generateScenario.ts'
export * from './src/trace/generate/generateInMemory.ts'`

/** Bundles the engine (and the generator) found under `root` into an importable module. */
export async function buildEngineLib(root, name, withGenerator = true) {
  const outfile = join(process.cwd(), `node_modules/.cache/heistguard-bench/${name}.mjs`)
  await build({
    stdin: {
      contents: withGenerator ? `${ENGINE_EXPORTS}\n${GENERATOR_EXPORTS}` : ENGINE_EXPORTS,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    logLevel: 'warning',
  })
  return import(`${pathToFileURL(outfile).href}?${Date.now()}`)
}

/** The engine of another git ref (e.g. the one before a change), bundled for a same-run comparison. */
export async function buildBaselineLib(ref) {
  const dir = mkdtempSync(join(tmpdir(), 'hg-bench-baseline-'))
  execFileSync('sh', ['-c', `git archive ${ref} src | tar -x -C ${dir}`])
  try {
    return await buildEngineLib(dir, 'trace-engine-baseline', false)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The worst-case synthetic columns (seeded, the same on every run). */
export function synthWorstCase(lib, n, addresses) {
  let seed = 7
  const rand = () => {
    seed ^= seed << 13
    seed ^= seed >>> 17
    seed ^= seed << 5
    return (seed >>> 0) / 4294967296
  }
  const c = lib.allocateTransferColumns(n)
  for (let i = 0; i < n; i++) {
    c.block[i] = i >>> 7
    c.txId[i] = i
    c.from[i] = Math.floor(addresses * rand() ** 3)
    c.to[i] = Math.floor(addresses * rand() ** 3)
    c.token[i] = rand() < 0.9 ? 0 : 1
    c.amount[i] = 1e18 * (1 + rand() * 100)
    c.kind[i] = 0
  }
  const theftTx = new Map()
  return {
    columns: c,
    setupFor: (policy, K) => {
      theftTx.clear()
      for (let i = 0; i < 1000; i++) theftTx.set(i, i % K)
      return {
        policy,
        heistCount: K,
        theftTx: new Map(theftTx),
        sources: [],
        placeOf: () => 0,
        addressCount: addresses,
      }
    },
    accounts: 2_000_000,
  }
}

const COLUMN_NAMES = [
  ['block', Float64Array],
  ['txId', Uint32Array],
  ['from', Uint32Array],
  ['to', Uint32Array],
  ['token', Uint32Array],
  ['amount', Float64Array],
  ['kind', Uint8Array],
]

/**
 * The generator's data, streamed into columns (no records kept). Generating 10 M transfers
 * takes minutes, so the columns and the resolved setup are cached under node_modules/.cache,
 * keyed by size, seed and the git tree of the generator and of the column packer.
 */
export function generatorData(lib, n, heists, seed = 1, log = () => {}) {
  let key
  try {
    key = execFileSync(
      'git',
      ['rev-parse', 'HEAD:src/trace/generate', 'HEAD:src/trace/columnsFromRecords.ts'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    )
      .trim()
      .split('\n')
      .map((x) => x.slice(0, 12))
      .join('-')
  } catch {
    key = undefined
  }
  const dir = key
    ? join(process.cwd(), `node_modules/.cache/heistguard-bench/gen-${n}-${heists}-${seed}-${key}`)
    : undefined
  let columns
  let meta
  if (dir && existsSync(join(dir, 'meta.json'))) {
    log(`engine: generator data from cache ${dir}`)
    meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'))
    columns = { length: meta.length }
    for (const [name, T] of COLUMN_NAMES) {
      const b = readFileSync(join(dir, name))
      columns[name] = new T(b.buffer, b.byteOffset, b.byteLength / T.BYTES_PER_ELEMENT)
    }
  } else {
    const interner = lib.createInterner()
    const chunks = []
    let batch = []
    const flush = () => {
      if (batch.length > 0) chunks.push(lib.columnsFromRecords(batch, interner).columns)
      batch = []
    }
    const scenario = lib.generateScenario({ transfers: n, heists, seed }, (tx) => {
      for (const r of tx.records) batch.push(r)
      if (batch.length >= 65536) flush()
    })
    flush()
    columns = lib.concatTransferColumns(chunks)
    const codes = { dex: 1, exchange: 2, bridge: 3, mixer: 4 }
    const places = new Map()
    for (const l of scenario.labels) if (codes[l.category]) places.set(l.address, codes[l.category])
    const setup = lib.resolveTaintSetup(
      { policy: 'haircut', heists: lib.heistSpecsOf(scenario), places },
      interner.dictionary,
    )
    const addresses = interner.dictionary.addresses.length
    const placeList = []
    for (let a = 0; a < addresses; a++)
      if (setup.placeOf(a) !== 0) placeList.push([a, setup.placeOf(a)])
    meta = {
      length: columns.length,
      addresses,
      heistCount: setup.heistCount,
      theftTx: [...setup.theftTx],
      sources: setup.sources,
      places: placeList,
    }
    if (dir) {
      mkdirSync(dir, { recursive: true })
      for (const [name] of COLUMN_NAMES) writeFileSync(join(dir, name), columns[name])
      writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta))
    }
  }
  const placeByAddress = new Uint8Array(meta.addresses)
  for (const [a, p] of meta.places) placeByAddress[a] = p
  return {
    columns,
    setupFor: (policy) => ({
      policy,
      heistCount: meta.heistCount,
      theftTx: new Map(meta.theftTx),
      sources: meta.sources,
      placeOf: (a) => placeByAddress[a] ?? 0,
      // As resolveTaintSetup gives them for a store's dictionary.
      addressCount: meta.addresses,
      placeByAddress,
    }),
    accounts: meta.addresses * 2,
  }
}

const cpuMs = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** One engine run: prepare, apply, finish, conservation; CPU ms of prepare and apply. */
export function engineRun(lib, data, policy, K, n) {
  const columns = n === data.columns.length ? data.columns : sliceColumns(data.columns, n)
  const state = lib.createTaintState(data.setupFor(policy, K), data.accounts)
  const c0 = cpuMs()
  const prepared = lib.prepareTransfers(state, columns)
  const c1 = cpuMs()
  lib.applyTransfers(state, columns, prepared)
  const c2 = cpuMs()
  lib.finishTaint(state)
  // traceChunk (resolve+apply in one call, reused scratch), on a fresh state, where the build
  // has it; its state must equal the prepare+apply one (checked on the balances and taint).
  let chunkMs
  let chunkSame
  if (lib.traceChunk) {
    const s2 = lib.createTaintState(data.setupFor(policy, K), data.accounts)
    const c3 = cpuMs()
    lib.traceChunk(s2, columns)
    chunkMs = cpuMs() - c3
    lib.finishTaint(s2)
    chunkSame =
      s2.accountCount === state.accountCount &&
      sameBits(s2.balance, state.balance, state.accountCount) &&
      sameBits(s2.taint, state.taint, state.accountCount * (K + 2))
  }
  const cons = lib.checkConservation(state)
  let tainted = 0
  for (let a = 0; a < state.accountCount; a++) {
    const t = lib.accountTaint(state, a)
    for (let h = 0; h < t.length; h++)
      if (t[h] > 0) {
        tainted++
        break
      }
  }
  return {
    n,
    chunkMs,
    chunkSame,
    prepareMs: c1 - c0,
    applyMs: c2 - c1,
    ok: cons.ok,
    checked: cons.checked,
    err: cons.maxRelativeError,
    accounts: state.accountCount,
    tainted,
  }
}

function sameBits(a, b, n) {
  for (let i = 0; i < n; i++) if (!Object.is(a[i], b[i])) return false
  return true
}

function sliceColumns(c, n) {
  return {
    length: n,
    block: c.block.subarray(0, n),
    txId: c.txId.subarray(0, n),
    from: c.from.subarray(0, n),
    to: c.to.subarray(0, n),
    token: c.token.subarray(0, n),
    amount: c.amount.subarray(0, n),
    kind: c.kind.subarray(0, n),
  }
}

/** The bare haircut arithmetic over the same columns (the issue's "plain loop"): the floor. */
export function plainLoop(c, K, addresses) {
  const bal = new Float64Array(addresses)
  const tn = new Float64Array(addresses * K)
  tn[0] = 1e20
  bal[0] = 1e20
  const c0 = cpuMs()
  for (let i = 0; i < c.length; i++) {
    const a = c.from[i]
    const b = c.to[i]
    const x = c.amount[i]
    let bb = bal[a]
    if (bb < x) bb = x
    const r = x / bb
    for (let h = 0; h < K; h++) {
      const q = tn[a * K + h] * r
      tn[a * K + h] -= q
      tn[b * K + h] += q
    }
    bal[a] = bb - x
    bal[b] += x
  }
  return cpuMs() - c0
}

const mps = (n, ms) => (n / ms / 1000).toFixed(1)

/**
 * Runs the engine benchmark and returns Markdown lines.
 * `baseline` (optional) is another engine build measured on the same data in the same run.
 */
export async function engineSection(lib, { engineN, realN, lotsN, baseline, baselineRef, log }) {
  const out = []
  log(`engine: generator data, ${realN} transfers, 2 heists`)
  const real = generatorData(lib, realN, 2, 1, log)
  log(`engine: worst case, ${engineN} transfers over 1,000,000 power-law addresses`)
  const worst = synthWorstCase(lib, engineN, 1_000_000)
  plainLoop(worst.columns, 2, 1_000_000)
  const plainWorst = plainLoop(worst.columns, 2, 1_000_000)
  const realAddresses = real.accounts
  plainLoop(real.columns, 2, realAddresses)
  const plainReal = plainLoop(real.columns, 2, realAddresses)
  out.push(
    '### Engine (one core, typed arrays; M transfers/s of CPU time)',
    '',
    `Realistic: the generator's data (\`trace generate\`, seed 1, 2 heists, labels: DEX pools, WETH, bridge, mixer, exchanges; ${real.columns.length.toLocaleString('en')} rows incl. gas rows). Worst case: ${engineN.toLocaleString('en')} random power-law transfers over 1,000,000 addresses with 1,000 theft transactions first (every first outflow is a clean top-up, taint reaches most accounts). \`apply\` is \`applyTransfers\`; \`prepare\` resolves (address, token) to account ids; \`both\` is what a trace pays; \`traceChunk\` is both in one call (fresh state, same rows; "=" when its balances and taint are bit-identical to prepare+apply).`,
    '',
    '| engine | data | policy | heists | transfers | apply M/s | prepare M/s | prepare+apply M/s | traceChunk M/s | tainted accounts / accounts | conservation |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  )
  const rows = [
    ['realistic', real, 'haircut', 2, real.columns.length],
    ['realistic', real, 'haircut', 2, real.columns.length],
    ['realistic', real, 'tiho', 2, real.columns.length],
    ['realistic', real, 'poison', 2, real.columns.length],
    ['realistic', real, 'fifo', 2, real.columns.length],
    ['realistic', real, 'lifo', 2, real.columns.length],
    ['worst case', worst, 'haircut', 2, engineN],
    ['worst case', worst, 'haircut', 2, engineN],
    ['worst case', worst, 'haircut', 8, engineN],
    ['worst case', worst, 'tiho', 2, engineN],
    ['worst case', worst, 'poison', 2, engineN],
    ['worst case', worst, 'fifo', 2, Math.min(engineN, lotsN)],
    ['worst case', worst, 'lifo', 2, Math.min(engineN, lotsN)],
  ]
  const engines = baseline
    ? [
        ['this', lib],
        [`${baselineRef}`, baseline],
      ]
    : [['this', lib]]
  for (const [dataName, data, policy, K, n] of rows)
    for (const [engineName, l] of engines) {
      const r = engineRun(l, data, policy, K, n)
      const cons = !r.checked
        ? 'n/a'
        : r.ok
          ? `ok (${r.err.toExponential(1)})`
          : `VIOLATED ${r.err}`
      const row = `| ${engineName} | ${dataName} | ${policy} | ${K} | ${n.toLocaleString('en')} | ${mps(n, r.applyMs)} | ${mps(n, r.prepareMs)} | ${mps(n, r.applyMs + r.prepareMs)} | ${r.chunkMs === undefined ? '-' : `${mps(n, r.chunkMs)} ${r.chunkSame ? '=' : 'DIFFERS'}`} | ${r.tainted.toLocaleString('en')} / ${r.accounts.toLocaleString('en')} | ${cons} |`
      log(row)
      out.push(row)
    }
  out.push(
    `| plain loop (floor: haircut arithmetic only, address-indexed) | realistic | haircut | 2 | ${real.columns.length.toLocaleString('en')} | ${mps(real.columns.length, plainReal)} | - | - | - | - | - |`,
    `| plain loop (floor: haircut arithmetic only, address-indexed) | worst case | haircut | 2 | ${engineN.toLocaleString('en')} | ${mps(engineN, plainWorst)} | - | - | - | - | - |`,
    '',
    'The first row of each haircut pair includes JIT warm-up; the second is steady state.',
    '',
  )
  return out
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const log = (m) =>
    process.stderr.write(`[bench ${(performance.now() / 1000).toFixed(1)}s] ${m}\n`)
  mkdirSync(join(process.cwd(), 'node_modules/.cache/heistguard-bench'), { recursive: true })
  const loadStart = loadavg()
  const lib = await buildEngineLib(process.cwd(), 'trace-engine')
  const baselineRef = process.env.BENCH_BASELINE_REF
  const baseline = baselineRef ? await buildBaselineLib(baselineRef) : undefined
  const lines = await engineSection(lib, {
    engineN: Number(process.env.BENCH_ENGINE_N ?? 10_000_000),
    realN: Number(process.env.BENCH_REAL_N ?? 10_000_000),
    lotsN: Number(process.env.BENCH_LOTS_N ?? 2_000_000),
    baseline,
    baselineRef,
    log,
  })
  const load = (l) => l.map((x) => x.toFixed(2)).join(' ')
  const header = `## trace engine (issue 5) — ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown'}, Node ${process.version}, load average at start ${load(loadStart)}, at end ${load(loadavg())}\n`
  process.stdout.write(`${header}\n${lines.join('\n')}\n`)
}
