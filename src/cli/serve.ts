import { readFile } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import { InputError } from '../core/BaseError.js'
import type { ExposureIndex } from '../screen/Exposure.js'
import { readExposureIndex } from '../screen/readExposureIndex.js'
import { createApiToken } from '../server/apiTokens.js'
import { createTraceRunner } from '../server/createTraceRunner.js'
import { createVerifier } from '../server/createVerifier.js'
import { openServerStore } from '../server/openServerStore.js'
import { startServer } from '../server/startServer.js'
import { transfersFromBlock } from '../server/transfersFromBlock.js'
import { findWebDir, loadWebAssets } from '../server/webAssets.js'
import { openStateStore } from '../store/openStateStore.js'
import { openTransferStore } from '../store/openTransferStore.js'
import type { TransferStore } from '../store/TransferStore.js'
import { parsePolicy } from '../verify/policy.js'
import { loadWatchConfig } from '../watch/config.js'
import { runWatch } from '../watch/runWatch.js'
import type { CliContext } from './context.js'
import { parseFlags } from './parseFlags.js'
import { loadLabels } from './screen.js'

const HELP = `usage: heistguard serve [--port 8787] [--host 127.0.0.1] [--state URL] [--index FILE] [flags]
       heistguard serve token create [--name NAME] [--state URL]
       heistguard serve token list [--state URL]
       heistguard serve token revoke ID [--state URL]

  --port N              TCP port (default 8787; 0 = any free port)
  --host ADDR           listen address (default 127.0.0.1; anything else exposes the API)
  --state URL           state store shared with \`heistguard watch\` (alerts, intents, receipts, API
                        tokens, acks): a SQLite file (default heistguard.db) or postgres://… for
                        several replicas on one database; or $HEISTGUARD_STATE_URL ($HEISTGUARD_STATE)
  --policy FILE         verify policy (YAML) for POST /api/verify and the Verify page
  --simulate-rpc URL    simulate every verified transaction on a fork of this JSON-RPC node
  --index FILE          trace report JSON to build the screening index from
  --sanctions FILE      sanctions list for screening; repeatable
  --heist-list H=FILE   addresses attributed to heist H; repeatable
  --watch FILE          also run the watcher with this config (alerts appear live in the UI); the
                        state database then defaults to the watcher's (heistguard-watch.db)
  --transfers URL       transfer store for POST /api/trace/cases (DuckDB file or clickhouse://)
  --labels-dir DIR      where trace requests may read label files from (default: cwd)
  --web DIR             built UI (default: web/dist of this installation)
  --cors ORIGIN         allow this origin to call the API from a browser; repeatable (default: none)

Write endpoints need a bearer token: \`heistguard serve token create\` prints one, once.
Trace cases run through the API (and, with --watch, every new block) update the screening index.
With a large index, NODE_OPTIONS=--max-semi-space-size=64 makes V8's young-generation pauses
(which grow with the heap) four times rarer; see bench/RESULTS.md, "screen HTTP".
`

/** `heistguard serve`: the HTTP API, the web UI, and (when configured) the watcher, in one process. */
export async function run(ctx: CliContext): Promise<number> {
  if (ctx.argv[0] === 'token') return runToken(ctx, ctx.argv.slice(1))
  const { values } = parseFlags(
    ctx.argv,
    {
      port: { type: 'string' },
      host: { type: 'string' },
      state: { type: 'string' },
      index: { type: 'string' },
      policy: { type: 'string' },
      'simulate-rpc': { type: 'string' },
      sanctions: { type: 'string', multiple: true },
      'heist-list': { type: 'string', multiple: true },
      web: { type: 'string' },
      watch: { type: 'string' },
      transfers: { type: 'string' },
      'labels-dir': { type: 'string' },
      cors: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    { command: 'serve' },
  )
  if (values.help) {
    ctx.stdout.write(HELP)
    return 0
  }
  const port = values.port === undefined ? 8787 : Number(values.port)
  if (!/^[0-9]+$/.test(values.port ?? '8787') || port > 65535)
    throw new InputError(`expected a port 0..65535, got ${JSON.stringify(values.port)}`, {
      code: 'INVALID_PORT',
      field: '--port',
    })
  const host = values.host ?? '127.0.0.1'
  for (const origin of values.cors ?? [])
    if (!/^https?:\/\/[^/\s]+$/.test(origin))
      throw new InputError(
        `expected an origin like https://ops.example.com, got ${JSON.stringify(origin)}`,
        { code: 'USAGE', field: '--cors' },
      )

  const labels = await loadLabels(ctx, values.sanctions ?? [], values['heist-list'] ?? [])
  let exposure: ExposureIndex | undefined
  if (values.index) exposure = await readExposureIndex(abs(ctx, values.index), { labels })
  let policy: ReturnType<typeof parsePolicy> | undefined
  if (values.policy) {
    const file = abs(ctx, values.policy)
    const text = await readFile(file, 'utf8').catch(() => {
      throw new InputError('cannot read the policy file', {
        code: 'FILE_NOT_READABLE',
        field: file,
      })
    })
    policy = parsePolicy(text, values.policy)
  }
  const sanctioned = new Map(
    labels
      .filter((l) => l.sanctioned)
      .map((l) => [l.address.toLowerCase(), { source: l.source, name: l.name }]),
  )
  const simulateRpcUrl = values['simulate-rpc']
  if (simulateRpcUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(simulateRpcUrl))
    throw new InputError('expected an http(s):// JSON-RPC URL', {
      code: 'USAGE',
      field: '--simulate-rpc',
    })
  const verify = createVerifier({
    ...(policy ? { policy } : {}),
    labels: { sanctioned },
    ...(simulateRpcUrl ? { simulateRpcUrl } : {}),
  })
  const webDir = values.web ? abs(ctx, values.web) : findWebDir()
  const web = webDir ? loadWebAssets(webDir) : null
  if (values.web && !web)
    throw new InputError('no index.html there (run npm run build:web)', {
      code: 'NO_WEB_UI',
      field: '--web',
    })
  const watchConfig = values.watch ? loadWatchConfig(abs(ctx, values.watch), ctx.env) : undefined
  const stateLocation =
    values.state || ctx.env.HEISTGUARD_STATE_URL || ctx.env.HEISTGUARD_STATE || !watchConfig
      ? stateUrl(ctx, values.state)
      : resolve(watchConfig.baseDir, 'heistguard-watch.db')
  // One URL names both stores: with postgres:// every table of the server is on PostgreSQL.
  const state = await openStateStore(stateLocation, { cwd: ctx.cwd })
  const server = await openServerStore(stateLocation, { cwd: ctx.cwd }).catch(async (error) => {
    await state.close()
    throw error
  })
  const log = (line: string) => ctx.stderr.write(`${line}\n`)
  let transfers: TransferStore | undefined
  if (values.transfers) transfers = await openTransferStore(values.transfers, { cwd: ctx.cwd })
  // The watcher runs in this process on the same state store; its alerts reach SSE subscribers at
  // once through publishAlerts (and, from any other process, through the store poll).
  let publish: (alerts: Parameters<typeof running.publishAlerts>[0]) => void = () => {}
  // The live tripwire: every committed block's transfers move the followed trace cases' taint
  // on, and the screening index with it.
  let tripwire: typeof running.tripwire = null
  const background = watchConfig
    ? [
        async (signal: AbortSignal) => {
          await runWatch(watchConfig, {
            store: state,
            signal,
            stdout: { write: () => true },
            log: (line) => log(`watch: ${line}`),
            afterCommit: (block, alerts) => {
              publish(alerts)
              tripwire?.applyBlock(transfersFromBlock(block))
            },
          })
        },
      ]
    : []
  const running = await startServer({
    port,
    host,
    state,
    server,
    ...(exposure ? { exposure } : {}),
    verify,
    ...(transfers
      ? {
          runTrace: createTraceRunner(transfers, {
            labelsDir: abs(ctx, values['labels-dir'] ?? '.'),
          }),
        }
      : {}),
    background,
    web,
    ...(values.cors ? { corsOrigins: values.cors } : {}),
    logger: log,
  })
  if (!web) log('serve: the web UI is not built (npm run build:web); serving the API only')
  if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost')
    log(`serve: listening on ${host}: reachable from other machines; put TLS in front of it`)
  publish = running.publishAlerts
  tripwire = running.tripwire
  ctx.stdout.write(`${running.url}\n`)
  await new Promise<void>((resolveStop) => {
    if (ctx.signal.aborted) resolveStop()
    ctx.signal.addEventListener('abort', () => resolveStop(), { once: true })
  })
  await running.stop()
  await transfers?.close()
  await state.close()
  await server.close()
  return 0
}

async function runToken(ctx: CliContext, argv: string[]): Promise<number> {
  const [action, ...rest] = argv
  const { values, positionals } = parseFlags(
    rest,
    { state: { type: 'string' }, name: { type: 'string' } },
    { command: `serve token ${action ?? ''}`.trim(), positionals: action === 'revoke' ? 1 : 0 },
  )
  const store = await openServerStore(stateUrl(ctx, values.state), { cwd: ctx.cwd })
  try {
    if (action === 'create') {
      const name = values.name ?? 'default'
      if (!/^[\w .:-]{1,64}$/.test(name))
        throw new InputError('letters, digits, space and ._:- only, at most 64', {
          code: 'USAGE',
          field: '--name',
        })
      const { token, id } = await createApiToken(store, name, Date.now())
      // The token goes to stdout exactly once; stderr only names its public id.
      ctx.stdout.write(`${token}\n`)
      ctx.stderr.write(
        `serve: token ${id} (${name}) created; it is not stored in clear and cannot be shown again\n`,
      )
      return 0
    }
    if (action === 'list') {
      for (const t of await store.listTokens())
        ctx.stdout.write(`${t.id}\t${t.name}\t${new Date(t.createdAt).toISOString()}\n`)
      return 0
    }
    if (action === 'revoke') {
      const id = positionals[0]
      if (!id)
        throw new InputError('give the token id (see serve token list)', {
          code: 'USAGE',
          field: 'serve token revoke',
        })
      if (!(await store.deleteToken(id)))
        throw new InputError(`no token with id ${JSON.stringify(id)}`, {
          code: 'NOT_FOUND',
          field: 'serve token revoke',
        })
      return 0
    }
    throw new InputError('expected create, list or revoke', { code: 'USAGE', field: 'serve token' })
  } finally {
    await store.close()
  }
}

function abs(ctx: Pick<CliContext, 'cwd'>, path: string): string {
  return isAbsolute(path) ? path : resolve(ctx.cwd, path)
}

/** The state store URL (file path, sqlite: or postgres://); relative paths resolve against cwd. */
function stateUrl(ctx: CliContext, flag: string | undefined): string {
  return flag ?? ctx.env.HEISTGUARD_STATE_URL ?? ctx.env.HEISTGUARD_STATE ?? 'heistguard.db'
}
