import type { IncomingMessage, ServerResponse } from 'node:http'
import { BaseError, redactSecrets } from '../core/BaseError.js'
import type { ExposureIndex } from '../screen/Exposure.js'
import { screenAddress } from '../screen/screenAddress.js'
import { type TokenBuckets, takeToken } from './tokenBucket.js'

/** Handles a request and returns true, or returns false to let hono answer it. */
export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean

export type ScreenFastPathDeps = {
  exposure: ExposureIndex
  /** The same read buckets hono's rate limit uses, so both paths count against one budget. */
  reads: TokenBuckets
  now: () => number
  logger?: (line: string) => void
}

// `/api/screen/<segment>` with an optional query string (ignored, as hono ignores it). Segments
// with `%` escapes are left to hono so that its URL decoding stays the only one.
const ROUTE = /^\/api\/screen\/([^/?#%]+)(?:\?.*)?$/s

// The headers hono sends on this route (middleware order: nosniff and referrer policy from the
// outer middleware, no-store from the /api/* one, JSON content type from c.json).
const HEADERS = [
  'cache-control',
  'no-store',
  'content-type',
  'application/json',
  'referrer-policy',
  'no-referrer',
  'x-content-type-options',
  'nosniff',
]

/**
 * GET /api/screen/:address without hono: the hottest route (exchanges screen every deposit)
 * answered straight from node:http, with no Request/Response objects, no middleware chain and one
 * JSON.stringify. Same answer as the hono route byte for byte (body, status, headers, rate limit,
 * validation errors, log line); anything it does not recognise (HEAD, other paths, escaped
 * segments) returns false and goes to hono. test/server.fastpath.test.ts compares both paths.
 *
 * @example
 * const fast = createScreenFastPath({ exposure, reads, now: Date.now })
 * http.createServer((req, res) => fast(req, res) || honoListener(req, res))
 */
export function createScreenFastPath(deps: ScreenFastPathDeps): FastPath {
  const { exposure, reads, now, logger } = deps
  return (req, res) => {
    if (req.method !== 'GET') return false
    const url = req.url ?? ''
    if (!url.startsWith('/api/screen/')) return false
    const m = ROUTE.exec(url)
    if (!m) return false
    const started = logger ? performance.now() : 0
    const address = m[1]!
    let status = 200
    let body: string
    const wait = takeToken(reads, req.socket.remoteAddress ?? 'local', now())
    if (wait > 0) {
      status = 429
      body = errorBody('RATE_LIMITED', `too many requests; retry in ${wait} s`)
    } else {
      try {
        body = JSON.stringify(screenAddress(exposure, address, 'address'))
      } catch (error) {
        if (error instanceof BaseError) {
          status = error.exitCode === 2 ? 400 : 500
          body = errorBody(error.code, error.shortMessage, error.field)
        } else {
          // As hono's onError: a one-line log without the stack, a generic answer.
          logger?.(
            redactSecrets(
              `internal error on GET ${url.split('?')[0]}: ${String((error as Error)?.message ?? error).split('\n')[0]}`,
            ),
          )
          status = 500
          body = errorBody('INTERNAL', 'internal error')
        }
      }
    }
    const headers = HEADERS.concat('content-length', String(Buffer.byteLength(body)))
    if (status === 429) headers.push('retry-after', String(wait))
    res.writeHead(status, headers)
    res.end(body)
    if (logger) {
      const path = url.slice(0, 12 + address.length)
      logger(redactSecrets(`GET ${path} ${status} ${(performance.now() - started).toFixed(1)}ms`))
    }
    return true
  }
}

function errorBody(code: string, message: string, field?: string): string {
  return JSON.stringify({
    error: { code, message: redactSecrets(message), ...(field ? { field } : {}) },
  })
}
