import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { InputError } from '../core/BaseError.js'
import { type Devnet, startDevnet } from '../devnet/startDevnet.js'
import { createHttpRpcClient, describeRpcUrl } from './createHttpRpcClient.js'
import { isMethodUnsupported, RpcRequestError } from './RpcClient.js'

type Listening = { url: string; close(): Promise<void> }

async function listen(server: Server | TcpServer, sockets: Set<Socket>): Promise<Listening> {
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** An HTTP server answering every request with a fixed status and body. */
function httpAnswering(status: number, body: string): Promise<Listening> {
  const server = createHttpServer((_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' })
    response.end(body)
  })
  return listen(server, new Set())
}

/** Accepts TCP connections and never writes a byte: a blackholed endpoint. */
function blackhole(): Promise<Listening> {
  return listen(
    createTcpServer(() => {}),
    new Set(),
  )
}

async function rejectionOf(promise: Promise<unknown>): Promise<RpcRequestError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof RpcRequestError) return error
    throw error
  }
  throw new Error('expected the call to fail')
}

describe('createHttpRpcClient', () => {
  let devnet: Devnet
  beforeAll(async () => {
    devnet = await startDevnet({ chainId: 31337 })
  })
  afterAll(async () => {
    await devnet?.stop()
  })

  test('returns results from a real node', async () => {
    const client = createHttpRpcClient(devnet.url, { timeoutMs: 5_000 })
    expect(await client.request('eth_chainId', [])).toBe('0x7a69')
    const balance = await client.request('eth_getBalance', [devnet.accounts[0]!.address, 'latest'])
    expect(BigInt(balance as string)).toBe(10_000n * 10n ** 18n)
  })

  test('a JSON-RPC error from a real node keeps its code', async () => {
    const client = createHttpRpcClient(devnet.url, { timeoutMs: 5_000 })
    const error = await rejectionOf(client.request('eth_noSuchMethod', []))
    expect(error.code).toBe('RPC_ERROR')
    // hardhat answers -32004 "Method … is not supported"; geth answers -32601.
    expect(error.rpcCode).toBe(-32004)
    expect(error.method).toBe('eth_noSuchMethod')
    expect(isMethodUnsupported(error)).toBe(true)
    expect(error.toLine()).toMatch(
      /^eth_noSuchMethod to http:\/\/127\.0\.0\.1:\d+: .* \(code -32004\)$/,
    )
  })

  test('an unreachable URL fails with RPC_UNREACHABLE', async () => {
    const closed = await httpAnswering(200, '{}')
    await closed.close()
    const client = createHttpRpcClient(closed.url, { timeoutMs: 5_000 })
    const error = await rejectionOf(client.request('eth_chainId', []))
    expect(error.code).toBe('RPC_UNREACHABLE')
    expect(error.toLine()).toBe(`eth_chainId to ${closed.url}: cannot connect (ECONNREFUSED)`)
  })

  test('a blackholed endpoint fails with RPC_TIMEOUT instead of hanging', async () => {
    const hole = await blackhole()
    try {
      const client = createHttpRpcClient(hole.url, { timeoutMs: 300 })
      const error = await rejectionOf(
        client.request('eth_getCode', ['0x' + '11'.repeat(20), 'latest']),
      )
      expect(error.code).toBe('RPC_TIMEOUT')
      expect(error.toLine()).toBe(`eth_getCode to ${hole.url}: no answer within 300 ms`)
    } finally {
      await hole.close()
    }
  })

  test('HTTP errors, non-JSON and non-JSON-RPC answers have their own codes', async () => {
    const forbidden = await httpAnswering(403, '{"message":"bad key"}')
    const html = await httpAnswering(200, '<html>gateway</html>')
    const empty = await httpAnswering(200, '{"jsonrpc":"2.0","id":1}')
    try {
      const e403 = await rejectionOf(createHttpRpcClient(forbidden.url).request('eth_chainId', []))
      expect([e403.code, e403.status]).toEqual(['RPC_HTTP_ERROR', 403])
      const eHtml = await rejectionOf(createHttpRpcClient(html.url).request('eth_chainId', []))
      expect(eHtml.code).toBe('RPC_BAD_RESPONSE')
      const eEmpty = await rejectionOf(createHttpRpcClient(empty.url).request('eth_chainId', []))
      expect(eEmpty.toLine()).toBe(
        `eth_chainId to ${empty.url}: the answer has neither result nor error`,
      )
    } finally {
      await Promise.all([forbidden.close(), html.close(), empty.close()])
    }
  })

  test('credentials and API keys in the URL never reach the error text', async () => {
    const closed = await httpAnswering(200, '{}')
    await closed.close()
    const port = new URL(closed.url).port
    const secretUrl = `http://alice:s3cret@127.0.0.1:${port}/v2/AbCdEfGhIjKlMnOp123?apikey=zzz`
    const error = await rejectionOf(createHttpRpcClient(secretUrl).request('eth_chainId', []))
    expect(error.toLine()).toBe(
      `eth_chainId to http://127.0.0.1:${port}/…: cannot connect (ECONNREFUSED)`,
    )
    expect(JSON.stringify({ m: error.message, d: error.details })).not.toMatch(/s3cret|AbCdEf|zzz/)
  })

  test('a URL that is not http(s) is an InputError naming --rpc', () => {
    expect(() => createHttpRpcClient('ftp://example.org')).toThrow(InputError)
    expect(() => createHttpRpcClient('not a url')).toThrow('--rpc: not a valid URL')
  })

  test('describeRpcUrl keeps only scheme, host and port', () => {
    expect(describeRpcUrl(new URL('https://eth-mainnet.g.alchemy.com/v2/KEY'))).toBe(
      'https://eth-mainnet.g.alchemy.com/…',
    )
    expect(describeRpcUrl(new URL('http://127.0.0.1:8545'))).toBe('http://127.0.0.1:8545')
  })
})
