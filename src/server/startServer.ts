import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import { InputError } from '../core/BaseError.js'
import type { ExposureIndex } from '../screen/Exposure.js'
import type { StateStore } from '../store/StateStore.js'
import { type App, createApp, type Limits } from './createApp.js'
import type { ServerStore } from './ServerStore.js'
import type { WebAssets } from './webAssets.js'

export type StartServerOptions = {
  /** 0 picks an ephemeral port. */
  port: number
  /** Default 127.0.0.1. Anything else exposes the API beyond this machine: the caller decides. */
  host?: string
  state: StateStore
  server: ServerStore
  exposure?: ExposureIndex
  verify?: (body: unknown) => unknown | Promise<unknown>
  runTrace?: (request: Record<string, unknown>) => Promise<unknown>
  web?: WebAssets | null
  limits?: Partial<Limits>
  corsOrigins?: string[]
  logger?: (line: string) => void
  alertPollMs?: number
  /** Answer GET /api/screen/:address on the node:http fast path (default true). */
  fastPath?: boolean
  /**
   * Background work that lives as long as the server, e.g. the watcher: started after the server
   * listens, given an AbortSignal that fires on stop(). This is the hook `serve` uses for
   * `heistguard watch` and the demo uses for its devnet scenario.
   */
  background?: ((signal: AbortSignal) => Promise<void>)[]
}

export type RunningServer = {
  url: string
  port: number
  /** Push alerts to SSE subscribers at once (the watcher's in-process hook). */
  publishAlerts: ReturnType<typeof createApp>['publishAlerts']
  /** The live screening index and the tripwire that keeps it current (see createApp). */
  exposure: App['exposure']
  tripwire: App['tripwire']
  stop(): Promise<void>
}

/**
 * Serves the API and the UI on `host:port` with @hono/node-server.
 *
 * @example
 * const { url, stop } = await startServer({ port: 0, state, server })
 * await fetch(`${url}/api/health`)
 * await stop()
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1'
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)
    throw new InputError(`port must be an integer in 0..65535, got ${options.port}`, {
      code: 'INVALID_PORT',
      field: '--port',
    })
  const built = createApp({
    state: options.state,
    server: options.server,
    ...(options.exposure ? { exposure: options.exposure } : {}),
    ...(options.verify ? { verify: options.verify } : {}),
    ...(options.runTrace ? { runTrace: options.runTrace } : {}),
    ...(options.web ? { web: options.web } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.alertPollMs ? { alertPollMs: options.alertPollMs } : {}),
    ...(options.fastPath === false ? { fastPath: false } : {}),
  })
  // Cases traced before this start (stored in the state database) screen from the first request.
  await built.loadStoredCases()
  const honoListener = getRequestListener(built.app.fetch, { hostname: host })
  const fast = built.fastPath
  const server = createServer(
    fast
      ? (req, res) => {
          if (!fast(req, res)) void honoListener(req, res)
        }
      : honoListener,
  )
  await new Promise<void>((resolve, reject) => {
    server.listen(options.port, host, () => resolve())
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new InputError(
          `cannot listen on ${host}:${options.port} (${error.code ?? error.message})`,
          { code: 'LISTEN_FAILED', field: '--port' },
        ),
      ),
    )
  })
  const port = (server.address() as AddressInfo).port
  const controller = new AbortController()
  const background = (options.background ?? []).map((task) =>
    task(controller.signal).catch((error) =>
      options.logger?.(`background task stopped: ${String((error as Error)?.message ?? error)}`),
    ),
  )
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  return {
    url,
    port,
    publishAlerts: built.publishAlerts,
    exposure: built.exposure,
    tripwire: built.tripwire,
    async stop() {
      controller.abort()
      built.close()
      await Promise.allSettled(background)
      await new Promise<void>((resolve) => {
        // SSE streams stay open; closeAllConnections ends them so close() can finish.
        ;(server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.()
        server.close(() => resolve())
      })
    },
  }
}
