import { createRequire } from 'node:module'
import { redactSecrets } from '../core/BaseError.js'

const requireCjs = createRequire(import.meta.url)

type WsSocket = {
  on(event: 'open' | 'close', fn: () => void): void
  on(event: 'message', fn: (data: unknown) => void): void
  on(event: 'error', fn: (error: Error) => void): void
  send(data: string): void
  close(): void
  terminate(): void
}

export type NewHeads = {
  /** Resolves on the next announced head, after `ms`, or on abort, whichever comes first. */
  wait(ms: number, signal?: AbortSignal): Promise<void>
  close(): void
}

/**
 * Subscribes to `newHeads` over WebSocket (eth_subscribe) and turns each announcement into a
 * wake-up for the follower. The heads themselves are not trusted: the follower still fetches
 * and checks every block, so a dropped subscription costs latency (it falls back to polling and
 * reconnects), never a block.
 *
 * @example
 * const heads = followNewHeads('ws://127.0.0.1:8545', { log })
 * await followChain(client, store, { ...options, waitForHead: heads.wait })
 */
export function followNewHeads(
  url: string,
  options: { log?: (line: string) => void } = {},
): NewHeads {
  const WebSocketImpl = requireCjs('ws') as new (url: string) => WsSocket
  const waiters = new Set<() => void>()
  let closed = false
  let socket: WsSocket | undefined
  let retryMs = 500
  // A head announced while the follower was busy (not waiting) must not be lost: remember it,
  // so the next wait returns at once instead of sleeping a full poll interval.
  let pending = false
  const wake = () => {
    if (waiters.size === 0) pending = true
    for (const resolve of [...waiters]) resolve()
  }
  const connect = () => {
    if (closed) return
    const ws = new WebSocketImpl(url)
    socket = ws
    ws.on('open', () => {
      retryMs = 500
      ws.send(
        JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] }),
      )
    })
    ws.on('message', (data) => {
      try {
        const message = JSON.parse(String(data)) as { method?: string }
        if (message.method === 'eth_subscription') wake()
      } catch {}
    })
    ws.on('error', (error) => options.log?.(redactSecrets(`newHeads ${url}: ${error.message}`)))
    ws.on('close', () => {
      if (closed) return
      setTimeout(connect, retryMs).unref()
      retryMs = Math.min(retryMs * 2, 30_000)
    })
  }
  connect()
  return {
    wait(ms, signal) {
      return new Promise<void>((resolve) => {
        if (signal?.aborted || pending) {
          pending = false
          return resolve()
        }
        const done = () => {
          clearTimeout(timer)
          waiters.delete(done)
          signal?.removeEventListener('abort', done)
          resolve()
        }
        const timer = setTimeout(done, ms)
        waiters.add(done)
        signal?.addEventListener('abort', done, { once: true })
      })
    },
    close() {
      closed = true
      wake()
      socket?.terminate()
    },
  }
}
