import { randomUUID } from 'node:crypto'
import type { Context } from 'hono'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { cors } from 'hono/cors'
import { streamSSE } from 'hono/streaming'
import type { z } from 'zod'
import { BaseError, redactSecrets } from '../core/BaseError.js'
import { applyTraceReport } from '../screen/applyTraceReport.js'
import { buildExposureIndex } from '../screen/buildExposureIndex.js'
import { createExposureTripwire, type ExposureTripwire } from '../screen/createExposureTripwire.js'
import type { ExposureIndex } from '../screen/Exposure.js'
import { screenAddress } from '../screen/screenAddress.js'
import type { Alert, Intent, StateStore } from '../store/StateStore.js'
import type { TraceReport } from '../trace/report.js'
import { reportToHtml } from '../trace/reportFormats.js'
import {
  ackInputSchema,
  alertInputSchema,
  intentInputSchema,
  intentStateSchema,
  receiptInputSchema,
  screenManyInputSchema,
  traceCaseInputSchema,
} from './apiSchemas.js'
import { checkApiToken } from './apiTokens.js'
import { createScreenFastPath, type FastPath } from './createScreenFastPath.js'
import { openApiDocument } from './openapi.js'
import type { AlertAck, ServerStore } from './ServerStore.js'
import { createTokenBuckets, takeToken } from './tokenBucket.js'
import { type WebAssets, webResponse } from './webAssets.js'

/** What the API runs on. Everything is passed in, so tests use real stores in memory. */
export type AppDeps = {
  state: StateStore
  server: ServerStore
  /**
   * The exposure index `screen` answers from; GET /api/screen is 503 without one (and without a
   * trace runner: with one, an empty index is created that trace cases fill).
   */
  exposure?: ExposureIndex
  /** verifySafeTransaction bound to its options (policy, labels); POST /api/verify is 503 without. */
  verify?: (body: unknown) => unknown | Promise<unknown>
  /** Runs a trace case; POST /api/trace/cases is 501 without one. Returns the report JSON. */
  runTrace?: (request: Record<string, unknown>) => Promise<unknown>
  /** The built web UI (web/dist), served at / with a strict CSP. */
  web?: WebAssets
  limits?: Partial<Limits>
  /** Allowed origins for CORS; none (the default) sends no CORS headers at all. */
  corsOrigins?: string[]
  /** One line per request: method, path (no query string), status, ms, token id. Never secrets. */
  logger?: (line: string) => void
  now?: () => number
  /** How often the SSE stream polls the state store for alerts written by other processes. */
  alertPollMs?: number
  /** Serve GET /api/screen/:address from node:http directly (see createScreenFastPath). Default true. */
  fastPath?: boolean
}

export type Limits = {
  /** Largest accepted request body, bytes. */
  bodyBytes: number
  readBurst: number
  readPerSecond: number
  writeBurst: number
  writePerSecond: number
}

const DEFAULT_LIMITS: Limits = {
  bodyBytes: 1 << 20,
  readBurst: 2000,
  readPerSecond: 2000,
  writeBurst: 30,
  writePerSecond: 10,
}

/** The app, a way to push alerts to SSE subscribers at once, and a close for the poller. */
export type App = {
  app: Hono<Env>
  publishAlerts(alerts: Alert[]): void
  close(): void
  /**
   * The node:http fast path for GET /api/screen/:address, sharing this app's index, rate limit
   * and logger; null when disabled, when there is no index, or when CORS is on (hono owns CORS).
   */
  fastPath: FastPath | null
  /** The live index (the one given, or the one created for trace cases); null when none. */
  exposure: ExposureIndex | null
  /** Follows trace cases block by block into the index; feed it the watcher's blocks. */
  tripwire: ExposureTripwire | null
  /** Folds every stored trace case into the index and follows it (at start-up); returns how many. */
  loadStoredCases(): Promise<number>
}

export type Env = { Variables: { tokenId: string } }

/**
 * Builds the HTTP API (hono). In-process tests call `app.request()`; `startServer` serves it.
 *
 * @example
 * const { app } = createApp({ state: openSqliteStateStore(':memory:'), server: openSqliteServerStore(':memory:') })
 * await app.request('/api/health')
 */
export function createApp(deps: AppDeps): App {
  const limits = { ...DEFAULT_LIMITS, ...deps.limits }
  const now = deps.now ?? Date.now
  const reads = createTokenBuckets(limits.readBurst, limits.readPerSecond)
  const writes = createTokenBuckets(limits.writeBurst, limits.writePerSecond)
  const subscribers = new Set<(alert: Alert & { ack: AlertAck | null }) => void>()
  const app = new Hono<Env>()
  // Trace cases keep the screening index current: each finished case is folded into it and
  // followed live by the tripwire. With a trace runner and no index, one starts empty.
  const exposure: ExposureIndex | undefined =
    deps.exposure ??
    (deps.runTrace
      ? buildExposureIndex({ heists: [], direct: [], source: 'trace cases' })
      : undefined)
  const tripwire = exposure ? createExposureTripwire(exposure) : null
  const foldCase = (id: string, report: unknown) => {
    if (!exposure) return
    try {
      applyTraceReport(exposure, report, `case ${id}`)
      tripwire?.follow(id, report)
    } catch (error) {
      // A stored case that is not a trace report (imported by hand) is not screening input.
      deps.logger?.(
        redactSecrets(
          `screen: case ${id} not added to the index: ${String((error as Error)?.message ?? error).split('\n')[0]}`,
        ),
      )
    }
  }

  app.use('*', async (c, next) => {
    const started = performance.now()
    await next()
    c.header('X-Content-Type-Options', 'nosniff')
    c.header('Referrer-Policy', 'no-referrer')
    if (deps.logger) {
      const who = c.get('tokenId') ? ` token=${c.get('tokenId')}` : ''
      deps.logger(
        redactSecrets(
          `${c.req.method} ${c.req.path} ${c.res.status} ${(performance.now() - started).toFixed(1)}ms${who}`,
        ),
      )
    }
  })
  if (deps.corsOrigins && deps.corsOrigins.length > 0)
    app.use(
      '/api/*',
      cors({ origin: deps.corsOrigins, allowHeaders: ['Authorization', 'Content-Type'] }),
    )

  app.use('/api/*', async (c, next) => {
    c.header('Cache-Control', 'no-store')
    const isWrite = c.req.method !== 'GET' && c.req.method !== 'HEAD' && !READ_POSTS.has(c.req.path)
    const wait = takeToken(isWrite ? writes : reads, clientKey(c), now())
    if (wait > 0) {
      c.header('Retry-After', String(wait))
      return apiError(c, 429, 'RATE_LIMITED', `too many requests; retry in ${wait} s`)
    }
    if (isWrite) {
      const header = c.req.header('authorization') ?? ''
      const tokenId = header.startsWith('Bearer ')
        ? await checkApiToken(deps.server, header.slice(7).trim())
        : null
      if (!tokenId) {
        c.header('WWW-Authenticate', 'Bearer')
        return apiError(
          c,
          401,
          'UNAUTHORIZED',
          header
            ? 'invalid bearer token'
            : 'this endpoint needs Authorization: Bearer <token> (heistguard serve token create)',
          'Authorization',
        )
      }
      c.set('tokenId', tokenId)
    }
    return next()
  })
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: limits.bodyBytes,
      onError: (c) =>
        apiError(
          c,
          413,
          'PAYLOAD_TOO_LARGE',
          `request body is larger than ${limits.bodyBytes} bytes`,
        ),
    }),
  )

  app.onError((error, c) => {
    if (error instanceof ApiInputError)
      return apiError(c, error.status, error.code, error.shortMessage, error.field)
    if (error instanceof BaseError)
      return apiError(
        c,
        error.exitCode === 2 ? 400 : 500,
        error.code,
        error.shortMessage,
        error.field,
      )
    deps.logger?.(
      redactSecrets(
        `internal error on ${c.req.method} ${c.req.path}: ${String((error as Error)?.message ?? error).split('\n')[0]}`,
      ),
    )
    return apiError(c, 500, 'INTERNAL', 'internal error')
  })
  app.notFound((c) =>
    c.req.path.startsWith('/api/')
      ? apiError(c, 404, 'NOT_FOUND', `no route ${c.req.method} ${c.req.path}`)
      : webOr404(c, deps.web),
  )

  app.get('/openapi.json', (c) => c.json(openApiDocument))
  app.get('/api/health', (c) =>
    c.json({
      ok: true,
      verify: !!deps.verify,
      screen: exposure ? { addresses: exposure.table.size, source: exposure.source } : null,
      trace: !!deps.runTrace,
      state: deps.state.backend,
    }),
  )

  app.post('/api/verify', async (c) => {
    if (!deps.verify)
      return apiError(c, 503, 'NOT_CONFIGURED', 'verify is not available in this server')
    const body = await readJson(c)
    return jsonBig(c, await deps.verify(body))
  })

  // Alerts
  const withAcks = async (alerts: Alert[]) => {
    const acks = new Map((await deps.server.listAcks()).map((a) => [a.alertId, a]))
    return alerts.map((a) => ({ ...a, ack: acks.get(a.id) ?? null }))
  }
  app.get('/api/alerts', async (c) => {
    const q = c.req.query()
    const chainId = q.chainId === undefined ? undefined : Number(q.chainId)
    if (chainId !== undefined && !Number.isInteger(chainId))
      return apiError(c, 400, 'INVALID_INPUT', 'expected an integer', 'chainId')
    const limit = q.limit === undefined ? 500 : Number(q.limit)
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
      return apiError(c, 400, 'INVALID_INPUT', 'expected an integer 1..10000', 'limit')
    if (q.state !== undefined && q.state !== 'live' && q.state !== 'retracted')
      return apiError(c, 400, 'INVALID_INPUT', 'expected live or retracted', 'state')
    let alerts = await withAcks(
      await deps.state.listAlerts({
        ...(chainId === undefined ? {} : { chainId }),
        ...(q.state ? { state: q.state as Alert['state'] } : {}),
      }),
    )
    if (q.severity) alerts = alerts.filter((a) => a.severity === q.severity)
    if (q.detector) alerts = alerts.filter((a) => a.detector === q.detector)
    if (q.acked === 'true' || q.acked === 'false')
      alerts = alerts.filter((a) => (a.ack !== null) === (q.acked === 'true'))
    alerts.sort((a, b) => b.createdAt - a.createdAt || b.blockNumber - a.blockNumber)
    return c.json({ alerts: alerts.slice(0, limit) })
  })
  app.post('/api/alerts', async (c) => {
    const input = parse(alertInputSchema, await readJson(c))
    const alert: Alert = {
      id: input.id ?? randomUUID(),
      chainId: input.chainId,
      blockNumber: input.blockNumber,
      blockHash: input.blockHash.toLowerCase(),
      txHash: input.txHash?.toLowerCase() ?? null,
      detector: input.detector,
      severity: input.severity,
      title: input.title,
      details: input.details,
      state: 'live',
      revision: 0,
      createdAt: now(),
    }
    const stored = await deps.state.putAlerts([alert], [])
    publish(stored)
    return c.json((await withAcks([(await deps.state.getAlert(alert.id)) ?? alert]))[0], 201)
  })
  app.get('/api/alerts/stream', (c) =>
    streamSSE(c, async (stream) => {
      let resolveClosed: () => void = () => {}
      const closed = new Promise<void>((r) => {
        resolveClosed = r
      })
      const send = (alert: Alert & { ack: AlertAck | null }) => {
        void stream.writeSSE({
          event: 'alert',
          id: `${alert.id}:${alert.revision}`,
          data: JSON.stringify(alert),
        })
      }
      subscribers.add(send)
      startPolling()
      stream.onAbort(() => resolveClosed())
      await stream.writeSSE({ event: 'ready', data: '{}' })
      const heartbeat = setInterval(() => void stream.write(': keep-alive\n\n'), 15_000)
      await closed
      clearInterval(heartbeat)
      subscribers.delete(send)
      if (subscribers.size === 0) stopPolling()
    }),
  )
  app.get('/api/alerts/:id', async (c) => {
    const alert = await deps.state.getAlert(c.req.param('id'))
    if (!alert) return apiError(c, 404, 'NOT_FOUND', 'no such alert', 'id')
    return c.json((await withAcks([alert]))[0])
  })
  app.post('/api/alerts/:id/ack', async (c) => {
    const input = parse(ackInputSchema, await readJson(c, true))
    const alert = await deps.state.getAlert(c.req.param('id'))
    if (!alert) return apiError(c, 404, 'NOT_FOUND', 'no such alert', 'id')
    await deps.server.ackAlert({
      alertId: alert.id,
      by: c.get('tokenId'),
      at: now(),
      note: input.note ?? null,
    })
    const [acked] = await withAcks([alert])
    for (const s of subscribers) s(acked!)
    return c.json(acked)
  })

  // Intents
  app.get('/api/intents', async (c) => c.json({ intents: await deps.state.listIntents() }))
  app.get('/api/intents/:id', async (c) => {
    const intent = (await deps.state.listIntents()).find((i) => i.id === c.req.param('id'))
    return intent ? c.json(intent) : apiError(c, 404, 'NOT_FOUND', 'no such intent', 'id')
  })
  app.post('/api/intents', async (c) => {
    const input = parse(intentInputSchema, await readJson(c))
    const id = input.id ?? randomUUID()
    if ((await deps.state.listIntents()).some((i) => i.id === id))
      return apiError(c, 409, 'CONFLICT', 'an intent with this id exists', 'id')
    const intent: Intent = {
      id,
      chainId: input.chainId,
      from: input.from,
      to: input.to,
      token: input.token,
      maxAmount: input.maxAmount,
      validFrom: input.validFrom,
      validUntil: input.validUntil,
      state: 'open',
      ...(input.note === undefined ? {} : { note: input.note }),
    }
    await deps.state.putIntent(intent)
    return c.json(intent, 201)
  })
  const setIntentState = async (c: Context<Env>, state: Intent['state']) => {
    const id = c.req.param('id') ?? ''
    const intent = (await deps.state.listIntents()).find((i) => i.id === id)
    if (!intent) return apiError(c, 404, 'NOT_FOUND', 'no such intent', 'id')
    await deps.state.setIntentState(id, state)
    return c.json({ ...intent, state })
  }
  app.patch('/api/intents/:id', async (c) =>
    setIntentState(c, parse(intentStateSchema, await readJson(c)).state),
  )
  app.delete('/api/intents/:id', async (c) => setIntentState(c, 'cancelled'))

  // Receipts
  app.post('/api/receipts', async (c) => {
    const input = parse(receiptInputSchema, await readJson(c))
    const receipt = { ...input, safeTxHash: input.safeTxHash.toLowerCase() }
    await deps.state.putReceipt(receipt)
    return c.json(receipt, 201)
  })
  app.get('/api/receipts/:safeTxHash', async (c) => {
    const hash = c.req.param('safeTxHash')
    if (!/^0x[0-9a-fA-F]{64}$/.test(hash))
      return apiError(c, 400, 'INVALID_INPUT', 'expected a 32-byte 0x hash', 'safeTxHash')
    return c.json({ receipts: await deps.state.listReceipts(hash.toLowerCase()) })
  })

  // Trace cases
  app.get('/api/trace/cases', async (c) => c.json({ ids: await deps.state.listCaseIds() }))
  app.get('/api/trace/cases/:id', async (c) => {
    const value = await deps.state.getCase(c.req.param('id'))
    return value === null ? apiError(c, 404, 'NOT_FOUND', 'no such case', 'id') : jsonBig(c, value)
  })
  app.get('/api/trace/cases/:id/report.html', async (c) => {
    const value = (await deps.state.getCase(c.req.param('id'))) as { report?: unknown } | null
    if (value === null) return apiError(c, 404, 'NOT_FOUND', 'no such case', 'id')
    let html: string
    try {
      html = reportToHtml(value.report as TraceReport, { title: `Case ${c.req.param('id')}` })
    } catch {
      return apiError(
        c,
        422,
        'NOT_A_TRACE_REPORT',
        'this case does not hold a heistguard trace report',
        'id',
      )
    }
    // The report is self-contained (inline CSS, no scripts): a download, with a CSP that allows
    // its styles and nothing else should it ever be opened in place.
    return c.body(html, 200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Disposition': `attachment; filename="case-${c.req.param('id').replace(/[^A-Za-z0-9._-]/g, '_')}.html"`,
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    })
  })
  app.post('/api/trace/cases', async (c) => {
    const input = parse(traceCaseInputSchema, await readJson(c))
    if (!deps.runTrace)
      return apiError(c, 501, 'NOT_CONFIGURED', 'no trace runner is configured in this server')
    const id = input.id ?? randomUUID()
    const report = await deps.runTrace(input.request)
    const value = { id, createdAt: now(), request: input.request, report }
    const stored = JSON.parse(JSON.stringify(value, bigintReplacer))
    await deps.state.putCase(id, stored)
    foldCase(id, stored.report)
    return jsonBig(c, value, 201)
  })

  // Screening
  app.get('/api/screen/:address', (c) => {
    if (!exposure)
      return apiError(c, 503, 'NOT_CONFIGURED', 'no exposure index loaded (serve --index FILE)')
    return c.json(screenAddress(exposure, c.req.param('address'), 'address'))
  })
  app.post('/api/screen', async (c) => {
    if (!exposure)
      return apiError(c, 503, 'NOT_CONFIGURED', 'no exposure index loaded (serve --index FILE)')
    const input = parse(screenManyInputSchema, await readJson(c))
    const index = exposure
    const results = input.addresses.map((a, i) => screenAddress(index, a, `addresses.${i}`))
    return c.json({ results })
  })

  app.get('*', (c) =>
    c.req.path.startsWith('/api/')
      ? apiError(c, 404, 'NOT_FOUND', `no route GET ${c.req.path}`)
      : webOr404(c, deps.web),
  )

  // SSE: alerts written by this process are pushed at once; alerts written by another process
  // (a separate `heistguard watch` on the same database) are found by polling.
  const seen = new Map<string, number>()
  let poller: ReturnType<typeof setInterval> | null = null
  let primed = false
  function publish(alerts: Alert[]) {
    void withAcks(alerts).then((list) => {
      for (const a of list) {
        seen.set(a.id, a.revision)
        for (const s of subscribers) s(a)
      }
    })
  }
  async function poll() {
    const alerts = await deps.state.listAlerts()
    const fresh = alerts.filter((a) => seen.get(a.id) !== a.revision)
    for (const a of alerts) seen.set(a.id, a.revision)
    if (primed && fresh.length > 0) publish(fresh)
    primed = true
  }
  function startPolling() {
    if (poller) return
    void poll()
    poller = setInterval(() => void poll().catch(() => {}), deps.alertPollMs ?? 1000)
    poller.unref?.()
  }
  function stopPolling() {
    if (poller) clearInterval(poller)
    poller = null
    primed = false
  }

  const fastPath =
    deps.fastPath !== false && exposure && !(deps.corsOrigins && deps.corsOrigins.length > 0)
      ? createScreenFastPath({
          exposure,
          reads,
          now,
          ...(deps.logger ? { logger: deps.logger } : {}),
        })
      : null
  async function loadStoredCases() {
    if (!exposure) return 0
    const cases: { id: string; createdAt: number; report: unknown }[] = []
    for (const id of await deps.state.listCaseIds()) {
      const value = (await deps.state.getCase(id)) as {
        createdAt?: number
        report?: unknown
      } | null
      if (value?.report) cases.push({ id, createdAt: value.createdAt ?? 0, report: value.report })
    }
    // Oldest first, so that a newer run of the same heist states the current amounts.
    cases.sort((a, b) => a.createdAt - b.createdAt)
    for (const k of cases) foldCase(k.id, k.report)
    return cases.length
  }
  return {
    app,
    publishAlerts: publish,
    close: stopPolling,
    fastPath,
    exposure: exposure ?? null,
    tripwire,
    loadStoredCases,
  }
}

/** POST routes that only read (they are not "writes" and need no token). */
const READ_POSTS = new Set(['/api/verify', '/api/screen'])

/** The `{error: {code, message, field}}` envelope every failure uses, like the CLI's one line. */
export function apiError(
  c: Context,
  status: number,
  code: string,
  message: string,
  field?: string,
) {
  return c.json(
    { error: { code, message: redactSecrets(message), ...(field ? { field } : {}) } },
    status as 400,
  )
}

function clientKey(c: Context): string {
  // The node adapter exposes the socket; app.request() in tests has none.
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)
    ?.incoming
  return incoming?.socket?.remoteAddress ?? 'local'
}

async function readJson(c: Context, optional = false): Promise<unknown> {
  const text = await c.req.text()
  if (optional && text.trim() === '') return {}
  const type = c.req.header('content-type') ?? ''
  if (!/^application\/json\b/i.test(type))
    throw new ApiInputError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'expected Content-Type: application/json',
      'Content-Type',
    )
  try {
    return JSON.parse(text)
  } catch (error) {
    const at = /position (\d+)/.exec(String((error as Error).message))
    const line = at ? text.slice(0, Number(at[1])).split('\n').length : 1
    throw new ApiInputError(400, 'INVALID_JSON', 'request body is not valid JSON', `body:${line}`)
  }
}

function parse<T extends z.ZodTypeAny>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  const field = issue.path.join('.') || 'body'
  const message =
    issue.code === 'unrecognized_keys'
      ? `unknown field ${JSON.stringify(issue.keys[0])}`
      : issue.message
  throw new ApiInputError(
    400,
    'INVALID_INPUT',
    message,
    issue.code === 'unrecognized_keys' ? String(issue.keys[0]) : field,
  )
}

/** Bad request input with its HTTP status; turned into the error envelope by onError. */
class ApiInputError extends BaseError {
  readonly status: number
  constructor(status: number, code: string, message: string, field: string) {
    super(message, { code, field, exitCode: 2 })
    this.status = status
  }
}

function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value
}

function jsonBig(c: Context, value: unknown, status = 200) {
  return c.body(JSON.stringify(value, bigintReplacer), status as 200, {
    'Content-Type': 'application/json; charset=utf-8',
  })
}

function webOr404(c: Context, web: WebAssets | undefined) {
  const response = web ? webResponse(web, c.req.path) : null
  return response ?? c.text('not found', 404)
}
