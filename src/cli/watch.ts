import { resolve } from 'node:path'
import { openStateStore } from '../store/openStateStore.js'
import { loadWatchConfig, type WatchConfig } from '../watch/config.js'
import { runWatch } from '../watch/runWatch.js'
import type { CliContext } from './context.js'
import { parseFlags } from './parseFlags.js'

const USAGE = `usage: heistguard watch --config FILE [--db FILE] [--dry-run] [--once]

Follows the chain and alerts within the block when anything leaves or changes unapproved.
Alerts go to the notifiers of the config (JSON lines on stdout by default); logs go to stderr.

  --config FILE   watch config (YAML)
  --db URL        state store: a SQLite file (default heistguard-watch.db next to the config)
                  or postgres://… (several watchers: one leads each chain); or $HEISTGUARD_STATE_URL
  --dry-run       response hooks print what they would do instead of acting
  --once          catch up to the head, deliver the outbox, exit
`

/**
 * \`heistguard watch --config FILE [--db FILE] [--dry-run] [--once]\`.
 *
 * @example
 * await run({ argv: ['--config', 'watch.yaml', '--once'], ...context })
 */
export async function run(context: CliContext): Promise<number> {
  const { values } = parseFlags(
    context.argv,
    {
      config: { type: 'string' },
      db: { type: 'string' },
      'dry-run': { type: 'boolean' },
      once: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    { command: 'heistguard watch' },
  )
  if (values.help) {
    context.stdout.write(USAGE)
    return 0
  }
  if (!values.config) {
    context.stderr.write(`heistguard watch: --config FILE is required\n${USAGE}`)
    return 2
  }
  const configPath = resolve(context.cwd, values.config)
  const config = loadWatchConfig(configPath, context.env)
  const dbUrl = values.db ?? context.env.HEISTGUARD_STATE_URL
  const store = await openStateStore(dbUrl ?? resolve(config.baseDir, 'heistguard-watch.db'), {
    cwd: context.cwd,
  })
  const log = (line: string) => context.stderr.write(`heistguard watch: ${line}\n`)
  const options = {
    store,
    dryRun: values['dry-run'] ?? false,
    once: values.once ?? false,
    stdout: context.stdout,
    log,
  }
  try {
    if (store.backend !== 'postgres') {
      report(log, await runWatch(config, { ...options, signal: context.signal }))
      return 0
    }
    // Several watchers on one PostgreSQL database: one leads each chain, the others wait and take
    // over within seconds when it dies. Correctness does not rest on this (alert ids are stable,
    // writes idempotent, delivery keyed by message id); it keeps the work to one process.
    const { acquireChainLeadership } = await import('../store/postgres/acquireChainLeadership.js')
    const chainId = config.chainId ?? (await chainIdOf(config))
    while (!context.signal.aborted) {
      log(`waiting to lead chain ${chainId}`)
      const leadership = await acquireChainLeadership(dbUrl!, { chainId, signal: context.signal })
      if (context.signal.aborted) {
        await leadership.release()
        break
      }
      log(`leading chain ${chainId}`)
      try {
        report(
          log,
          await runWatch(config, {
            ...options,
            signal: AbortSignal.any([context.signal, leadership.signal]),
          }),
        )
      } finally {
        await leadership.release()
      }
      if (options.once) break
    }
    return 0
  } finally {
    await store.close()
  }
}

function report(log: (line: string) => void, result: Awaited<ReturnType<typeof runWatch>>) {
  log(
    `stopped at block ${result.checkpoint}: ${result.blocks} blocks, ${result.reorgs} reorgs; outbox ${JSON.stringify(result.outbox)}`,
  )
}

/** The chain of the config's first RPC endpoint, for leadership before the watcher starts. */
async function chainIdOf(config: WatchConfig): Promise<number> {
  const { createFailoverRpcClient } = await import('../chain/createFailoverRpcClient.js')
  const endpoints = (Array.isArray(config.rpc) ? config.rpc : [config.rpc]).map((e, i) => ({
    url: (typeof e === 'string' ? e : e.url).replace(/^ws(s?):\/\//, 'http$1://'),
    name: `rpc-${i}`,
  }))
  const client = createFailoverRpcClient(endpoints, { timeoutMs: config.rpcTimeoutMs })
  return Number(await client.request('eth_chainId', []))
}
