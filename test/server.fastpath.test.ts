import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { buildExposureIndex } from '../src/screen/buildExposureIndex.js'
import { exposureInputFromReport } from '../src/screen/exposureInputFromReport.js'
import { createApp } from '../src/server/createApp.js'
import { openSqliteServerStore } from '../src/server/openSqliteServerStore.js'
import type { ServerStore } from '../src/server/ServerStore.js'
import { type RunningServer, startServer } from '../src/server/startServer.js'
import type { StateStore } from '../src/store/StateStore.js'
import { openSqliteStateStore } from '../src/store/sqlite/openSqliteStateStore.js'
import { FBI_LISTED, REPORT, SPLITTER_A, SPLITTER_B, X } from './screenFixture.js'

// GET /api/screen/:address is served by a node:http fast path in front of hono. These tests run
// two servers over the same index, one with the fast path and one without, and require the same
// status, body, headers and log line for every kind of request.

type Side = { running: RunningServer; logs: string[]; state: StateStore; server: ServerStore }
let fast: Side
let hono: Side

async function start(fastPath: boolean, readBurst = 1000): Promise<Side> {
  const state = openSqliteStateStore(':memory:')
  const server = openSqliteServerStore(':memory:')
  const logs: string[] = []
  const running = await startServer({
    port: 0,
    state,
    server,
    exposure: buildExposureIndex(exposureInputFromReport(REPORT, 'case.json')),
    logger: (line) => logs.push(line),
    fastPath,
    limits: { readBurst, readPerSecond: 0.001 },
  })
  return { running, logs, state, server }
}

async function stop(side: Side) {
  await side.running.stop()
  await side.state.close()
  await side.server.close()
}

/** Status, body and the headers that do not vary from one response to the next. */
async function answer(side: Side, path: string, method = 'GET') {
  const response = await fetch(`${side.running.url}${path}`, { method })
  const headers = Object.fromEntries(
    [...(response.headers as unknown as Iterable<[string, string]>)].filter(
      ([k]) => !['date', 'connection', 'keep-alive'].includes(k),
    ),
  )
  return { status: response.status, headers, body: await response.text() }
}

const lastLog = (side: Side) => side.logs.at(-1)?.replace(/ [0-9.]+ms/, ' <ms>ms')

beforeAll(async () => {
  fast = await start(true)
  hono = await start(false)
})
afterAll(async () => {
  await stop(fast)
  await stop(hono)
})

describe('GET /api/screen/:address, fast path vs hono', () => {
  const cases: [string, string][] = [
    ['a holder (severe)', `/api/screen/${SPLITTER_A}`],
    ['mixed case and lower case', `/api/screen/${SPLITTER_B.toLowerCase()}`],
    ['indirect exposure', `/api/screen/${X}`],
    ['an address the index never saw', `/api/screen/${FBI_LISTED}`],
    ['a query string is ignored', `/api/screen/${SPLITTER_A}?verbose=1`],
    ['malformed address', '/api/screen/0x1234'],
    ['not hex', `/api/screen/0x${'zz'.repeat(20)}`],
    ['a very long segment', `/api/screen/0x${'ab'.repeat(300)}`],
    ['an escaped segment (left to hono)', `/api/screen/%30x${'ab'.repeat(20)}`],
    ['no address', '/api/screen/'],
    ['a sub-path', `/api/screen/${SPLITTER_A}/more`],
  ]
  for (const [what, path] of cases)
    test(what, async () => {
      const a = await answer(fast, path)
      const b = await answer(hono, path)
      expect(a).toEqual(b)
      expect(lastLog(fast)).toBe(lastLog(hono))
    })

  test('the answers are the real ones (not two identical failures)', async () => {
    const hit = await answer(fast, `/api/screen/${SPLITTER_A}`)
    expect(hit.status).toBe(200)
    expect(hit.headers).toEqual({
      'cache-control': 'no-store',
      'content-type': 'application/json',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'content-length': String(Buffer.byteLength(hit.body)),
    })
    expect(JSON.parse(hit.body)).toMatchObject({ risk: 'severe', indexed: true })
    const bad = await answer(fast, '/api/screen/0x1234')
    expect(bad.status).toBe(400)
    expect(JSON.parse(bad.body)).toEqual({
      error: {
        code: 'INVALID_ADDRESS',
        message: 'not a 20-byte 0x address: "0x1234"',
        field: 'address',
      },
    })
    expect(lastLog(fast)).toBe('GET /api/screen/0x1234 400 <ms>ms')
  })

  test('HEAD is answered by hono on both', async () => {
    const a = await answer(fast, `/api/screen/${SPLITTER_A}`, 'HEAD')
    const b = await answer(hono, `/api/screen/${SPLITTER_A}`, 'HEAD')
    expect(a).toEqual(b)
    expect(a.status).toBe(200)
  })
})

describe('when the fast path is used', () => {
  test('with an index and no CORS; never with CORS on (hono owns CORS headers)', () => {
    const exposure = buildExposureIndex(exposureInputFromReport(REPORT, 'case.json'))
    const base = { state: fast.state, server: fast.server }
    expect(typeof createApp({ ...base, exposure }).fastPath).toBe('function')
    expect(createApp({ ...base, exposure, corsOrigins: ['https://a.example'] }).fastPath).toBe(null)
    expect(createApp({ ...base, exposure, fastPath: false }).fastPath).toBe(null)
    expect(createApp(base).fastPath).toBe(null)
  })
})

describe('rate limit', () => {
  test('the fast path and hono share one budget and answer 429 alike', async () => {
    const f = await start(true, 3)
    const h = await start(false, 3)
    try {
      // Two reads on the fast path, one through hono (health): the budget of 3 is spent.
      for (const side of [f, h]) {
        expect((await answer(side, `/api/screen/${SPLITTER_A}`)).status).toBe(200)
        expect((await answer(side, '/api/health')).status).toBe(200)
        expect((await answer(side, `/api/screen/${X}`)).status).toBe(200)
      }
      const a = await answer(f, `/api/screen/${SPLITTER_A}`)
      const b = await answer(h, `/api/screen/${SPLITTER_A}`)
      expect(a.status).toBe(429)
      expect(a).toEqual(b)
      expect(a.headers['retry-after']).toBe(b.headers['retry-after'])
      expect(JSON.parse(a.body).error.code).toBe('RATE_LIMITED')
      expect(lastLog(f)).toBe(lastLog(h))
      // hono routes see the budget the fast path spent, too.
      expect((await answer(f, '/api/health')).status).toBe(429)
    } finally {
      await stop(f)
      await stop(h)
    }
  })
})
