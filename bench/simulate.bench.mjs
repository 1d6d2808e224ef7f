// Simulation benchmark (issue 3): one Safe transaction simulated by heistguard on a fork of the
// local devnet (hardhat EDR over HTTP), cold (new client: new fork, empty state cache) and warm
// (same client and block: fork state cached), next to what a user would run instead against the
// node itself: eth_call of execTransaction and debug_traceCall (both need real signatures and
// give no storage diff). Two transactions: a benign Safe 1.3.0 ETH transfer and the Bybit
// SafeTx on the replayed 1.1.1 Safe. Run: npm run bench:simulate. Prints a Markdown section for
// bench/RESULTS.md (appended with --append).
import { execFileSync } from 'node:child_process'
import { appendFileSync, mkdirSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'

const COLD = Number(process.env.BENCH_COLD ?? 15)
const WARM = Number(process.env.BENCH_WARM ?? 100)
const NODE = Number(process.env.BENCH_NODE ?? 100)
const log = (m) => process.stderr.write(`[bench ${(performance.now() / 1000).toFixed(1)}s] ${m}\n`)

// Bundle our TypeScript once (the bench is plain node). The bundle sits under node_modules/ so
// that its bare imports (viem, @ethereumjs/*, hardhat) resolve to the project's packages.
const dir = join(process.cwd(), 'node_modules', '.cache', 'heistguard-bench-simulate')
mkdirSync(dir, { recursive: true })
await build({
  stdin: {
    contents: `export * from './src/chain/simulateSafeTx.ts'
export * from './src/chain/createHttpRpcClient.ts'
export * from './src/devnet/startDevnet.ts'
export * from './src/devnet/installSafeContracts.ts'
export * from './src/devnet/deploySafe.ts'
export * from './src/devnet/scenarios/bybit.ts'
export * from './src/safe/hashSafeTx.ts'
export * from './src/safe/abi.ts'`,
    resolveDir: process.cwd(),
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile: join(dir, 'simulate.mjs'),
  logLevel: 'warning',
})
const lib = await import(join(dir, 'simulate.mjs'))
const { concat, encodeFunctionData, numberToHex, parseEther } = await import('viem')
const { sign, privateKeyToAccount } = await import('viem/accounts')

const stats = (samples) => {
  const sorted = [...samples].sort((a, b) => a - b)
  const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length
  const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]
  return { mean, p95, n: sorted.length }
}
const fmt = (s) => `${s.mean.toFixed(1)} | ${s.p95.toFixed(1)} | ${s.n}`

async function time(n, fn) {
  const samples = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await fn(i)
    samples.push(performance.now() - t)
  }
  return samples
}

const execData = (tx, signatures) =>
  encodeFunctionData({
    abi: lib.safeAbi,
    functionName: 'execTransaction',
    args: [
      tx.to,
      tx.value,
      tx.data,
      tx.operation,
      tx.safeTxGas,
      tx.baseGas,
      tx.gasPrice,
      tx.gasToken,
      tx.refundReceiver,
      signatures,
    ],
  })

/** Measures one scenario: ours cold and warm, then eth_call and debug_traceCall on the node. */
async function measure(label, devnet, { safe, tx, version, signatures, from }) {
  const params = { safe, tx }
  log(`${label}: heistguard cold x${COLD}`)
  let last
  const cold = await time(COLD, async () => {
    const client = lib.createHttpRpcClient(devnet.url, { timeoutMs: 10_000 })
    last = await lib.simulateSafeTx(client, params)
  })
  const coldCalls = last.stats.rpcCalls
  // The first run of a process also compiles (JITs) the EVM and our code: shown on its own.
  const first = freshProcess ? cold.shift() : undefined
  freshProcess = false
  const client = lib.createHttpRpcClient(devnet.url, { timeoutMs: 10_000 })
  await lib.simulateSafeTx(client, params)
  log(`${label}: heistguard warm x${WARM}`)
  const warm = await time(WARM, async () => {
    last = await lib.simulateSafeTx(client, params)
  })
  const warmCalls = last.stats.rpcCalls
  const slot0 = last.storageWrites.find((w) => w.name === 'implementation')
  const writes = last.storageWrites.map((w) => w.name ?? w.slot).join(', ')

  const call = { from, to: safe, data: execData(tx, signatures) }
  const rpc = lib.createHttpRpcClient(devnet.url, { timeoutMs: 10_000 })
  const callResult = await rpc.request('eth_call', [call, 'latest'])
  log(`${label}: eth_call x${NODE}`)
  const ethCall = await time(NODE, () => rpc.request('eth_call', [call, 'latest']))
  log(`${label}: debug_traceCall x${NODE}`)
  let traceSize = 0
  const trace = await time(NODE, async () => {
    const result = await rpc.request('debug_traceCall', [call, 'latest', {}])
    traceSize = result.structLogs?.length ?? 0
  })
  return {
    label,
    version,
    rows: [
      ...(first === undefined
        ? []
        : [
            [
              'heistguard simulateSafeTx, first call of a fresh process',
              stats([first]),
              `${coldCalls} state reads + 2`,
            ],
          ]),
      ['heistguard simulateSafeTx, cold (new fork)', stats(cold), `${coldCalls} state reads + 2`],
      ['heistguard simulateSafeTx, warm (same block)', stats(warm), `${warmCalls} state reads + 1`],
      ['node eth_call execTransaction (real signatures)', stats(ethCall), '1'],
      ['node debug_traceCall (struct logger)', stats(trace), '1'],
    ],
    notes: {
      writes,
      slot0: slot0 ? `0x${slot0.before.slice(-40)} -> 0x${slot0.after.slice(-40)}` : null,
      callResult,
      traceSize,
    },
  }
}

const results = []
let freshProcess = true
const loadBefore = loadavg()[0]

{
  log('devnet + Safe 1.3.0')
  const devnet = await lib.startDevnet()
  await lib.installSafeContracts(devnet)
  const owners = devnet.accounts.slice(1, 4)
  const { address: safe } = await lib.deploySafe(devnet, {
    version: '1.3.0',
    owners: owners.map((a) => a.address),
    threshold: 2,
  })
  await devnet.request('eth_sendTransaction', [
    { from: devnet.accounts[0].address, to: safe, value: numberToHex(parseEther('5')) },
  ])
  const tx = {
    to: '0x00000000000000000000000000000000000A11cE',
    value: parseEther('1'),
    data: '0x',
    operation: 0,
    safeTxGas: 0n,
    baseGas: 0n,
    gasPrice: 0n,
    gasToken: '0x0000000000000000000000000000000000000000',
    refundReceiver: '0x0000000000000000000000000000000000000000',
    nonce: 0n,
  }
  const { safeTxHash } = lib.hashSafeTx(
    { chainId: BigInt(devnet.chainId), safe, version: '1.3.0' },
    tx,
  )
  const signers = owners
    .slice(0, 2)
    .map((a) => ({ owner: privateKeyToAccount(a.privateKey).address, key: a.privateKey }))
    .sort((a, b) => (BigInt(a.owner) < BigInt(b.owner) ? -1 : 1))
  const signatures = concat(
    await Promise.all(signers.map((s) => sign({ hash: safeTxHash, privateKey: s.key, to: 'hex' }))),
  )
  results.push(
    await measure('Safe 1.3.0, ETH transfer (threshold 2)', devnet, {
      safe,
      tx,
      version: '1.3.0',
      signatures,
      from: owners[0].address,
    }),
  )
  await devnet.stop()
}

{
  log('devnet + Bybit replay')
  const devnet = await lib.startDevnet({ initialDate: lib.BYBIT_GENESIS_DATE, accounts: 2 })
  const setup = await lib.setupBybit(devnet)
  results.push(
    await measure('Bybit SafeTx on the replayed 1.1.1 Safe (threshold 3)', devnet, {
      safe: setup.safe,
      tx: setup.safeTx,
      version: '1.1.1',
      signatures: setup.signatures,
      from: devnet.accounts[0].address,
    }),
  )
  await devnet.stop()
}

let cpu = cpus()[0]?.model ?? 'unknown'
try {
  cpu =
    execFileSync('lscpu', { encoding: 'utf8' })
      .match(/Model name:\s*(.+)/)?.[1]
      ?.trim() ?? cpu
} catch {}
const lines = [
  '',
  `## Simulation (issue 3): one Safe transaction on a fork of the local devnet — ${new Date().toISOString().slice(0, 10)}`,
  '',
  `Machine: ${cpus().length} cores, ${cpu}, Node ${process.version}, shared with other jobs (1-min load average ${loadBefore.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at end). Devnet: hardhat ${'2.29.1'} EDR over HTTP on 127.0.0.1. \`npm run bench:simulate\` (cold x${COLD}, warm x${WARM}, node x${NODE}).`,
  'Cold: a new RPC client per run, so a new fork with an empty state cache and a new VM. Warm: the same client and block, fork state cached (what `--simulate` does when the server or UI verifies again). "RPC calls" counts state reads of the fork plus eth_getBlockByNumber (and eth_chainId once per client).',
  'The alternatives run on the node itself: `eth_call` of execTransaction says only success/return value; `debug_traceCall` (default struct logger) gives every opcode with raw storage snapshots, from which slot writes must be dug out by hand: no named storage diff, no balance changes, no decoded events. Both need the real signatures; the simulation needs none.',
  '',
]
for (const r of results) {
  lines.push(
    `### ${r.label}`,
    '',
    '| method | mean ms | p95 ms | runs | RPC calls per run |',
    '|---|---:|---:|---:|---:|',
  )
  for (const [name, s, calls] of r.rows) lines.push(`| ${name} | ${fmt(s)} | ${calls} |`)
  lines.push(
    '',
    `Simulation reports storage writes: ${r.notes.writes}${r.notes.slot0 ? ` (slot 0: ${r.notes.slot0})` : ''}; debug_traceCall returned ${r.notes.traceSize} struct logs.`,
    '',
  )
}
const section = lines.join('\n')
process.stdout.write(`${section}\n`)
if (process.argv.includes('--append')) appendFileSync('bench/RESULTS.md', `${section}\n`)
