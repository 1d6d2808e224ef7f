import { BaseError, redactSecrets } from '../core/BaseError.js'
import type { Metrics } from '../watch/metrics.js'

import type { RpcClient } from './RpcClient.js'

/** The request shape every chain module uses: src/chain/RpcClient.ts. */
export type RequestClient = RpcClient

export type RpcEndpoint = {
  url: string
  /** Relative share of requests while healthy. Default 1. */
  weight?: number
  /** A short name for logs and metrics; default `rpc-<index>` (never the URL: it may hold a key). */
  name?: string
}

export type FailoverRpcClientOptions = {
  /** Per-request timeout in ms. Default 10,000. */
  timeoutMs?: number
  /** Attempts across all endpoints before giving up. Default 8. */
  maxAttempts?: number
  /** First backoff in ms, doubled per round, capped by `maxBackoffMs`. Default 100. */
  backoffMs?: number
  maxBackoffMs?: number
  metrics?: Metrics
  /** Receives redacted one-line log messages (failovers, rate limits). */
  log?: (line: string) => void
  /** Injected for tests of backoff; defaults to setTimeout. */
  sleep?: (ms: number) => Promise<void>
  /** Random source for weighted choice. Default Math.random. */
  random?: () => number
  /**
   * Requests issued in the same tick go out as one JSON-RPC batch (up to this many). Any item
   * that does not come back with a clean result, and any batch the endpoint refuses, is re-sent
   * alone through the full failover path, so batching never changes an answer. 0 disables.
   * Default 0.
   */
  batchSize?: number
}

/** A JSON-RPC error returned by every endpoint tried: a real answer, not a transport failure. */
export class RpcResponseError extends BaseError {
  readonly rpcCode: number
  constructor(method: string, rpcCode: number, message: string) {
    super(`${method} failed: ${message} (JSON-RPC code ${rpcCode})`, { code: 'RPC_RESPONSE_ERROR' })
    this.rpcCode = rpcCode
  }
}

// These JSON-RPC codes are answers about the request itself; another endpoint would say the same
// (except -32601, which a different client may implement, so it is tried everywhere once).
const DETERMINISTIC_CODES = new Set([3, -32602, -32600, -32700])
// -32601 (JSON-RPC) and -32004 (EIP-1474 "method not supported") mean the method is missing.
const METHOD_NOT_FOUND = new Set([-32601, -32004])

// A node that is behind answers null for a block it has not seen; the block exists (the caller
// saw it in a head), so null here is a failure of that endpoint, never a reason to skip.
const NULL_IS_MISSING = new Set([
  'eth_getBlockByNumber',
  'eth_getBlockByHash',
  'eth_getBlockReceipts',
  'eth_getTransactionReceipt',
])

type EndpointState = {
  url: string
  name: string
  weight: number
  /** Not used before this time (ms since epoch) after a failure or a 429. */
  coolUntil: number
  failures: number
}

type Failure = {
  kind: 'transport' | 'http' | 'rate-limit' | 'rpc' | 'null' | 'timeout'
  message: string
  retryAfterMs?: number
  rpcCode?: number
}

/**
 * A JSON-RPC client over several HTTP endpoints with weights and failover. A request moves to
 * another endpoint on connection errors, timeouts, HTTP 5xx, 429 (honouring Retry-After), a
 * JSON-RPC error inside an HTTP 200, or a null block/receipt; after a round over every endpoint
 * it backs off exponentially and tries again, up to `maxAttempts`. It never turns a failure into
 * an empty answer, so the follower never skips a block. URLs are redacted in every message.
 *
 * @example
 * const client = createFailoverRpcClient([{ url: 'https://a.example/KEY', weight: 3 }, { url: 'http://127.0.0.1:8545' }])
 * await client.request('eth_blockNumber', [])
 */
export function createFailoverRpcClient(
  endpoints: RpcEndpoint[],
  options: FailoverRpcClientOptions = {},
): RequestClient & {
  endpoints: ReadonlyArray<{ name: string; failures: number; coolUntil: number }>
} {
  if (endpoints.length === 0)
    throw new BaseError('no RPC endpoint configured', { code: 'RPC_NO_ENDPOINT', exitCode: 2 })
  const timeoutMs = options.timeoutMs ?? 10_000
  const maxAttempts = options.maxAttempts ?? 8
  const backoffMs = options.backoffMs ?? 100
  const maxBackoffMs = options.maxBackoffMs ?? 5_000
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  const random = options.random ?? Math.random
  const metrics = options.metrics
  const log = options.log ?? (() => {})
  const states: EndpointState[] = endpoints.map((endpoint, index) => ({
    url: endpoint.url,
    name: endpoint.name ?? `rpc-${index}`,
    weight: endpoint.weight ?? 1,
    coolUntil: 0,
    failures: 0,
  }))
  let nextId = 1

  /** Weighted choice among endpoints not yet tried this round and not cooling down. */
  const pick = (tried: Set<EndpointState>): EndpointState | undefined => {
    const now = Date.now()
    let candidates = states.filter((s) => !tried.has(s) && s.coolUntil <= now)
    // All cooling: take the one that recovers first rather than failing while some might answer.
    if (candidates.length === 0) {
      const rest = states.filter((s) => !tried.has(s))
      if (rest.length === 0) return undefined
      candidates = [rest.reduce((a, b) => (a.coolUntil <= b.coolUntil ? a : b))]
    }
    const total = candidates.reduce((sum, s) => sum + s.weight, 0)
    let r = random() * total
    for (const candidate of candidates) {
      r -= candidate.weight
      if (r < 0) return candidate
    }
    return candidates[candidates.length - 1]
  }

  const once = async (
    state: EndpointState,
    method: string,
    params: unknown[],
  ): Promise<{ ok: unknown } | { fail: Failure }> => {
    const id = nextId++
    let response: Response
    try {
      response = await fetch(state.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (error) {
      const name = (error as Error).name
      if (name === 'TimeoutError' || name === 'AbortError')
        return { fail: { kind: 'timeout', message: `timed out after ${timeoutMs} ms` } }
      const cause = (error as { cause?: { code?: string; message?: string } }).cause
      return {
        fail: {
          kind: 'transport',
          message: cause?.code ?? cause?.message ?? (error as Error).message,
        },
      }
    }
    let text: string
    try {
      text = await response.text()
    } catch (error) {
      return { fail: { kind: 'transport', message: `body: ${(error as Error).message}` } }
    }
    if (response.status === 429) {
      return {
        fail: {
          kind: 'rate-limit',
          message: 'HTTP 429',
          retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
        },
      }
    }
    if (!response.ok) return { fail: { kind: 'http', message: `HTTP ${response.status}` } }
    let body: { result?: unknown; error?: { code?: number; message?: string }; id?: unknown }
    try {
      body = JSON.parse(text)
    } catch {
      return { fail: { kind: 'http', message: 'response is not JSON' } }
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      return { fail: { kind: 'http', message: 'response is not a JSON-RPC object' } }
    if (body.error) {
      const code = Number(body.error.code ?? 0)
      // Providers signal rate limits inside a 200 too (-32005, "limit exceeded").
      if (code === -32005 || /rate|limit exceeded|too many/i.test(String(body.error.message)))
        return {
          fail: {
            kind: 'rate-limit',
            message: `JSON-RPC ${code}: ${String(body.error.message).slice(0, 200)}`,
            rpcCode: code,
          },
        }
      return {
        fail: {
          kind: 'rpc',
          message: String(body.error.message ?? 'error').slice(0, 300),
          rpcCode: code,
        },
      }
    }
    if (body.id !== id)
      return { fail: { kind: 'http', message: 'response id does not match request id' } }
    if (!('result' in body))
      return { fail: { kind: 'http', message: 'response has neither result nor error' } }
    if (body.result === null && NULL_IS_MISSING.has(method))
      return { fail: { kind: 'null', message: 'null result (node behind?)' } }
    return { ok: body.result }
  }

  const request = async (method: string, params: unknown[]): Promise<unknown> => {
    let attempts = 0
    let round = 0
    let lastFailure: Failure | undefined
    const rpcAnswers = new Map<EndpointState, Failure>()
    while (attempts < maxAttempts) {
      const tried = new Set<EndpointState>()
      let maxRetryAfter = 0
      for (let state = pick(tried); state && attempts < maxAttempts; state = pick(tried)) {
        tried.add(state)
        attempts++
        metrics?.inc('heistguard_rpc_requests_total', { endpoint: state.name })
        const result = await once(state, method, params)
        if ('ok' in result) {
          state.failures = 0
          return result.ok
        }
        const failure = result.fail
        lastFailure = failure
        state.failures++
        metrics?.inc('heistguard_rpc_errors_total', { endpoint: state.name, reason: failure.kind })
        if (failure.kind === 'rpc') {
          rpcAnswers.set(state, failure)
          if (DETERMINISTIC_CODES.has(failure.rpcCode ?? 0))
            throw new RpcResponseError(method, failure.rpcCode ?? 0, failure.message)
        } else {
          // Transport trouble: keep this endpoint out of rotation for a while, longer each time.
          const cool =
            failure.retryAfterMs ??
            Math.min(maxBackoffMs, backoffMs * 2 ** Math.min(state.failures, 10))
          state.coolUntil = Date.now() + cool
          if (failure.retryAfterMs) maxRetryAfter = Math.max(maxRetryAfter, failure.retryAfterMs)
        }
        log(redactSecrets(`rpc ${state.name} ${method}: ${failure.message}; failing over`))
        metrics?.inc('heistguard_rpc_failovers_total', { from: state.name })
      }
      // Every endpoint answered with a JSON-RPC error: that is the answer.
      if (rpcAnswers.size === states.length && lastFailure?.kind === 'rpc') {
        const first = rpcAnswers.values().next().value as Failure
        const notFound = [...rpcAnswers.values()].every((f) => METHOD_NOT_FOUND.has(f.rpcCode ?? 0))
        if (notFound || round >= 1)
          throw new RpcResponseError(method, first.rpcCode ?? 0, first.message)
      }
      if (attempts >= maxAttempts) break
      round++
      await sleep(Math.max(maxRetryAfter, Math.min(maxBackoffMs, backoffMs * 2 ** (round - 1))))
    }
    if (lastFailure?.kind === 'rpc')
      throw new RpcResponseError(method, lastFailure.rpcCode ?? 0, lastFailure.message)
    if (lastFailure?.kind === 'null') return null
    throw new BaseError(
      `${method}: every RPC endpoint failed after ${attempts} attempts (last: ${lastFailure?.message ?? 'none'})`,
      {
        code: 'RPC_UNAVAILABLE',
      },
    )
  }

  const batchSize = options.batchSize ?? 0
  if (batchSize <= 1) return { request, endpoints: states }

  type Queued = {
    method: string
    params: unknown[]
    resolve: (v: unknown) => void
    reject: (e: unknown) => void
  }
  let queue: Queued[] = []
  let scheduled = false
  const single = (item: Queued) => request(item.method, item.params).then(item.resolve, item.reject)
  const sendBatch = async (items: Queued[]) => {
    if (items.length === 1) return single(items[0]!)
    const state = pick(new Set())
    if (!state) return items.forEach(single)
    const ids = items.map(() => nextId++)
    let answers: Array<{ id?: number; result?: unknown; error?: unknown }> | undefined
    try {
      const response = await fetch(state.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(
          items.map((item, i) => ({
            jsonrpc: '2.0',
            id: ids[i],
            method: item.method,
            params: item.params,
          })),
        ),
        signal: AbortSignal.timeout(timeoutMs),
      })
      const body = response.ok ? await response.json() : undefined
      if (Array.isArray(body)) answers = body
    } catch {
      // Any trouble: every item goes the single-request way, which counts and fails over.
    }
    metrics?.inc('heistguard_rpc_batches_total', { endpoint: state.name })
    const byId = new Map((answers ?? []).map((a) => [a?.id, a]))
    items.forEach((item, i) => {
      const answer = byId.get(ids[i])
      const clean =
        answer &&
        !answer.error &&
        'result' in answer &&
        !(answer.result === null && NULL_IS_MISSING.has(item.method))
      if (clean) item.resolve(answer.result)
      else void single(item)
    })
  }
  const flush = () => {
    scheduled = false
    const items = queue
    queue = []
    for (let i = 0; i < items.length; i += batchSize) void sendBatch(items.slice(i, i + batchSize))
  }
  const batched = (method: string, params: unknown[]): Promise<unknown> =>
    new Promise((resolve, reject) => {
      queue.push({ method, params, resolve, reject })
      if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
    })
  return { request: batched, endpoints: states }
}

/** Retry-After is seconds or an HTTP date; capped at 60 s so a hostile header cannot stall us. */
function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined
  const seconds = Number(value)
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now()
  if (!Number.isFinite(ms) || ms < 0) return undefined
  return Math.min(ms, 60_000)
}
