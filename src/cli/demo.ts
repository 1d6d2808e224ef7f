import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InputError } from '../core/BaseError.js'
import type { Alert } from '../store/StateStore.js'
import type { CliContext } from './context.js'
import { parseFlags } from './parseFlags.js'

const HELP = `usage: heistguard demo [--port 8787] [--seed N] [--no-serve] [--json]

Replays the Bybit heist (21 Feb 2025) on a local devnet running the real Safe v1.1.1 bytecode and
shows, step by step, what heistguard would have told the signers before they signed, the alert
it raises in the block of the theft, where the money went, and what an exchange's screen says.
Then serves the web UI and API on 127.0.0.1 until Ctrl-C (--no-serve: stop after the walkthrough).

  --port N     port of the web UI (default 8787; 0 = any free port)
  --seed N     seed of the generated laundering (default 1)
  --no-serve   print the walkthrough and exit
  --json       print one JSON summary instead of the walkthrough text
`

/**
 * `heistguard demo`: the README's first command. Everything runs in this process on 127.0.0.1:
 * devnet, verify + simulation, watch, trace, screen, and finally `serve` on the same stores.
 * The exit code is 0 when every stage showed what it should (the theft blocked before signing,
 * alerted in its own block, traced to the bridge and the exchange); 1 otherwise.
 */
export async function run(ctx: CliContext): Promise<number> {
  const { values } = parseFlags(
    ctx.argv,
    {
      port: { type: 'string' },
      seed: { type: 'string' },
      'no-serve': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    { command: 'demo' },
  )
  if (values.help) {
    ctx.stdout.write(HELP)
    return 0
  }
  const port = parseInteger(values.port ?? '8787', '--port', 65535)
  const seed = parseInteger(values.seed ?? '1', '--seed', 2 ** 31 - 1)
  const text = (line = '') => {
    if (!values.json) ctx.stdout.write(`${line}\n`)
  }
  const progress = (line: string) => ctx.stderr.write(`demo: ${line}\n`)

  // Heavy modules load here, not at start-up of other commands.
  const [
    { startDevnet },
    bybit,
    launder,
    { bybitDevnetLabels },
    { recoverSignatures },
    { verifySafeTransaction },
    { renderVerdictText },
    { simulateForVerdict },
    { renderSimulationText },
    { parseWatchConfig },
    { runWatch },
    { openSqliteStateStore },
    { createDuckDbTransferStore },
    { ingestBlockRange, createRpcIngestClient },
    { traceCase },
    { exposureInputFromReport },
    { buildExposureIndex },
    { screenAddress },
  ] = await Promise.all([
    import('../devnet/startDevnet.js'),
    import('../devnet/scenarios/bybit.js'),
    import('../devnet/scenarios/launderBybit.js'),
    import('../devnet/scenarios/bybitLabels.js'),
    import('../verify/recoverSignatures.js'),
    import('../verify/verifySafeTransaction.js'),
    import('../verify/renderVerdictText.js'),
    import('../chain/simulateForVerdict.js'),
    import('../chain/renderSimulationText.js'),
    import('../watch/config.js'),
    import('../watch/runWatch.js'),
    import('../store/sqlite/openSqliteStateStore.js'),
    import('../store/duckdb/createDuckDbTransferStore.js'),
    import('../trace/ingest/ingestRpc.js'),
    import('../trace/traceCase.js'),
    import('../screen/exposureInputFromReport.js'),
    import('../screen/buildExposureIndex.js'),
    import('../screen/screenAddress.js'),
  ])
  const { BYBIT } = bybit

  const workDir = mkdtempSync(join(tmpdir(), 'heistguard-demo-'))
  progress(
    `starting a devnet and recreating the Bybit cold wallet as it stood on 21 Feb 2025 (data in ${workDir})`,
  )
  const devnet = await startDevnet({ initialDate: bybit.BYBIT_GENESIS_DATE, accounts: 2 })
  const stops: (() => Promise<void>)[] = [() => devnet.stop()]
  const watchAbort = new AbortController()
  let watcher: Promise<unknown> | undefined
  try {
    const setup = await bybit.setupBybit(devnet)
    const checks: Record<string, boolean> = {}

    text('heistguard demo: the Bybit heist, 21 Feb 2025, replayed on a local devnet')
    text('=========================================================================')
    text()
    text(
      `The cold wallet: Safe ${setup.safeVersion} proxy ${setup.safe}, ${setup.threshold} of ${setup.owners.length} owners,`,
    )
    text('401,346.77 ETH and 90,375.55 stETH, running the real v1.1.1 Safe bytecode.')
    text()
    text('1. BEFORE SIGNING')
    text(
      '   What the three signers saw in the (tampered) Safe web app: a routine transfer to the hot wallet.',
    )
    text('   What they actually signed, decoded independently by `heistguard verify --simulate`:')
    text()

    // Verify exactly what was signed, offline, then simulate it on a fork of the devnet.
    const context = {
      chainId: BigInt(devnet.chainId),
      safe: setup.safe,
      version: setup.safeVersion,
    }
    const input = await recoverSignatures({
      context,
      tx: setup.safeTx,
      signatures: setup.signatures,
      owners: [...setup.owners],
      threshold: setup.threshold,
    })
    // A devnet's state changes without blocks (cheat methods): no fork cache.
    const simulated = await simulateForVerdict(devnet.url, context, setup.safeTx, { cache: false })
    const verdict = verifySafeTransaction(input, {
      simulation: simulated.simulation,
      extraFindings: simulated.findings,
    })
    text(indent(renderVerdictText(verdict)))
    text(indent(renderSimulationText(simulated.simulation)))
    const slot0 = simulated.simulation.storageWrites.find((w) => w.name === 'implementation')
    checks.blockedBeforeSigning =
      verdict.verdict === 'block' &&
      verdict.hashes.safeTxHash === setup.safeTxHash.toLowerCase() &&
      slot0 !== undefined &&
      BigInt(slot0.after) === BigInt(BYBIT.backdoor)

    // Watch the Safe from now on, as a custody team would have.
    const statePath = join(workDir, 'heistguard.db')
    const state = openSqliteStateStore(statePath)
    stops.push(() => state.close())
    const config = parseWatchConfig(
      `rpc: ${devnet.wsUrl}\nsafes:\n  - ${BYBIT.safe}\nreceipts: { required: 1 }\npollIntervalMs: 200\n`,
      join(workDir, 'watch.yaml'),
    )
    const alerts: Alert[] = []
    let publish: (batch: Alert[]) => void = () => {}
    watcher = runWatch(config, {
      store: state,
      signal: watchAbort.signal,
      stdout: { write: () => true },
      log: (line) => {
        if (ctx.env.HEISTGUARD_DEBUG === '1') progress(`watch: ${line}`)
      },
      afterCommit: (_block, batch) => {
        alerts.push(...batch)
        publish(batch)
      },
    })

    progress(
      'the attacker submits the signed transaction; 13 blocks later the backdoor sweeps the Safe',
    )
    const theft = await bybit.executeBybitTheft(devnet)
    const execBlock = Number(theft.execBlock)
    await until(() => alerts.some((a) => a.blockNumber >= Number(theft.sweepBlock)), 30_000)
    text('2. THE BLOCK IT LANDS IN')
    text(
      `   The transaction was executed in block ${execBlock}; \`heistguard watch\` raised, per block:`,
    )
    for (const alert of alerts)
      text(`   - block ${alert.blockNumber} ${alert.severity} [${alert.detector}] ${alert.title}`)
    text(
      `   The Safe was swept ${Number(theft.sweepBlock) - execBlock} blocks later: ${formatEth(theft.stolen.eth)} ETH and ${formatEth(theft.stolen.stETH)} stETH.`,
    )
    text()
    checks.alertedInItsBlock = alerts.some(
      (a) => a.detector === 'safe-config' && a.blockNumber === execBlock,
    )
    checks.sweepAlerted = alerts.some(
      (a) => a.detector === 'outflow' && a.blockNumber === Number(theft.sweepBlock),
    )

    progress(
      `laundering (seed ${seed}): LST swaps, ~50 splitter wallets, bridge deposits, an exchange`,
    )
    const truth = await launder.launderBybit(devnet, {
      seed,
      theft,
      groundTruthPath: join(workDir, 'ground-truth.json'),
    })
    const head = Number(BigInt((await devnet.request('eth_blockNumber')) as string))
    const transfers = await createDuckDbTransferStore(join(workDir, 'transfers.duckdb'))
    stops.push(() => transfers.close())
    await ingestBlockRange(createRpcIngestClient(devnet.url), transfers, {
      fromBlock: execBlock,
      toBlock: head,
    })
    const labels = await bybitDevnetLabels(devnet, truth)
    const heists = [
      {
        id: 'bybit',
        thefts: Object.values(theft.sweepTransactionHashes).map((h) => h.toLowerCase()),
        sources: [],
      },
    ]
    const { report } = await traceCase(transfers, { policy: 'tiho', heists, labels })
    const bridged = report.exits.filter((e) => e.category === 'bridge')
    const exchange = report.freezable.filter((f) => f.kind === 'exchange')
    text('3. AFTER THE THEFT')
    text(
      `   \`heistguard trace\` (policy ${report.policy}) followed ${report.transfersScanned} transfers from the sweeps:`,
    )
    text(`   - ${report.holders.length} holdings still tainted; largest:`)
    for (const holder of [...report.holders]
      .sort((a, b) => Number(b.tainted.bybit ?? 0) - Number(a.tainted.bybit ?? 0))
      .slice(0, 3))
      text(
        `       ${holder.address} ${formatTokenAmount(holder.tainted.bybit ?? '0')} ${tokenName(holder.token, BYBIT.tokens)}`,
      )
    text(
      `   - ${bridged.length} bridge exits (THORChain-style memos), e.g. ${bridged[0]?.memo ?? 'none'}`,
    )
    text(`   - ${exchange.length} freezable deposits at an exchange: ask it to freeze now`)
    text(`   Taint conserved: ${report.conservation.ok ? 'yes' : 'NO'}.`)
    text()
    checks.traced =
      report.conservation.ok &&
      bridged.length === truth.exits.bridge.length &&
      exchange.length >= truth.exits.exchange.length

    const index = buildExposureIndex(exposureInputFromReport(report, 'demo trace'))
    const deposit = truth.exits.exchange[0]?.from ?? truth.transfers[0]!.to
    const screened = screenAddress(index, deposit, 'address')
    text('4. WHEN FUNDS ARRIVE')
    text(`   \`heistguard screen ${deposit}\`: risk ${screened.risk}`)
    for (const reason of screened.reasons.slice(0, 3)) text(`   - ${reason}`)
    text()
    checks.screened = screened.risk !== 'none'

    const ok = Object.values(checks).every(Boolean)
    if (values.json)
      ctx.stdout.write(
        `${JSON.stringify({
          ok,
          checks,
          verdict: verdict.verdict,
          safeTxHash: verdict.hashes.safeTxHash,
          implementationAfter: slot0?.after ?? null,
          execBlock,
          sweepBlock: Number(theft.sweepBlock),
          alerts: alerts.map((a) => ({ detector: a.detector, blockNumber: a.blockNumber })),
          trace: {
            holders: report.holders.length,
            bridgeExits: bridged.length,
            exchangeFreezable: exchange.length,
            conservation: report.conservation.ok,
          },
          screen: { address: deposit, risk: screened.risk },
        })}\n`,
      )
    if (!ok) {
      ctx.stderr.write(
        `heistguard: demo: a stage did not show what it should: ${JSON.stringify(checks)}\n`,
      )
      return 1
    }
    if (values['no-serve']) return 0

    const [
      { startServer },
      { openSqliteServerStore },
      { createVerifier },
      { findWebDir, loadWebAssets },
    ] = await Promise.all([
      import('../server/startServer.js'),
      import('../server/openSqliteServerStore.js'),
      import('../server/createVerifier.js'),
      import('../server/webAssets.js'),
    ])
    await state.putCase(
      'bybit',
      JSON.parse(
        JSON.stringify({
          id: 'bybit',
          createdAt: new Date().toISOString(),
          request: { heists },
          report,
        }),
      ),
    )
    const webDir = findWebDir()
    const server = await startServer({
      port,
      state,
      server: openSqliteServerStore(statePath),
      exposure: index,
      verify: createVerifier({ simulateRpcUrl: devnet.url, simulationCache: false }),
      web: webDir ? loadWebAssets(webDir) : null,
    })
    stops.push(() => server.stop())
    publish = (batch) => server.publishAlerts(batch)
    text(`The web UI and API: ${server.url}`)
    text(
      `  Verify: paste the Bybit transaction; Alerts: the alerts above, live; Trace: case "bybit"; Screen.`,
    )
    text(`  Devnet JSON-RPC (simulations fork it): ${devnet.url}`)
    if (!webDir) text('  (web UI not built: run `npm run build:web`; the API works without it)')
    text('Ctrl-C stops everything.')
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve()
      ctx.signal.addEventListener('abort', () => resolve(), { once: true })
    })
    return 0
  } finally {
    watchAbort.abort()
    await watcher?.catch(() => {})
    for (const stop of stops.reverse()) await stop().catch(() => {})
  }
}

function parseInteger(value: string, field: string, max: number): number {
  if (!/^[0-9]+$/.test(value) || Number(value) > max)
    throw new InputError(`expected an integer 0..${max}, got ${JSON.stringify(value)}`, {
      code: 'USAGE',
      field,
    })
  return Number(value)
}

async function until(ready: () => boolean, ms: number): Promise<void> {
  const started = Date.now()
  while (!ready()) {
    if (Date.now() - started > ms) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

function indent(block: string): string {
  return block
    .trimEnd()
    .split('\n')
    .map((line) => (line ? `   | ${line}` : '   |'))
    .join('\n')
}

function formatEth(wei: bigint): string {
  const whole = wei / 10n ** 18n
  const cents = ((wei % 10n ** 18n) * 100n) / 10n ** 18n
  return `${whole.toLocaleString('en-US')}.${cents.toString().padStart(2, '0')}`
}

function formatTokenAmount(baseUnits: string): string {
  const [whole] = baseUnits.split('.')
  return formatEth(BigInt(whole ?? '0'))
}

function tokenName(token: string, tokens: Record<string, string>): string {
  if (token === 'ETH') return 'ETH'
  const found = Object.entries(tokens).find(([, address]) => address.toLowerCase() === token)
  return found ? found[0] : token
}
