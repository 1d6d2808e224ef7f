import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

/** What the proxy does to one request. `pass` forwards it untouched. */
export type Fault =
  | 'pass'
  | 'timeout'
  | 'rate-limit'
  | 'http-500'
  | 'rpc-error'
  | 'drop'
  | 'null-result'
  | 'stale-head'

export type FaultProxy = {
  url: string
  /** Requests seen, by fault applied. */
  counts: Record<Fault, number>
  /** Replaces the fault policy at run time. */
  setPolicy(policy: (method: string, index: number) => Fault): void
  close(): Promise<void>
}

/**
 * A real HTTP JSON-RPC proxy for reliability tests: sits between a client and an upstream node
 * and injects faults chosen per request by `policy(method, index)`: hangs (timeout), 429 with
 * Retry-After, 500, a JSON-RPC error inside HTTP 200, a dropped connection, a null result for
 * block and receipt queries, or a stale (lower) head from eth_blockNumber.
 *
 * @example
 * const proxy = await startFaultProxy(devnet.url, () => 'pass')
 */
export async function startFaultProxy(
  upstream: string,
  initialPolicy: (method: string, index: number) => Fault,
): Promise<FaultProxy> {
  let policy = initialPolicy
  let index = 0
  let maxHead = 0
  const counts: Record<Fault, number> = {
    pass: 0,
    timeout: 0,
    'rate-limit': 0,
    'http-500': 0,
    'rpc-error': 0,
    drop: 0,
    'null-result': 0,
    'stale-head': 0,
  }
  const sockets = new Set<Socket>()
  const hanging = new Set<ServerResponse>()

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    let parsed: { id?: unknown; method?: string }
    try {
      parsed = JSON.parse(body)
    } catch {
      response.writeHead(400).end()
      return
    }
    const method = String(parsed.method)
    let fault = policy(method, index++)
    if (
      fault === 'null-result' &&
      !/^eth_get(BlockBy|BlockReceipts|TransactionReceipt)/.test(method)
    )
      fault = 'pass'
    if (fault === 'stale-head' && (method !== 'eth_blockNumber' || maxHead < 2)) fault = 'pass'
    counts[fault]++
    switch (fault) {
      case 'timeout':
        // Never answer; the client's timeout must fire. Closed when the proxy closes.
        hanging.add(response)
        return
      case 'rate-limit':
        response.writeHead(429, { 'retry-after': '0' }).end('rate limited')
        return
      case 'http-500':
        response.writeHead(500).end('internal error')
        return
      case 'drop':
        request.socket.destroy()
        return
      case 'rpc-error':
        respond(response, {
          jsonrpc: '2.0',
          id: parsed.id,
          error: { code: -32000, message: 'header not found' },
        })
        return
      case 'null-result':
        respond(response, { jsonrpc: '2.0', id: parsed.id, result: null })
        return
      case 'stale-head':
        respond(response, {
          jsonrpc: '2.0',
          id: parsed.id,
          result: `0x${(maxHead - 1).toString(16)}`,
        })
        return
      default: {
        const upstreamResponse = await fetch(upstream, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        })
        const text = await upstreamResponse.text()
        if (method === 'eth_blockNumber') {
          try {
            maxHead = Math.max(maxHead, Number(JSON.parse(text).result))
          } catch {}
        }
        response
          .writeHead(upstreamResponse.status, { 'content-type': 'application/json' })
          .end(text)
      }
    }
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(502).end()
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    setPolicy(next) {
      policy = next
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy()
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

function respond(response: ServerResponse, body: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}
