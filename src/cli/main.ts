import { BaseError, redactSecrets } from '../core/BaseError.js'
import { VERSION } from '../core/version.js'
import type { CliContext, Subcommand } from './context.js'
import type { VerifySimulate } from './verify.js'

// Subcommands load lazily so that `heistguard verify` never pays for the devnet or DuckDB.
const commands: Record<string, () => Promise<{ run: Subcommand }>> = {
  verify: () => import('./verify.js'),
  devnet: () => import('./devnet.js'),
  demo: () => import('./demo.js'),
  watch: () => import('./watch.js'),
  trace: () => import('./trace.js'),
  screen: () => import('./screen.js'),
  serve: () => import('./serve.js'),
}

const USAGE = `usage: heistguard <command> [flags]

commands:
  verify    decode, hash and check a Safe transaction before signing (offline)
  devnet    local Ethereum node with real Safe contracts and heist scenarios
  demo      the Bybit heist replayed: what heistguard shows before and after
  watch     alert within the block on outflows and Safe changes nobody approved
  trace     follow stolen funds through splits, swaps and bridges
  screen    exposure of an address or deposit to stolen funds
  serve     HTTP API and web UI

exit codes: 0 pass/ok, 1 tool failed, 2 bad input, 3 verdict warn, 4 verdict block
`

/** Runs one CLI invocation and returns its exit code. Never throws, never exits. */
export async function main(context: CliContext): Promise<number> {
  const [name, ...rest] = context.argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    context.stdout.write(USAGE)
    return name === undefined ? 2 : 0
  }
  if (name === '--version' || name === '-V') {
    context.stdout.write(`${VERSION}\n`)
    return 0
  }
  const load = commands[name]
  if (!load) {
    context.stderr.write(
      `heistguard: unknown command ${JSON.stringify(name)}; see heistguard --help\n`,
    )
    return 2
  }
  try {
    const { run } = await load()
    return await run({
      ...context,
      argv: rest,
      ...(name === 'verify' ? { simulate: simulateOnFork } : {}),
    })
  } catch (error) {
    return reportError(context, error)
  }
}

// `verify --rpc URL --simulate`: verify itself stays offline and pure; the fork simulation (and its
// @ethereumjs dependencies) loads only when asked for.
const simulateOnFork: VerifySimulate = async ({ rpc, input }) => {
  const { simulateForVerdict } = await import('../chain/simulateForVerdict.js')
  const { simulation, findings } = await simulateForVerdict(rpc!, input.context, input.tx)
  return { result: simulation, findings }
}

/** One line on stderr, no stack trace unless HEISTGUARD_DEBUG=1. */
export function reportError(context: Pick<CliContext, 'stderr' | 'env'>, error: unknown): number {
  if (error instanceof BaseError) {
    context.stderr.write(`heistguard: ${error.toLine()}\n`)
    if (context.env.HEISTGUARD_DEBUG === '1' && error.stack)
      context.stderr.write(`${redactSecrets(error.stack)}\n`)
    return error.exitCode
  }
  const message = error instanceof Error ? error.message : String(error)
  context.stderr.write(
    `heistguard: internal error: ${redactSecrets(message.split('\n')[0] ?? '')}\n`,
  )
  if (context.env.HEISTGUARD_DEBUG === '1' && error instanceof Error && error.stack)
    context.stderr.write(`${redactSecrets(error.stack)}\n`)
  return 1
}

const isEntry =
  import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/bin/heistguard.js')
if (isEntry) {
  const controller = new AbortController()
  let interrupts = 0
  const stop = () => {
    interrupts++
    controller.abort()
    if (interrupts > 1) process.exit(130)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0)
  })
  const code = await main({
    argv: process.argv.slice(2),
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  })
  process.exitCode = code
  // Long-running commands resolve only when stopped; anything left open must not keep us alive.
  if (controller.signal.aborted || code !== 0) setTimeout(() => process.exit(code), 200).unref()
}
