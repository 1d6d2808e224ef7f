import { InputError, redactSecrets } from '../core/BaseError.js'
import { type RpcClient, type RpcErrorCode, RpcRequestError } from './RpcClient.js'

export type CreateHttpRpcClientOptions = {
  /** Upper bound for each call, from sending the request to the last byte of the answer. Default 10,000. */
  timeoutMs?: number
  /** Extra HTTP headers (e.g. an API key header). Never printed. */
  headers?: Record<string, string>
}

const DEFAULT_TIMEOUT_MS = 10_000

/**
 * A JSON-RPC client over HTTP(S) with a timeout on every call. Errors are `RpcRequestError`s
 * with a stable code and a message that names the endpoint only by scheme, host and port: RPC
 * URLs often carry an API key in their path or query, and that must never reach a log.
 *
 * @example
 * const client = createHttpRpcClient('http://127.0.0.1:8545', { timeoutMs: 5_000 })
 * await client.request('eth_chainId', []) // '0x7a69'
 */
export function createHttpRpcClient(
  url: string,
  options: CreateHttpRpcClientOptions = {},
): RpcClient {
  const endpoint = parseRpcUrl(url)
  const where = describeRpcUrl(endpoint)
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new InputError(`timeout must be a positive number of milliseconds, got ${timeoutMs}`, {
      code: 'INVALID_TIMEOUT',
      field: 'timeoutMs',
    })
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers }
  // fetch refuses URLs with credentials; send them as HTTP basic auth, as curl and viem do.
  if (endpoint.username !== '' || endpoint.password !== '') {
    const user = decodeURIComponent(endpoint.username)
    const password = decodeURIComponent(endpoint.password)
    headers['authorization'] = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
    endpoint.username = ''
    endpoint.password = ''
  }
  let nextId = 1

  return {
    async request(method, params) {
      const id = nextId++
      const fail = (
        code: RpcErrorCode,
        message: string,
        extra: { cause?: unknown; rpcCode?: number; status?: number; details?: string } = {},
      ) => new RpcRequestError(`${method} to ${where}: ${message}`, { code, method, ...extra })

      const signal = AbortSignal.timeout(timeoutMs)
      let text: string
      let status: number
      try {
        // The signal also covers reading the body: a server that sends headers and then stalls
        // is cut off at the same deadline.
        const response = await fetch(endpoint, {
          method: 'POST',
          headers,
          body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
          signal,
        })
        status = response.status
        text = await response.text()
      } catch (error) {
        if (signal.aborted) throw fail('RPC_TIMEOUT', `no answer within ${timeoutMs} ms`)
        // No `cause`: undici's errors quote the full URL, API key included.
        throw fail('RPC_UNREACHABLE', `cannot connect (${networkReason(error)})`)
      }
      if (status < 200 || status > 299)
        throw fail('RPC_HTTP_ERROR', `HTTP ${status}`, {
          status,
          details: redactSecrets(text.slice(0, 200)),
        })
      let body: unknown
      try {
        body = JSON.parse(text)
      } catch {
        throw fail('RPC_BAD_RESPONSE', `the answer is not JSON (${text.length} bytes)`)
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw fail('RPC_BAD_RESPONSE', 'the answer is not a JSON-RPC response object')
      const answer = body as { result?: unknown; error?: { code?: unknown; message?: unknown } }
      if (answer.error !== undefined && answer.error !== null) {
        const rpcCode = typeof answer.error.code === 'number' ? answer.error.code : undefined
        const message =
          typeof answer.error.message === 'string' ? answer.error.message : 'unknown error'
        throw fail(
          'RPC_ERROR',
          `${redactSecrets(message.slice(0, 300))} (code ${rpcCode ?? '?'})`,
          {
            ...(rpcCode === undefined ? {} : { rpcCode }),
          },
        )
      }
      if (!('result' in answer))
        throw fail('RPC_BAD_RESPONSE', 'the answer has neither result nor error')
      return answer.result
    },
  }
}

function parseRpcUrl(url: string): URL {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new InputError('not a valid URL', { code: 'INVALID_RPC_URL', field: '--rpc' })
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new InputError(`expected an http:// or https:// URL, got ${parsed.protocol}//`, {
      code: 'INVALID_RPC_URL',
      field: '--rpc',
    })
  return parsed
}

/**
 * `https://host:port/…`: the path and query are left out because providers put API keys there
 * in forms no pattern can recognise (base62 keys, JWTs).
 *
 * @example
 * describeRpcUrl(new URL('https://user:pw@eth.example/v2/KEY?x=1')) // 'https://eth.example/…'
 */
export function describeRpcUrl(url: URL): string {
  const rest = url.pathname !== '/' || url.search !== '' ? '/…' : ''
  return redactSecrets(`${url.protocol}//${url.host}${rest}`)
}

/**
 * `ECONNREFUSED`, `ENOTFOUND`…: undici hides the socket error one or two causes deep. Only the
 * code is used: fetch's messages quote the whole URL, API key included.
 */
function networkReason(error: unknown): string {
  let current: unknown = error
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && /^[A-Z_0-9]+$/.test(code)) return code
    current = (current as { cause?: unknown }).cause
  }
  return 'network error'
}
