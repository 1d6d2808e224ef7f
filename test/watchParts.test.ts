import { createHmac } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createTcpServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { createFailoverRpcClient } from '../src/chain/createFailoverRpcClient.js'
import type { Alert } from '../src/store/StateStore.js'
import { openSqliteStateStore } from '../src/store/sqlite/openSqliteStateStore.js'
import { checkFrontend, hashFrontend } from '../src/watch/checkFrontend.js'
import { parseWatchConfig } from '../src/watch/config.js'
import { deliverOutbox } from '../src/watch/deliverOutbox.js'
import { createMetrics, renderMetrics, serveMetrics } from '../src/watch/metrics.js'
import { createEmailNotifier } from '../src/watch/notifiers/createEmailNotifier.js'
import { createResponseNotifier } from '../src/watch/notifiers/createResponseNotifier.js'
import { createSlackNotifier } from '../src/watch/notifiers/createSlackNotifier.js'
import { createStdoutNotifier } from '../src/watch/notifiers/createStdoutNotifier.js'
import { createWebhookNotifier } from '../src/watch/notifiers/createWebhookNotifier.js'
import { collectReceipts, createReceipt, verifyReceipt } from '../src/watch/receipts.js'

const servers: Array<{ close: () => unknown }> = []
afterEach(async () => {
  for (const s of servers.splice(0))
    await new Promise((r) => (s as Server).close?.(r) ?? r(undefined))
})

async function serve(
  handler: (req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<string> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    handler(req, Buffer.concat(chunks).toString('utf8'), res)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  servers.push(server)
  const address = server.address() as { port: number }
  return `http://127.0.0.1:${address.port}`
}

const alert: Alert = {
  id: '0xabc',
  chainId: 1,
  blockNumber: 21895238,
  blockHash: '0xbb',
  txHash: '0x46de',
  detector: 'safe-config',
  severity: 'critical',
  title: 'Safe 0x1db9: implementation changed',
  details: {},
  state: 'live',
  revision: 0,
  createdAt: 1,
}

describe('parseWatchConfig', () => {
  test('five lines watch a Safe; unquoted 0x addresses stay strings; defaults fill the rest', () => {
    const config = parseWatchConfig(
      `rpc: https://eth.example/v3/0123456789abcdef0123456789abcdef
safes:
  - 0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4
notify:
  webhook: https://hooks.example/heistguard
`,
      '/etc/hg/watch.yaml',
    )
    expect(config.safes).toEqual(['0x1db92e2eebc8e0c075a02bea49a2935bcd2dfcf4'])
    expect(config).toMatchObject({
      startBlock: 'latest',
      ringSize: 128,
      outflow: 'unapproved',
      pollIntervalMs: 1000,
      baseDir: '/etc/hg',
    })
    expect(config.delivery).toEqual({
      maxAttempts: 10,
      backoffMs: 1000,
      maxBackoffMs: 300_000,
      intervalMs: 200,
    })
  })
  test('errors name file:line and the key', () => {
    const text = `rpc: http://127.0.0.1:8545
safes:
  - 0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4
  - 0x1234
`
    expect(() => parseWatchConfig(text, 'w.yaml')).toThrow(
      'w.yaml:4: safes.1: expected a 0x-prefixed 20-byte address',
    )
    expect(() => parseWatchConfig('rpc: http://x\nsafes: [\n', 'w.yaml')).toThrow(
      /^w\.yaml:\d+: invalid YAML/,
    )
    expect(() => parseWatchConfig('rpc: http://x\nnotfy: {}\n', 'w.yaml')).toThrow(
      "w.yaml:1: (top level): Unrecognized key(s) in object: 'notfy'",
    )
    expect(() =>
      parseWatchConfig(
        'rpc: http://x\nnotify:\n  webhook: { url: "http://h", secret: "env:HG_NOPE" }\n',
        'w.yaml',
        {},
      ),
    ).toThrow('w.yaml: notify.webhook.secret: environment variable HG_NOPE is not set')
  })
})

describe('createFailoverRpcClient', () => {
  test('fails over on 429 (Retry-After), a JSON-RPC error inside 200 and 5xx; counts it; redacts keys', async () => {
    let calls = 0
    const limited = await serve((_req, _body, res) => {
      calls++
      res.writeHead(429, { 'retry-after': '0' }).end()
    })
    const erroring = await serve((_req, body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          jsonrpc: '2.0',
          id: JSON.parse(body).id,
          error: { code: -32000, message: 'header not found' },
        }),
      )
    })
    const good = await serve((_req, body, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', id: JSON.parse(body).id, result: '0x10' }))
    })
    const metrics = createMetrics()
    const logs: string[] = []
    // Weighted choice is forced to the failing endpoints first.
    const client = createFailoverRpcClient(
      [
        { url: `${limited}/v3/0123456789abcdef0123456789abcdef`, weight: 100 },
        { url: `${erroring}/?apikey=SECRET`, weight: 10 },
        { url: good, weight: 1 },
      ],
      { metrics, log: (l) => logs.push(l), random: () => 0, backoffMs: 1 },
    )
    expect(await client.request('eth_blockNumber', [])).toBe('0x10')
    expect(calls).toBe(1)
    expect(
      metrics.get('heistguard_rpc_errors_total', { endpoint: 'rpc-0', reason: 'rate-limit' }),
    ).toBe(1)
    expect(metrics.get('heistguard_rpc_errors_total', { endpoint: 'rpc-1', reason: 'rpc' })).toBe(1)
    expect(metrics.get('heistguard_rpc_failovers_total', { from: 'rpc-0' })).toBe(1)
    expect(logs.join('\n')).not.toMatch(/SECRET|0123456789abcdef/)
  })
  test('batching: one HTTP request per tick; an item with an error is re-sent alone', async () => {
    const bodies: unknown[] = []
    const url = await serve((_req, body, res) => {
      const parsed = JSON.parse(body)
      bodies.push(parsed)
      const answer = (r: { id: number; method: string; params: unknown[] }) =>
        r.method === 'eth_flaky' && Array.isArray(parsed)
          ? { jsonrpc: '2.0', id: r.id, error: { code: -32000, message: 'busy' } }
          : { jsonrpc: '2.0', id: r.id, result: `${r.method}:${JSON.stringify(r.params)}` }
      res
        .writeHead(200)
        .end(JSON.stringify(Array.isArray(parsed) ? parsed.map(answer) : answer(parsed)))
    })
    const client = createFailoverRpcClient([{ url }], { batchSize: 10 })
    const results = await Promise.all([
      client.request('eth_a', [1]),
      client.request('eth_flaky', [2]),
      client.request('eth_b', [3]),
    ])
    expect(results).toEqual(['eth_a:[1]', 'eth_flaky:[2]', 'eth_b:[3]'])
    expect(
      bodies.map((b) =>
        Array.isArray(b) ? b.map((r) => r.method) : (b as { method: string }).method,
      ),
    ).toEqual([['eth_a', 'eth_flaky', 'eth_b'], 'eth_flaky'])
  })
  test('null blocks are retried elsewhere, never returned while another endpoint has the block', async () => {
    const behind = await serve((_req, body, res) => {
      res
        .writeHead(200)
        .end(JSON.stringify({ jsonrpc: '2.0', id: JSON.parse(body).id, result: null }))
    })
    const ahead = await serve((_req, body, res) => {
      res
        .writeHead(200)
        .end(JSON.stringify({ jsonrpc: '2.0', id: JSON.parse(body).id, result: { number: '0x5' } }))
    })
    const client = createFailoverRpcClient([{ url: behind, weight: 100 }, { url: ahead }], {
      random: () => 0,
      backoffMs: 1,
    })
    expect(await client.request('eth_getBlockByNumber', ['0x5', false])).toEqual({ number: '0x5' })
  })
  test('a deterministic JSON-RPC error is the answer; an unreachable set of endpoints is a redacted error', async () => {
    const reverting = await serve((_req, body, res) => {
      res.writeHead(200).end(
        JSON.stringify({
          jsonrpc: '2.0',
          id: JSON.parse(body).id,
          error: { code: 3, message: 'execution reverted' },
        }),
      )
    })
    await expect(
      createFailoverRpcClient([{ url: reverting }]).request('eth_call', []),
    ).rejects.toThrow('eth_call failed: execution reverted (JSON-RPC code 3)')
    const dead = createFailoverRpcClient([{ url: 'http://user:pass@127.0.0.1:1/' }], {
      maxAttempts: 2,
      backoffMs: 1,
    })
    const error = await dead.request('eth_blockNumber', []).catch((e: Error) => e)
    expect((error as Error).message).toMatch(
      /^eth_blockNumber: every RPC endpoint failed after 2 attempts/,
    )
    expect((error as Error).message).not.toContain('pass')
  })
})

describe('receipts', () => {
  // Hardhat's first test account (public test mnemonic): never holds real funds.
  const key = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' as const
  const fields = {
    safeTxHash: '0xb3476d061aeb8fc1d605a873c483a2402d88a68a9cdd1a8b47655dd55ba004f8',
    verdict: 'block' as const,
    summary: 'DELEGATECALL 0x9622…7242 transfer(0xbDd0…9516, 0)',
    verifierVersion: '0.1.0',
    time: '2025-02-21T14:00:00Z',
  }
  test('EIP-191 receipts verify, tampering is detected', async () => {
    const receipt = await createReceipt(fields, { privateKey: key })
    expect(receipt.signer).toBe('0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266')
    expect(await verifyReceipt(receipt)).toEqual({ ok: true, receipt })
    expect(await verifyReceipt({ ...receipt, verdict: 'pass' })).toEqual({
      ok: false,
      reason: 'signature does not match signer',
    })
  })
  test('HMAC receipts need the key; collected from a directory and over HTTP', async () => {
    const receipt = await createReceipt(fields, { hmacKey: 'k1', keyId: 'ops' })
    expect(receipt.signer).toBe('hmac:ops')
    expect(await verifyReceipt(receipt)).toEqual({ ok: false, reason: 'no HMAC key for ops' })
    expect((await verifyReceipt(receipt, { hmacKeys: { ops: 'k1' } })).ok).toBe(true)
    expect(await verifyReceipt(receipt, { hmacKeys: { ops: 'k2' } })).toEqual({
      ok: false,
      reason: 'HMAC does not match',
    })
    const signed = await createReceipt(fields, { privateKey: key })
    const dir = mkdtempSync(join(tmpdir(), 'hg-receipts-'))
    writeFileSync(join(dir, 'a.json'), JSON.stringify([receipt, signed]))
    writeFileSync(join(dir, 'b.json'), '{not json')
    const fromDir = await collectReceipts(dir, { hmacKeys: { ops: 'k1' } })
    expect(fromDir.receipts.map((r) => r.signer)).toEqual(['hmac:ops', signed.signer])
    expect(fromDir.rejected).toEqual([
      `${join(dir, 'b.json')}: not a heistguard-receipt/v1 document`,
    ])
    const url = await serve((_req, _body, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(signed)),
    )
    expect((await collectReceipts(url)).receipts).toEqual([signed])
    await expect(
      createReceipt({ ...fields, safeTxHash: '0x12' }, { privateKey: key }),
    ).rejects.toThrow('safeTxHash: safeTxHash must be 32 bytes of hex')
  })
})

describe('notifiers and the outbox', () => {
  test('webhook: HMAC-SHA256 signature of the body and the message id as Idempotency-Key', async () => {
    const seen: Array<{ headers: IncomingMessage['headers']; body: string }> = []
    const url = await serve((req, body, res) => {
      seen.push({ headers: req.headers, body })
      res.writeHead(204).end()
    })
    await createWebhookNotifier({ url, secret: 's3cret' }).send({
      messageId: '0xabc:r1',
      kind: 'retraction',
      alert,
    })
    const [{ headers, body }] = seen as [{ headers: IncomingMessage['headers']; body: string }]
    expect(headers['idempotency-key']).toBe('0xabc:r1')
    expect(headers['x-heistguard-signature']).toBe(
      `sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`,
    )
    expect(JSON.parse(body)).toEqual({
      id: '0xabc:r1',
      kind: 'retraction',
      alertId: '0xabc',
      alert,
    })
  })
  test('slack and stdout formats', async () => {
    const bodies: string[] = []
    const url = await serve((_req, body, res) => {
      bodies.push(body)
      res.writeHead(200).end('ok')
    })
    await createSlackNotifier({ url }).send({ messageId: '0xabc', kind: 'alert', alert })
    expect(JSON.parse(bodies[0]!)).toEqual({
      text: ':rotating_light: heistguard [critical] Safe 0x1db9: implementation changed (chain 1, block 21895238, tx 0x46de)\nid: 0xabc',
    })
    let out = ''
    await createStdoutNotifier({ write: (c: string) => (out += c) }).send({
      messageId: '0xabc',
      kind: 'alert',
      alert,
    })
    expect(out).toBe(`${JSON.stringify({ id: '0xabc', kind: 'alert', alertId: '0xabc', alert })}\n`)
  })
  test('email over SMTP to a local server', async () => {
    const transcript: string[] = []
    const smtp = createTcpServer((socket) => {
      let data = false
      socket.write('220 localhost ESMTP test\r\n')
      let buffer = ''
      socket.on('data', (chunk) => {
        buffer += chunk.toString('utf8')
        let i = buffer.indexOf('\r\n')
        while (i >= 0) {
          const line = buffer.slice(0, i)
          buffer = buffer.slice(i + 2)
          transcript.push(line)
          if (data) {
            if (line === '.') {
              data = false
              socket.write('250 OK queued\r\n')
            }
          } else if (/^(EHLO|HELO)/i.test(line)) socket.write('250-localhost\r\n250 8BITMIME\r\n')
          else if (/^DATA/i.test(line)) {
            data = true
            socket.write('354 go ahead\r\n')
          } else if (/^QUIT/i.test(line)) socket.end('221 bye\r\n')
          else socket.write('250 OK\r\n')
          i = buffer.indexOf('\r\n')
        }
      })
    })
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r))
    servers.push(smtp)
    const port = (smtp.address() as { port: number }).port
    await createEmailNotifier({
      host: '127.0.0.1',
      port,
      ignoreTLS: true,
      from: 'hg@example.org',
      to: ['soc@example.org'],
    }).send({ messageId: '0xabc', kind: 'alert', alert })
    expect(transcript).toContain('MAIL FROM:<hg@example.org>')
    expect(transcript).toContain('RCPT TO:<soc@example.org>')
    expect(transcript.filter((l) => /heistguard-id/i.test(l))).toEqual(['X-Heistguard-ID: 0xabc']) // nodemailer normalises the case
    expect(transcript.find((l) => l.startsWith('Subject:'))).toMatch(
      /^Subject: heistguard: \[critical\] Safe 0x1db9: implementation changed/,
    )
  })
  test('retries with exponential backoff, dead-letters after N failures, reports it, keeps it', async () => {
    const store = openSqliteStateStore(':memory:')
    await store.putAlerts([alert], ['flaky'])
    let now = 1000
    let attempts = 0
    const flaky = {
      name: 'flaky',
      send: async () => {
        attempts++
        throw new Error('HTTP 503 from http://user:pw@hooks.example/x')
      },
    }
    const metrics = createMetrics()
    const logs: string[] = []
    const options = {
      maxAttempts: 3,
      backoffMs: 100,
      maxBackoffMs: 1000,
      now: () => now,
      metrics,
      log: (l: string) => logs.push(l),
    }
    await deliverOutbox(store, { flaky }, options)
    expect((await store.listMessages())[0]).toMatchObject({
      state: 'pending',
      attempts: 1,
      nextAttemptAt: 1100,
    })
    await deliverOutbox(store, { flaky }, options) // not due yet
    expect(attempts).toBe(1)
    now = 1100
    await deliverOutbox(store, { flaky }, options)
    expect((await store.listMessages())[0]).toMatchObject({
      state: 'pending',
      attempts: 2,
      nextAttemptAt: 1300,
    })
    now = 1300
    await deliverOutbox(store, { flaky }, options)
    expect((await store.listMessages())[0]).toMatchObject({ state: 'dead', attempts: 3 })
    expect(metrics.get('heistguard_dead_letters_total', { notifier: 'flaky' })).toBe(1)
    expect(logs.at(-1)).toBe(
      'dead letter: alert 0xabc to flaky after 3 attempts: HTTP 503 from http://***@hooks.example/x',
    )
    await store.close()
  })
  test('response hooks: dry-run prints, live mode POSTs once per alert of its detector', async () => {
    const logs: string[] = []
    const client = { request: async () => '0xhash' }
    const dry = createResponseNotifier(
      client,
      { detector: 'safe-config', url: 'http://127.0.0.1:1/freeze', rawTransaction: '0x02f8b0' },
      { dryRun: true, log: (l) => logs.push(l) },
    )
    await dry.send({ messageId: '0xabc', kind: 'alert', alert })
    expect(logs).toEqual([
      'dry-run: would POST alert 0xabc to http://127.0.0.1:1/freeze',
      'dry-run: would broadcast pre-signed transaction 0x02f8b0… (eth_sendRawTransaction) for alert 0xabc',
    ])
    const posted: string[] = []
    const url = await serve((req, _body, res) => {
      posted.push(String(req.headers['idempotency-key']))
      res.writeHead(200).end()
    })
    const live = createResponseNotifier(
      client,
      { detector: 'safe-config', url },
      { dryRun: false, log: () => {} },
    )
    await live.send({ messageId: '0xabc', kind: 'alert', alert })
    await live.send({ messageId: '0xabc:r1', kind: 'retraction', alert })
    await live.send({ messageId: '0xdef', kind: 'alert', alert: { ...alert, detector: 'outflow' } })
    expect(posted).toEqual(['0xabc'])
  })
})

describe('frontend integrity', () => {
  test('alerts when a script of the signing app changes, not before', async () => {
    let script = 'console.log("safe ui")'
    const base = await serve((req, _body, res) => {
      if (req.url === '/')
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end('<html><script src="/_next/app.js"></script></html>')
      else if (req.url === '/_next/app.js') res.writeHead(200).end(script)
      else res.writeHead(404).end()
    })
    const pinned = Object.fromEntries(
      (await hashFrontend([`${base}/`])).map((r) => [r.url, r.sha256!]),
    )
    expect(Object.keys(pinned)).toEqual([`${base}/`, `${base}/_next/app.js`])
    expect(
      await checkFrontend({ urls: [`${base}/`], manifest: pinned, chainId: 1, now: 5 }),
    ).toEqual([])
    script = 'console.log("safe ui"); if (to === bybit) swapToDelegatecall()'
    const alerts = await checkFrontend({ urls: [`${base}/`], manifest: pinned, chainId: 1, now: 5 })
    expect(alerts.map((a) => [a.detector, a.severity, a.title])).toEqual([
      ['frontend', 'critical', `signing web app resource ${base}/_next/app.js changed`],
    ])
    expect(alerts[0]!.details.expected).toBe(pinned[`${base}/_next/app.js`])
  })
})

describe('metrics', () => {
  test('Prometheus text on 127.0.0.1', async () => {
    const metrics = createMetrics()
    metrics.inc('heistguard_rpc_errors_total', { endpoint: 'rpc-0', reason: 'timeout' }, 2)
    metrics.set('heistguard_blocks_behind_head', { chain: '1' }, 3)
    metrics.observe('heistguard_delivery_latency_seconds', 0.02, { notifier: 'webhook' })
    const { url, close } = await serveMetrics(metrics)
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/)
    const text = await (await fetch(url)).text()
    await close()
    expect(text).toBe(renderMetrics(metrics))
    expect(text).toContain('heistguard_rpc_errors_total{endpoint="rpc-0",reason="timeout"} 2')
    expect(text).toContain('heistguard_blocks_behind_head{chain="1"} 3')
    expect(text).toContain(
      'heistguard_delivery_latency_seconds_bucket{notifier="webhook",le="0.025"} 1',
    )
  })
})
