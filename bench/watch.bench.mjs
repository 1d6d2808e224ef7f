// Watch benchmark (issue 4). Three numbers:
//  1. block-to-alert latency through detectors + atomic SQLite commit (synchronous=FULL) + webhook
//     POST to a local receiver, with 100,000 watched addresses and synthetic mainnet-sized blocks
//     (200 transactions, 600 logs); p50/p99 per block (target < 100 ms p99);
//  2. end-to-end on the devnet: block mined -> alert received by the webhook (WebSocket newHeads);
//  3. catch-up from the local devnet in blocks/s (target >= 500), next to what users run instead:
//     OpenZeppelin Monitor is not installable here, so the comparison is a naive eth_getLogs
//     polling loop (one request per block range, Transfer logs only): faster per block, but blind
//     to storage-only changes (the Bybit slot-0 swap), internal ETH and reorgs.
// Run: npm run bench:watch (prints a Markdown section; --append adds it to bench/RESULTS.md).
import { appendFileSync, mkdirSync, mkdtempSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'

const log = (m) => process.stderr.write(`[bench ${(performance.now() / 1000).toFixed(1)}s] ${m}\n`)
const dir = join(process.cwd(), 'node_modules', '.cache', 'heistguard-bench-watch')
mkdirSync(dir, { recursive: true })
await build({
  stdin: {
    contents: `export * from './src/watch/detectors/runDetectors.ts'
export * from './src/watch/alertId.ts'
export * from './src/watch/WatchState.ts'
export * from './src/watch/deliverOutbox.ts'
export * from './src/watch/notifiers/createWebhookNotifier.ts'
export * from './src/watch/startAlertReceiver.ts'
export * from './src/watch/config.ts'
export * from './src/watch/runWatch.ts'
export * from './src/store/sqlite/openSqliteStateStore.ts'
export * from './src/chain/followChain.ts'
export * from './src/chain/createFailoverRpcClient.ts'
export * from './src/devnet/startDevnet.ts'`,
    resolveDir: process.cwd(),
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile: join(dir, 'watch.mjs'),
  logLevel: 'warning',
})
const lib = await import(join(dir, 'watch.mjs'))

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}
const fmt = (ms) => `${ms.toFixed(2)} ms`
let seed = 1
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed / 2147483648
}
const addr = (n) => `0x${n.toString(16).padStart(40, '0')}`
const word = (n) => `0x${BigInt(n).toString(16).padStart(64, '0')}`
const TRANSFER = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef'
const APPROVAL = '0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925'

// ---- 1. detectors + commit + webhook, synthetic blocks ------------------------------------
const WATCHED = 100_000
const watched = new Set(Array.from({ length: WATCHED }, (_, i) => addr(0x100000 + i)))
const SAFE = addr(0x100000)
const state = {
  chainId: 1,
  watched,
  safes: new Map([[SAFE, { version: '1.3.0' }]]),
  knownSpenders: new Set(),
  flagged: new Map(Array.from({ length: 1000 }, (_, i) => [addr(0x900000 + i), 'OFAC'])),
  intents: [],
  receipts: new Map(),
  receiptsRequired: 1,
  trustedReceiptSigners: new Set(),
  enabled: Object.fromEntries(lib.DETECTOR_NAMES.map((n) => [n, true])),
  severity: Object.fromEntries(lib.DETECTOR_NAMES.map((n) => [n, 'high'])),
  outflowMode: 'unapproved',
  now: 0,
}
function syntheticBlock(number) {
  const txs = []
  const receipts = []
  for (let i = 0; i < 200; i++) {
    // ~1% of transactions come from a watched address; the rest from unwatched ones.
    const from =
      rand() < 0.01
        ? addr(0x100000 + Math.floor(rand() * WATCHED))
        : addr(0x200000 + Math.floor(rand() * 1e6))
    const hash = `0x${number.toString(16).padStart(8, '0')}${i.toString(16).padStart(56, '0')}`
    txs.push({
      hash,
      from,
      to: addr(0x300000 + i),
      value: BigInt(Math.floor(rand() * 1e6)),
      input: '0x',
      nonce: i,
      index: i,
    })
    const logs = []
    for (let j = 0; j < 3; j++) {
      const watchedLog = rand() < 0.005
      const src = watchedLog
        ? addr(0x100000 + Math.floor(rand() * WATCHED))
        : addr(0x400000 + Math.floor(rand() * 1e6))
      logs.push({
        address: addr(0x500000 + j),
        topics: [
          j === 2 ? APPROVAL : TRANSFER,
          word(BigInt(src)),
          word(BigInt(addr(0x600000 + i))),
        ],
        data: word(1000 + i),
        logIndex: i * 3 + j,
        transactionHash: hash,
      })
    }
    receipts.push({
      transactionHash: hash,
      status: 'success',
      gasUsed: 21000n,
      effectiveGasPrice: 1n,
      logs,
    })
  }
  const slots = {
    [SAFE]: { '0x0000000000000000000000000000000000000000000000000000000000000000': word(1) },
  }
  return {
    chainId: 1,
    number,
    hash: `0x${number.toString(16).padStart(64, 'b')}`,
    parentHash: `0x${(number - 1).toString(16).padStart(64, 'b')}`,
    timestamp: 1_700_000_000 + number * 12,
    transactions: txs,
    receipts,
    internalCalls: null,
    storage: slots,
    parentStorage: slots,
    balances: {},
    parentBalances: {},
  }
}

const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 300)
const blocks = Array.from({ length: BLOCKS }, (_, i) => syntheticBlock(1000 + i))
const store = lib.openSqliteStateStore(join(mkdtempSync(join(tmpdir(), 'hg-bench-')), 'bench.db'))
const receiver = await lib.startAlertReceiver({ secret: 'bench' })
const webhook = lib.createWebhookNotifier({ url: receiver.url, secret: 'bench' })
const detectMs = []
const pipelineMs = []
let alerts = 0
for (const block of blocks) {
  const t0 = performance.now()
  const found = lib.runDetectors(block, state)
  const t1 = performance.now()
  await store.transaction(async (tx) => {
    await tx.putAlerts(found, ['webhook'])
    await tx.putCheckpoint({
      chainId: 1,
      number: block.number,
      hash: block.hash,
      recent: [],
      updatedAt: 0,
    })
  })
  await lib.deliverOutbox(store, { webhook })
  const t2 = performance.now()
  alerts += found.length
  detectMs.push(t1 - t0)
  pipelineMs.push(t2 - t0)
}
await receiver.close()
await store.close()
log(`synthetic: ${BLOCKS} blocks, ${alerts} alerts`)

// ---- 2 + 3. devnet: end-to-end latency, catch-up ----------------------------------------------
const devnet = await lib.startDevnet({ accounts: 4 })
const [, hot, other] = devnet.accounts
const CATCHUP = Number(process.env.BENCH_CATCHUP ?? 1000)
// A realistic mix: every 4th block carries an outflow of the watched account.
log(`mining ${CATCHUP} devnet blocks`)
for (let i = 0; i < CATCHUP / 4; i++) {
  await devnet.request('eth_sendTransaction', [
    { from: hot.address, to: other.address, value: '0x1' },
  ])
  await devnet.request('hardhat_mine', ['0x3'])
}
const head = Number(await devnet.request('eth_blockNumber', []))
const catchStore = lib.openSqliteStateStore(
  join(mkdtempSync(join(tmpdir(), 'hg-bench-')), 'catch.db'),
)
const client = lib.createFailoverRpcClient([{ url: devnet.url }])
const batchingClient = lib.createFailoverRpcClient([{ url: devnet.url }], { batchSize: 100 })
// The provider's own errors carry the JSON-RPC code; wrap them as the HTTP client would.
const inProcess = {
  request: (method, params) =>
    devnet.request(method, params).catch((error) => {
      throw new lib.RpcResponseError(method, Number(error.code ?? -32000), String(error.message))
    }),
}
const followState = { ...state, watched: new Set([...watched, hot.address.toLowerCase()]) }
const follow = async (concurrency, rpc = client) => {
  const s = lib.openSqliteStateStore(join(mkdtempSync(join(tmpdir(), 'hg-bench-')), 'catch.db'))
  const t = performance.now()
  let n = 0
  await lib.followChain(rpc, s, {
    chainId: devnet.chainId,
    startBlock: 1,
    once: true,
    concurrency,
    notifiers: ['webhook'],
    reads: { slots: [], balances: [hot.address.toLowerCase()] },
    onBlock: (b) => {
      n++
      return lib.runDetectors(b, followState)
    },
  })
  const seconds = (performance.now() - t) / 1000
  await s.close()
  return { n, seconds }
}
const followed = await follow(16)
log(`follower: ${followed.n} blocks in ${followed.seconds.toFixed(2)} s`)
const followedBatch = await follow(16, batchingClient)
log(
  `follower (JSON-RPC batches): ${followedBatch.n} blocks in ${followedBatch.seconds.toFixed(2)} s`,
)
const followedDirect = await follow(16, inProcess)
log(
  `follower (in-process provider): ${followedDirect.n} blocks in ${followedDirect.seconds.toFixed(2)} s`,
)
// The devnet's HTTP server rate, for scale: sequential requests per second.
// Without batching, per-request HTTP overhead bounds catch-up over HTTP.
const t0 = performance.now()
for (let i = 0; i < 200; i++) await client.request('eth_blockNumber', [])
const httpRps = 200 / ((performance.now() - t0) / 1000)
await catchStore.close()

// The naive loop users write instead: eth_getLogs for Transfer logs, 1 block per request (as a
// monitor polling each new block does), and a 100-block range variant.
const naive = async (range) => {
  const t = performance.now()
  let logs = 0
  for (let from = 1; from <= head; from += range) {
    const to = Math.min(head, from + range - 1)
    const result = await client.request('eth_getLogs', [
      { fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}`, topics: [TRANSFER] },
    ])
    logs += result.length
  }
  return { seconds: (performance.now() - t) / 1000, logs }
}
const naive1 = await naive(1)
const naive100 = await naive(100)

// End-to-end: block mined -> alert at the webhook, with the real runWatch over WebSocket newHeads.
const e2eReceiver = await lib.startAlertReceiver({ secret: 'e2e' })
const e2eStore = lib.openSqliteStateStore(join(mkdtempSync(join(tmpdir(), 'hg-bench-')), 'e2e.db'))
const config = lib.parseWatchConfig(
  `rpc: ${devnet.wsUrl}\naddresses: [${hot.address}]\nnotify:\n  webhook: { url: ${e2eReceiver.url}, secret: e2e }\ndelivery: { intervalMs: 10 }\n`,
  'bench.yaml',
)
const controller = new AbortController()
const running = lib.runWatch(config, {
  store: e2eStore,
  stdout: { write: () => true },
  log: () => {},
  signal: controller.signal,
})
await new Promise((r) => setTimeout(r, 1500))
const e2eMs = []
for (let i = 0; i < Number(process.env.BENCH_E2E ?? 100); i++) {
  const before = e2eReceiver.byKey.size
  const t = performance.now()
  await devnet.request('eth_sendTransaction', [
    { from: hot.address, to: other.address, value: `0x${(i + 2).toString(16)}` },
  ])
  const mined = performance.now()
  while (e2eReceiver.byKey.size === before) await new Promise((r) => setImmediate(r))
  e2eMs.push(performance.now() - mined)
  void t
}
controller.abort()
await running
await e2eReceiver.close()
await e2eStore.close()
await devnet.stop()

const date = new Date().toISOString().slice(0, 10)
const section = `
## watch (issue 4) — ${date}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores shared), Node ${process.version}

| measurement | result | target |
|---|---|---|
| detectors only, 200 txs + 600 logs per block, ${WATCHED.toLocaleString('en')} watched addresses | p50 ${fmt(pct(detectMs, 50))}, p99 ${fmt(pct(detectMs, 99))} | |
| block -> alert (detectors + atomic SQLite commit (WAL, synchronous=NORMAL) + webhook POST acknowledged, one POST per alert), same blocks | p50 ${fmt(pct(pipelineMs, 50))}, p99 ${fmt(pct(pipelineMs, 99))} (${alerts} alerts over ${BLOCKS} blocks) | < 100 ms p99 |
| end-to-end on the devnet: block mined -> alert received by the webhook (runWatch, WebSocket newHeads) | p50 ${fmt(pct(e2eMs, 50))}, p99 ${fmt(pct(e2eMs, 99))} over ${e2eMs.length} blocks | < 100 ms p99 |
| catch-up from the local devnet (hardhat over HTTP), heistguard follower, 16 blocks in flight | ${(followed.n / followed.seconds).toFixed(0)} blocks/s (${followed.n} blocks, receipts + balance reads + detectors + commit per block) | >= 500 blocks/s |
| catch-up over HTTP with JSON-RPC batching (batchSize 100) | ${(followedBatch.n / followedBatch.seconds).toFixed(0)} blocks/s | >= 500 blocks/s |
| catch-up, same follower on the devnet's in-process provider (no HTTP) | ${(followedDirect.n / followedDirect.seconds).toFixed(0)} blocks/s | >= 500 blocks/s |
| devnet HTTP server alone, sequential eth_blockNumber | ${httpRps.toFixed(0)} requests/s (bounds any HTTP client here) | — |
| naive eth_getLogs loop (Transfer only), 1 block per request | ${(head / naive1.seconds).toFixed(0)} blocks/s | — |
| naive eth_getLogs loop, 100-block ranges | ${(head / naive100.seconds).toFixed(0)} blocks/s | — |

What users run instead: OpenZeppelin Monitor (not installable here) or a hand-written eth_getLogs poller.
The naive loop reads only logs: it does not see the Bybit slot-0 swap (no event), ETH leaving through
internal calls, or reorgs (no parent-hash check), and a crash between fetching and alerting loses or
repeats alerts. The follower pays for that with receipts, state reads at the block hash and one
SQLite transaction per block.
`
process.stdout.write(section)
if (process.argv.includes('--append')) appendFileSync('bench/RESULTS.md', section)
