import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { buildExposureIndex } from '../src/screen/buildExposureIndex.js'
import { exposureInputFromReport } from '../src/screen/exposureInputFromReport.js'
import { createApiToken } from '../src/server/apiTokens.js'
import { createApp } from '../src/server/createApp.js'
import { createTraceRunner } from '../src/server/createTraceRunner.js'
import { createVerifier } from '../src/server/createVerifier.js'
import { openApiDocument } from '../src/server/openapi.js'
import { openSqliteServerStore } from '../src/server/openSqliteServerStore.js'
import type { ServerStore } from '../src/server/ServerStore.js'
import { startServer } from '../src/server/startServer.js'
import { CONTENT_SECURITY_POLICY, loadWebAssets } from '../src/server/webAssets.js'
import { createDuckDbTransferStore } from '../src/store/duckdb/createDuckDbTransferStore.js'
import type { StateStore } from '../src/store/StateStore.js'
import { openSqliteStateStore } from '../src/store/sqlite/openSqliteStateStore.js'
import bybit from '../web/src/examples/bybit.json' with { type: 'json' }
import { smallCase } from './browser/traceCaseFixture.js'
import { REPORT, SPLITTER_A, X } from './screenFixture.js'

const HASH = `0x${'ab'.repeat(32)}`
const ADDR = `0x${'12'.repeat(20)}`

let state: StateStore
let server: ServerStore
let token: string
let logs: string[]

beforeEach(async () => {
  state = openSqliteStateStore(':memory:')
  server = openSqliteServerStore(':memory:')
  token = (await createApiToken(server, 'test', 1)).token
  logs = []
})
afterEach(async () => {
  await state.close()
  await server.close()
})

function build(extra: Partial<Parameters<typeof createApp>[0]> = {}) {
  return createApp({
    state,
    server,
    exposure: buildExposureIndex(exposureInputFromReport(REPORT, 'case.json')),
    runTrace: async (request) => ({ ...REPORT, request }),
    logger: (line) => logs.push(line),
    now: () => 1_700_000_000_000,
    ...extra,
  })
}

const json = (body: unknown, auth?: string): RequestInit => ({
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    ...(auth ? { authorization: `Bearer ${auth}` } : {}),
  },
  body: typeof body === 'string' ? body : JSON.stringify(body),
})

const alertBody = {
  chainId: 1,
  blockNumber: 21895238,
  blockHash: HASH,
  txHash: HASH,
  detector: 'safe-implementation-changed',
  severity: 'critical',
  title: 'Safe slot 0 changed',
  details: { safe: ADDR },
}
const intentBody = {
  id: 'hot-refill',
  chainId: 1,
  from: ADDR,
  to: X,
  token: null,
  maxAmount: '1000',
  validFrom: 1,
  validUntil: 2,
}
const receiptBody = {
  safeTxHash: HASH,
  signer: ADDR,
  verdict: 'block',
  time: 1,
  document: { v: 1 },
}

/** Every write endpoint with a valid body and a body that is wrong in one field. */
const WRITES: {
  name: string
  method: string
  path: string
  good: unknown
  bad: unknown
  field: string
  setup?: () => Promise<void>
}[] = [
  {
    name: 'create alert',
    method: 'POST',
    path: '/api/alerts',
    good: alertBody,
    bad: { ...alertBody, blockHash: '0x12' },
    field: 'blockHash',
  },
  {
    name: 'ack alert',
    method: 'POST',
    path: '/api/alerts/a1/ack',
    good: { note: 'seen' },
    bad: { note: 5 },
    field: 'note',
    setup: async () => {
      await state.putAlerts(
        [{ ...alertBody, id: 'a1', state: 'live', revision: 0, createdAt: 1 } as never],
        [],
      )
    },
  },
  {
    name: 'create intent',
    method: 'POST',
    path: '/api/intents',
    good: intentBody,
    bad: { ...intentBody, maxAmmount: '1' },
    field: 'maxAmmount',
  },
  {
    name: 'update intent',
    method: 'PATCH',
    path: '/api/intents/i1',
    good: { state: 'used' },
    bad: { state: 'gone' },
    field: 'state',
    setup: async () => {
      await state.putIntent({ ...intentBody, id: 'i1', state: 'open' })
    },
  },
  {
    name: 'create receipt',
    method: 'POST',
    path: '/api/receipts',
    good: receiptBody,
    bad: { ...receiptBody, verdict: 'ok' },
    field: 'verdict',
  },
  {
    name: 'run trace case',
    method: 'POST',
    path: '/api/trace/cases',
    good: { id: 'c1', request: { heist: 'bybit' } },
    bad: { request: 'x' },
    field: 'request',
  },
]

describe('write endpoints: auth, size, bad input', () => {
  for (const w of WRITES) {
    test(`${w.name}: 401 without or with a wrong token, 2xx with a good one`, async () => {
      await w.setup?.()
      const { app } = build()
      const none = await app.request(w.path, { ...json(w.good), method: w.method })
      expect(none.status).toBe(401)
      expect(none.headers.get('www-authenticate')).toBe('Bearer')
      expect(await none.json()).toEqual({
        error: {
          code: 'UNAUTHORIZED',
          message:
            'this endpoint needs Authorization: Bearer <token> (heistguard serve token create)',
          field: 'Authorization',
        },
      })
      const forged = `${token.slice(0, -4)}AAAA`
      const wrong = await app.request(w.path, { ...json(w.good, forged), method: w.method })
      expect(wrong.status).toBe(401)
      expect((await wrong.json()).error.message).toBe('invalid bearer token')
      const good = await app.request(w.path, { ...json(w.good, token), method: w.method })
      expect([200, 201]).toContain(good.status)
      // The token never reaches a response or a log line; its public id may.
      expect(JSON.stringify(await good.json())).not.toContain(token.slice(16))
      expect(logs.join('\n')).not.toContain(token.slice(16))
      expect(logs.at(-1)).toMatch(
        new RegExp(`^${w.method} ${w.path} 20[01] [0-9.]+ms token=${token.slice(3, 15)}$`),
      )
    })

    test(`${w.name}: 413 over the body limit`, async () => {
      await w.setup?.()
      const { app } = build({ limits: { bodyBytes: 1000 } })
      const big = JSON.stringify({ ...(w.good as object), padding: 'x'.repeat(2000) })
      const r = await app.request(w.path, { ...json(big, token), method: w.method })
      expect(r.status).toBe(413)
      expect(await r.json()).toEqual({
        error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body is larger than 1000 bytes' },
      })
    })

    test(`${w.name}: 400 naming the field, 400 on bad JSON, 415 on the wrong type`, async () => {
      await w.setup?.()
      const { app } = build()
      const bad = await app.request(w.path, { ...json(w.bad, token), method: w.method })
      expect(bad.status).toBe(400)
      const body = await bad.json()
      expect(body.error.code).toBe('INVALID_INPUT')
      expect(body.error.field).toBe(w.field)
      expect(body.error.message).not.toContain('\n')
      const broken = await app.request(w.path, { ...json('{"a":\n1,', token), method: w.method })
      expect(broken.status).toBe(400)
      expect(await broken.json()).toEqual({
        error: { code: 'INVALID_JSON', message: 'request body is not valid JSON', field: 'body:2' },
      })
      const text = await app.request(w.path, {
        method: w.method,
        headers: { 'content-type': 'text/plain', authorization: `Bearer ${token}` },
        body: JSON.stringify(w.good),
      })
      expect(text.status).toBe(415)
    })
  }

  test('DELETE intent needs a token too', async () => {
    await state.putIntent({ ...intentBody, id: 'i2', state: 'open' })
    const { app } = build()
    expect((await app.request('/api/intents/i2', { method: 'DELETE' })).status).toBe(401)
    const r = await app.request('/api/intents/i2', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(await r.json()).toMatchObject({ id: 'i2', state: 'cancelled' })
  })

  test('specific messages for common mistakes', async () => {
    const { app } = build()
    const r = await app.request('/api/intents', json({ ...intentBody, validUntil: 0 }, token))
    expect(await r.json()).toEqual({
      error: { code: 'INVALID_INPUT', message: 'must be after validFrom', field: 'validUntil' },
    })
    const u = await app.request('/api/intents', json({ ...intentBody, maxAmmount: '1' }, token))
    expect(await u.json()).toEqual({
      error: { code: 'INVALID_INPUT', message: 'unknown field "maxAmmount"', field: 'maxAmmount' },
    })
  })
})

describe('rate limit', () => {
  test('429 with Retry-After once the bucket is empty; writes have their own bucket', async () => {
    let t = 0
    const { app } = build({
      limits: { readBurst: 3, readPerSecond: 1, writeBurst: 1, writePerSecond: 1 },
      now: () => t,
    })
    for (let i = 0; i < 3; i++) expect((await app.request('/api/health')).status).toBe(200)
    const limited = await app.request('/api/health')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('1')
    expect((await limited.json()).error.code).toBe('RATE_LIMITED')
    expect((await app.request('/api/intents', json(intentBody, token))).status).toBe(201)
    expect(
      (await app.request('/api/intents', json({ ...intentBody, id: 'b' }, token))).status,
    ).toBe(429)
    t = 1000
    expect((await app.request('/api/health')).status).toBe(200)
    expect(
      (await app.request('/api/intents', json({ ...intentBody, id: 'b' }, token))).status,
    ).toBe(201)
  })
})

describe('alerts', () => {
  test('create, list with filters, acknowledge (first ack wins)', async () => {
    const { app } = build()
    const created = await (
      await app.request('/api/alerts', json({ ...alertBody, id: 'x1' }, token))
    ).json()
    expect(created).toMatchObject({
      id: 'x1',
      state: 'live',
      revision: 0,
      ack: null,
      createdAt: 1_700_000_000_000,
    })
    expect(
      (await (await app.request('/api/alerts?acked=false')).json()).alerts.map(
        (a: { id: string }) => a.id,
      ),
    ).toEqual(['x1'])
    expect((await (await app.request('/api/alerts?severity=low')).json()).alerts).toEqual([])
    const acked = await (
      await app.request('/api/alerts/x1/ack', json({ note: 'on it' }, token))
    ).json()
    expect(acked.ack).toEqual({
      alertId: 'x1',
      by: token.slice(3, 15),
      at: 1_700_000_000_000,
      note: 'on it',
    })
    const again = await (
      await app.request('/api/alerts/x1/ack', json({ note: 'later' }, token))
    ).json()
    expect(again.ack.note).toBe('on it')
    expect((await (await app.request('/api/alerts?acked=true')).json()).alerts).toHaveLength(1)
    expect((await app.request('/api/alerts/nope/ack', json({}, token))).status).toBe(404)
    expect((await (await app.request('/api/alerts?limit=0')).json()).error.field).toBe('limit')
  })

  test('SSE: an alert posted through the API and one written straight into the store both arrive', async () => {
    const { app, close } = build({ alertPollMs: 50 })
    const res = await app.request('/api/alerts/stream')
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let text = ''
    const until = async (needle: string) => {
      while (!text.includes(needle)) text += decoder.decode((await reader.read()).value)
    }
    await until('event: ready')
    // Let the poller prime with the (empty) store before anything is written.
    await new Promise((r) => setTimeout(r, 120))
    await app.request('/api/alerts', json({ ...alertBody, id: 'via-api' }, token))
    await until('"id":"via-api"')
    await state.putAlerts(
      [{ ...alertBody, id: 'via-store', state: 'live', revision: 0, createdAt: 2 } as never],
      [],
    )
    await until('"id":"via-store"')
    expect(text).toContain('event: alert')
    await reader.cancel()
    close()
  })
})

describe('intents, receipts, trace cases, screen', () => {
  test('intents CRUD', async () => {
    const { app } = build()
    expect((await app.request('/api/intents', json(intentBody, token))).status).toBe(201)
    expect((await app.request('/api/intents', json(intentBody, token))).status).toBe(409)
    expect(await (await app.request('/api/intents/hot-refill')).json()).toMatchObject({
      state: 'open',
      maxAmount: '1000',
    })
    await app.request('/api/intents/hot-refill', {
      ...json({ state: 'used' }, token),
      method: 'PATCH',
    })
    expect((await (await app.request('/api/intents')).json()).intents[0].state).toBe('used')
    expect((await app.request('/api/intents/missing')).status).toBe(404)
  })

  test('receipts: upsert by signer, list by safeTxHash', async () => {
    const { app } = build()
    await app.request('/api/receipts', json(receiptBody, token))
    await app.request('/api/receipts', json({ ...receiptBody, verdict: 'warn' }, token))
    expect((await (await app.request(`/api/receipts/${HASH}`)).json()).receipts).toEqual([
      { ...receiptBody, verdict: 'warn' },
    ])
    expect((await (await app.request('/api/receipts/0x12')).json()).error.field).toBe('safeTxHash')
  })

  test('trace cases run through the configured runner and are stored; 501 without one', async () => {
    const { app } = build()
    const made = await (
      await app.request('/api/trace/cases', json({ id: 'c9', request: { heist: 'bybit' } }, token))
    ).json()
    expect(made).toMatchObject({ id: 'c9', request: { heist: 'bybit' } })
    expect((await (await app.request('/api/trace/cases/c9')).json()).report.holders).toHaveLength(2)
    expect((await (await app.request('/api/trace/cases')).json()).ids).toEqual(['c9'])
    // The HTML case report (trace's reportToHtml) is a download; a non-report case is a clear 422.
    await state.putCase('real', { id: 'real', report: smallCase() })
    const html = await app.request('/api/trace/cases/real/report.html')
    expect(html.status).toBe(200)
    expect(html.headers.get('content-disposition')).toBe('attachment; filename="case-real.html"')
    expect(await html.text()).toContain('THORChain router')
    expect((await app.request('/api/trace/cases/nope/report.html')).status).toBe(404)
    const { app: bare } = createApp({ state, server })
    expect((await bare.request('/api/trace/cases', json({ request: {} }, token))).status).toBe(501)
  })

  test('trace cases run over the DuckDB transfer store (empty here: its error comes back); label paths cannot leave the labels dir', async () => {
    const transfers = await createDuckDbTransferStore(':memory:')
    try {
      const { app } = build({ runTrace: createTraceRunner(transfers, { labelsDir: tmpdir() }) })
      const request = { heists: [{ id: 'bybit', thefts: [HASH] }] }
      const made = await app.request('/api/trace/cases', json({ id: 'empty', request }, token))
      // The request reached traceCase, which refuses an empty store with its own coded error.
      expect(made.status).toBe(400)
      expect((await made.json()).error.code).toBe('STORE_EMPTY')
      expect((await app.request('/api/trace/cases/empty')).status).toBe(404)
      const outside = await app.request(
        '/api/trace/cases',
        json({ request: { ...request, labels: ['../../etc/passwd'] } }, token),
      )
      expect(outside.status).toBe(400)
      expect((await outside.json()).error).toEqual({
        code: 'INVALID_INPUT',
        message: "label files must be relative paths inside the server's labels directory",
        field: 'request.labels.0',
      })
      const bad = await app.request('/api/trace/cases', json({ request: { heists: [] } }, token))
      expect(bad.status).toBe(400)
    } finally {
      await transfers.close()
    }
  })

  test('screen one and many, with the CLI error format', async () => {
    const { app } = build()
    expect(await (await app.request(`/api/screen/${SPLITTER_A}`)).json()).toMatchObject({
      risk: 'severe',
      indexed: true,
    })
    const many = await (
      await app.request('/api/screen', json({ addresses: [SPLITTER_A, X, ADDR] }))
    ).json()
    expect(many.results.map((r: { risk: string }) => r.risk)).toEqual(['severe', 'medium', 'none'])
    const bad = await app.request('/api/screen', json({ addresses: [X, 'nope'] }))
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({
      error: {
        code: 'INVALID_ADDRESS',
        message: 'not a 20-byte 0x address: "nope"',
        field: 'addresses.1',
      },
    })
    expect((await app.request('/api/screen/0x12')).status).toBe(400)
    const tooMany = await app.request('/api/screen', json({ addresses: Array(10_001).fill(X) }))
    expect((await tooMany.json()).error).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'addresses',
    })
  })

  test('verify: the Bybit SafeTx (public facts) is blocked for its delegatecall, hashes as published', async () => {
    const { app } = build({ verify: createVerifier() })
    const r = await app.request('/api/verify', json(bybit))
    expect(r.status).toBe(200)
    const verdict = await r.json()
    expect(verdict.verdict).toBe('block')
    expect(verdict.hashes.safeTxHash).toBe(
      '0xb3476d061aeb8fc1d605a873c483a2402d88a68a9cdd1a8b47655dd55ba004f8',
    )
    expect(verdict.tx.nonce).toBe('71')
    expect(verdict.findings.map((f: { rule: string }) => f.rule)).toContain(
      'delegatecall-not-allowlisted',
    )
    expect(verdict.signatures.map((s: { signer: string }) => s.signer)).toEqual([
      '0x1F4EB0a903619ac168b19A82F1a6e2e426522211',
      '0x3Cc3A225769900e003E264dd4CB43E90896BC21A',
      '0xe3dF2cCEAc61B1aFA311372ecC5B40A3A6585a9E',
    ])
    // A Transaction Service page of one result works too; bad fields are named.
    const page = await app.request(
      '/api/verify',
      json({ results: [bybit], chainId: 1, version: '1.1.1' }),
    )
    expect((await page.json()).verdict).toBe('block')
    const bad = await app.request('/api/verify', json({ ...bybit, operation: 2 }))
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({
      error: {
        code: 'INVALID_INPUT',
        message: 'expected 0 (CALL) or 1 (DELEGATECALL)',
        field: 'operation',
      },
    })
    const checksum = await app.request(
      '/api/verify',
      json({ ...bybit, to: '0x96221423681a6d52E184D440a8eFCEbB105C7242' }),
    )
    expect((await checksum.json()).error).toEqual({
      code: 'INVALID_ADDRESS',
      message: 'mixed-case address with a wrong EIP-55 checksum',
      field: 'to',
    })
    const version = await app.request('/api/verify', json({ ...bybit, version: '9.9.9' }))
    expect((await version.json()).error.field).toBe('version')
  })

  test('verify is 503 when the server has no verifier, and passes the body through when it does', async () => {
    const { app } = build()
    expect((await app.request('/api/verify', json({}))).status).toBe(503)
    const { app: withVerify } = build({
      verify: (body) => ({ verdict: 'pass', echo: body, n: 10n ** 20n }),
    })
    expect(await (await withVerify.request('/api/verify', json({ a: 1 }))).json()).toEqual({
      verdict: 'pass',
      echo: { a: 1 },
      n: '100000000000000000000',
    })
  })
})

describe('UI, CORS, OpenAPI', () => {
  test('UI files carry the CSP; client routes fall back to index.html; API 404s are JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-web-'))
    mkdirSync(join(dir, 'assets'))
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><script type="module" src="/assets/a.js"></script>',
    )
    writeFileSync(join(dir, 'assets', 'a.js'), 'console.log(1)')
    const { app } = build({ web: loadWebAssets(dir)! })
    for (const path of ['/', '/alerts', '/assets/a.js']) {
      const r = await app.request(path)
      expect(r.status).toBe(200)
      expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    }
    expect((await app.request('/')).headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect((await app.request('/assets/missing.js')).status).toBe(404)
    expect(await (await app.request('/api/nothing')).json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'no route GET /api/nothing' },
    })
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'")
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline')
  })

  test('CORS is off by default and on only for listed origins', async () => {
    const { app } = build()
    const r = await app.request('/api/health', { headers: { origin: 'https://evil.example' } })
    expect(r.headers.get('access-control-allow-origin')).toBeNull()
    const { app: withCors } = build({ corsOrigins: ['https://ops.example'] })
    const ok = await withCors.request('/api/health', { headers: { origin: 'https://ops.example' } })
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://ops.example')
  })

  test('/openapi.json documents every API route of the app', async () => {
    const { app } = build()
    const doc = await (await app.request('/openapi.json')).json()
    expect(doc.openapi).toBe('3.1.0')
    const documented = new Set(
      Object.entries(openApiDocument.paths).flatMap(([p, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
      ),
    )
    const routes = app.routes
      .filter((r) => r.path.startsWith('/api/') && r.method !== 'ALL')
      .map((r) => `${r.method} ${r.path}`)
    expect(routes.filter((r) => !documented.has(r))).toEqual([])
  })
})

describe('startServer', () => {
  test('listens on 127.0.0.1 with an ephemeral port and stops', async () => {
    const running = await startServer({ port: 0, state, server })
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(await (await fetch(`${running.url}/api/health`)).json()).toMatchObject({
      ok: true,
      state: 'sqlite',
    })
    await running.stop()
  })
})
