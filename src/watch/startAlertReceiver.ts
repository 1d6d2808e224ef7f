import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { Socket } from 'node:net'

export type ReceivedMessage = {
  key: string
  kind: 'alert' | 'retraction' | 'restoration'
  alertId: string
  revision: number
  blockNumber: number
  blockHash: string
  detector: string
  signatureOk: boolean
}

export type AlertReceiver = {
  url: string
  /** Every POST accepted, duplicates included, in arrival order. */
  received: ReceivedMessage[]
  /** Deduplicated by Idempotency-Key, as a careful receiver stores them. */
  byKey: Map<string, ReceivedMessage>
  /** Alert ids whose latest revision (after dedupe) is an alert or a restoration. */
  liveAlertIds(): Set<string>
  setBehaviour(next: Partial<AlertReceiverBehaviour>): void
  close(): Promise<void>
}

export type AlertReceiverBehaviour = {
  delayMs: number
  /** Probability of answering 500 without recording. */
  failRate: number
  /** Probability of recording, then dropping the connection before answering (forces a re-send). */
  dropAfterRecordRate: number
  random: () => number
}

/**
 * A webhook receiver for tests and demos on 127.0.0.1: checks the HMAC signature, dedupes by
 * Idempotency-Key, and can be slow or flaky on purpose.
 *
 * @example
 * const receiver = await startAlertReceiver({ secret: 's3cret' })
 */
export async function startAlertReceiver(
  options: { secret?: string } & Partial<AlertReceiverBehaviour> = {},
): Promise<AlertReceiver> {
  let behaviour: AlertReceiverBehaviour = {
    delayMs: options.delayMs ?? 0,
    failRate: options.failRate ?? 0,
    dropAfterRecordRate: options.dropAfterRecordRate ?? 0,
    random: options.random ?? Math.random,
  }
  const received: ReceivedMessage[] = []
  const byKey = new Map<string, ReceivedMessage>()
  const sockets = new Set<Socket>()
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    if (behaviour.random() < behaviour.failRate) {
      response.writeHead(500).end()
      return
    }
    let signatureOk = !options.secret
    if (options.secret) {
      const expected = Buffer.from(
        `sha256=${createHmac('sha256', options.secret).update(body).digest('hex')}`,
      )
      const given = Buffer.from(String(request.headers['x-heistguard-signature'] ?? ''))
      signatureOk = expected.length === given.length && timingSafeEqual(expected, given)
    }
    const parsed = JSON.parse(body) as {
      id: string
      kind: ReceivedMessage['kind']
      alert: {
        id: string
        revision: number
        blockNumber: number
        blockHash: string
        detector: string
      }
    }
    const key = String(request.headers['idempotency-key'])
    const message: ReceivedMessage = {
      key,
      kind: parsed.kind,
      alertId: parsed.alert.id,
      revision: parsed.alert.revision,
      blockNumber: parsed.alert.blockNumber,
      blockHash: parsed.alert.blockHash,
      detector: parsed.alert.detector,
      signatureOk,
    }
    received.push(message)
    if (!byKey.has(key)) byKey.set(key, message)
    // Slow after recording, like a receiver that stores then processes: a sender that dies
    // during this wait has delivered without knowing it, and must re-send.
    if (behaviour.delayMs) await new Promise((r) => setTimeout(r, behaviour.delayMs))
    if (behaviour.random() < behaviour.dropAfterRecordRate) {
      request.socket.destroy()
      return
    }
    response.writeHead(signatureOk ? 200 : 401).end()
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    byKey,
    liveAlertIds() {
      const latest = new Map<string, ReceivedMessage>()
      for (const m of byKey.values()) {
        const seen = latest.get(m.alertId)
        if (!seen || m.revision > seen.revision) latest.set(m.alertId, m)
      }
      return new Set(
        [...latest.values()].filter((m) => m.kind !== 'retraction').map((m) => m.alertId),
      )
    },
    setBehaviour(next) {
      behaviour = { ...behaviour, ...next }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
