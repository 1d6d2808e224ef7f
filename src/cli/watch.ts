import { resolve } from 'node:path'
import { openSqliteStateStore } from '../store/sqlite/openSqliteStateStore.js'
import { loadWatchConfig } from '../watch/config.js'
import { runWatch } from '../watch/runWatch.js'
import type { CliContext } from './context.js'
import { parseFlags } from './parseFlags.js'

const USAGE = `usage: heistguard watch --config FILE [--db FILE] [--dry-run] [--once]

Follows the chain and alerts within the block when anything leaves or changes unapproved.
Alerts go to the notifiers of the config (JSON lines on stdout by default); logs go to stderr.

  --config FILE   watch config (YAML)
  --db FILE       state database (SQLite); default heistguard-watch.db next to the config
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
  const dbPath = values.db
    ? resolve(context.cwd, values.db)
    : resolve(config.baseDir, 'heistguard-watch.db')
  const store = openSqliteStateStore(dbPath)
  const log = (line: string) => context.stderr.write(`heistguard watch: ${line}\n`)
  try {
    const result = await runWatch(config, {
      store,
      dryRun: values['dry-run'] ?? false,
      once: values.once ?? false,
      signal: context.signal,
      stdout: context.stdout,
      log,
    })
    log(
      `stopped at block ${result.checkpoint}: ${result.blocks} blocks, ${result.reorgs} reorgs; outbox ${JSON.stringify(result.outbox)}`,
    )
    return 0
  } finally {
    await store.close()
  }
}
