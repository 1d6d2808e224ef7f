import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { main } from '../src/cli/main.js'
import { buildExposureIndex } from '../src/screen/buildExposureIndex.js'
import { exposureInputFromReport } from '../src/screen/exposureInputFromReport.js'
import { createApiToken } from '../src/server/apiTokens.js'
import { createApp } from '../src/server/createApp.js'
import { createTraceRunner } from '../src/server/createTraceRunner.js'
import { openSqliteServerStore } from '../src/server/openSqliteServerStore.js'
import type { ServerStore } from '../src/server/ServerStore.js'
import { startServer } from '../src/server/startServer.js'
import { createDuckDbTransferStore } from '../src/store/duckdb/createDuckDbTransferStore.js'
import type { StateStore } from '../src/store/StateStore.js'
import { openSqliteStateStore } from '../src/store/sqlite/openSqliteStateStore.js'
import type { TransferStore } from '../src/store/TransferStore.js'
import type { TransferRecord } from '../src/trace/TransferRecord.js'
import { REPORT } from './screenFixture.js'

// Issue 6: the screening index is "materialised from trace results and labels, kept current by
// the live tripwire". A trace case run through the API must change screening answers at once,
// and blocks the watcher follows must move the case's taint on into the index.

// Addresses from shared/data/bybit/bybit_eth_addresses.tsv (victim Safe, exploiter, two splitters);
// the exchange deposit wallet, amounts and hashes are made up.
const VICTIM = '0x1db92e2eebc8e0c075a02bea49a2935bcd2dfcf4'
const EXPLOITER = '0x47666fab8bd0ac7003bce3f5c3585383f09486e2'
const SPLITTER_A = '0x36ed3c0213565530c35115d93a80f9c04d94e4cb'
const SPLITTER_B = '0xaf620e6d32b1c67f3396ef5d2f7d7642dc2e6ce9'
const EXCHANGE = `0x${'e1'.repeat(20)}`
const FRESH = `0x${'f1'.repeat(20)}`
const E18 = 10n ** 18n
const tx = (n: number) => `0x${n.toString(16).padStart(64, '0')}`
const THEFT = tx(1)

function transfer(
  block: number,
  n: number,
  from: string,
  to: string,
  eth: bigint,
  chainId = 1,
): TransferRecord {
  return {
    chainId,
    block,
    txIndex: 0,
    txHash: tx(n),
    kind: 'native',
    ordinal: 0,
    from,
    to,
    token: 'ETH',
    amount: eth * E18,
  }
}

const CASE_TRANSFERS = [
  transfer(1, 1, VICTIM, EXPLOITER, 100n),
  transfer(2, 2, EXPLOITER, SPLITTER_A, 60n),
  transfer(2, 3, EXPLOITER, SPLITTER_B, 40n),
  transfer(3, 4, SPLITTER_B, EXCHANGE, 40n),
]

let state: StateStore
let server: ServerStore
let transfers: TransferStore
let token: string
let labelsDir: string
const logs: string[] = []

beforeEach(async () => {
  state = openSqliteStateStore(':memory:')
  server = openSqliteServerStore(':memory:')
  token = (await createApiToken(server, 'test', 1)).token
  transfers = await createDuckDbTransferStore(':memory:')
  await transfers.migrate()
  await transfers.importRecords({ transfers: CASE_TRANSFERS, transactions: [] })
  labelsDir = mkdtempSync(join(tmpdir(), 'hg-tripwire-labels-'))
  writeFileSync(join(labelsDir, 'labels.csv'), `address,category,name\n${EXCHANGE},exchange,OKX\n`)
})
afterEach(async () => {
  await transfers.close()
  await state.close()
  await server.close()
})

const CASE = { heists: [{ id: 'bybit', thefts: [THEFT] }], labels: ['labels.csv'] }

function post(body: unknown): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  }
}

describe('trace cases run through the API feed screening', () => {
  test('holders, exits and exit senders screen as exposed as soon as the case finishes', async () => {
    const { app } = createApp({
      state,
      server,
      runTrace: createTraceRunner(transfers, { labelsDir }),
      logger: (line) => logs.push(line),
    })
    // With a trace runner the server screens from the start, from an empty index.
    const before = await (await app.request(`/api/screen/${SPLITTER_A}`)).json()
    expect(before).toMatchObject({ risk: 'none', indexed: false, reasons: [] })

    const run = await app.request('/api/trace/cases', post({ id: 'c1', request: CASE }))
    expect(run.status).toBe(201)

    const holder = await (await app.request(`/api/screen/${SPLITTER_A}`)).json()
    expect(holder).toMatchObject({ risk: 'severe', indexed: true })
    expect(holder.reasons).toEqual(['holds 60 ETH of bybit-tainted funds (100% of its balance)'])
    expect(holder.direct).toEqual([
      {
        heist: 'bybit',
        token: 'eth',
        holds: (60n * E18).toString(),
        received: (60n * E18).toString(),
        share: 1,
        role: 'holder',
      },
    ])
    const exchange = await (await app.request(`/api/screen/${EXCHANGE}`)).json()
    expect(exchange.reasons).toEqual([
      'received 40 ETH of bybit-tainted funds as an exit (a bridge, exchange or mixer took them in)',
    ])
    // The splitter that paid the exchange passed stolen funds on.
    const sender = await (await app.request(`/api/screen/${SPLITTER_B}`)).json()
    expect(sender).toMatchObject({ risk: 'high' })
    expect(sender.reasons).toEqual(['received 40 ETH of bybit-tainted funds and passed them on'])
    // The batch endpoint and health see the same index.
    const many = await (
      await app.request('/api/screen', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ addresses: [SPLITTER_A, FRESH] }),
      })
    ).json()
    expect(many.results.map((r: { risk: string }) => r.risk)).toEqual(['severe', 'none'])
    expect((await (await app.request('/api/health')).json()).screen).toEqual({
      addresses: 3,
      source: 'trace cases',
    })

    // Running the case again states the same totals: nothing is counted twice.
    expect((await app.request('/api/trace/cases', post({ id: 'c1', request: CASE }))).status).toBe(
      201,
    )
    const again = await (await app.request(`/api/screen/${SPLITTER_A}`)).json()
    expect(again.direct).toEqual(holder.direct)
    expect(again.reasons).toEqual(holder.reasons)
  })

  test('a case about an address the --index file knows restates it (ETH and native are one token)', async () => {
    // The fixture index file says SPLITTER_A holds 10,000 ETH (token "native"); the case run
    // through the API (token "ETH", as trace reports spell it) says 60 ETH now.
    const { app } = createApp({
      state,
      server,
      exposure: buildExposureIndex(exposureInputFromReport(REPORT, 'case.json')),
      runTrace: createTraceRunner(transfers, { labelsDir }),
    })
    const before = await (await app.request(`/api/screen/${SPLITTER_A}`)).json()
    expect(before.reasons).toEqual([
      'holds 10,000 ETH of bybit-tainted funds (100% of its balance)',
    ])
    await app.request('/api/trace/cases', post({ id: 'c1', request: CASE }))
    const after = await (await app.request(`/api/screen/${SPLITTER_A}`)).json()
    expect(after.reasons).toEqual(['holds 60 ETH of bybit-tainted funds (100% of its balance)'])
    expect(after.direct).toHaveLength(1)
  })

  test('a restarted server screens the cases stored before it started', async () => {
    const first = createApp({
      state,
      server,
      runTrace: createTraceRunner(transfers, { labelsDir }),
    })
    await first.app.request('/api/trace/cases', post({ id: 'c1', request: CASE }))
    const running = await startServer({
      port: 0,
      state,
      server,
      runTrace: createTraceRunner(transfers, { labelsDir }),
    })
    try {
      const r = await (await fetch(`${running.url}/api/screen/${SPLITTER_A}`)).json()
      expect(r).toMatchObject({ risk: 'severe', indexed: true })
      expect(running.tripwire?.cases()).toEqual(['c1'])
    } finally {
      await running.stop()
    }
  })

  test("the tripwire moves a case's taint on block by block into the index", async () => {
    const built = createApp({
      state,
      server,
      runTrace: createTraceRunner(transfers, { labelsDir }),
    })
    await built.app.request('/api/trace/cases', post({ id: 'c1', request: CASE }))
    // Block 4: the splitter pays 15 ETH to a fresh wallet and 5 ETH into the exchange.
    const updated = built.tripwire!.applyBlock([
      transfer(4, 5, SPLITTER_A, FRESH, 15n),
      { ...transfer(4, 6, SPLITTER_A, EXCHANGE, 5n), txIndex: 1 },
    ])
    expect(updated).toContain(FRESH)
    const fresh = await (await built.app.request(`/api/screen/${FRESH}`)).json()
    expect(fresh).toMatchObject({ risk: 'severe', indexed: true })
    expect(fresh.reasons).toEqual([
      'holds 15 ETH of bybit-tainted funds (100% of its balance), seen live by the tripwire',
    ])
    // The exchange's exit entry grows by the new deposit (40 from the case + 5 live).
    const exchange = await (await built.app.request(`/api/screen/${EXCHANGE}`)).json()
    expect(exchange.direct).toEqual([
      expect.objectContaining({ role: 'exit', received: (45n * E18).toString() }),
    ])
    // Block 5: the fresh wallet sends it all on; it no longer holds, but received.
    built.tripwire!.applyBlock([transfer(5, 7, FRESH, `0x${'f2'.repeat(20)}`, 15n)])
    const after = await (await built.app.request(`/api/screen/${FRESH}`)).json()
    expect(after).toMatchObject({ risk: 'high' })
    expect(after.reasons).toEqual([
      'received 15 ETH of bybit-tainted funds, seen live by the tripwire',
    ])
    const next = await (await built.app.request(`/api/screen/0x${'f2'.repeat(20)}`)).json()
    expect(next.risk).toBe('severe')
  })
})

describe('heistguard serve --watch: the live tripwire on a real chain', () => {
  test('a transfer from a case holder on the devnet makes the recipient screen as exposed', async () => {
    const { startDevnet } = await import('../src/devnet/startDevnet.js')
    const devnet = await startDevnet({ port: 0 })
    const controller = new AbortController()
    const out = { stdout: '', stderr: '' }
    try {
      const dir = mkdtempSync(join(tmpdir(), 'hg-serve-tripwire-'))
      const chainId = Number(await devnet.request('eth_chainId', []))
      const holder = devnet.accounts[1]!.address.toLowerCase()
      const recipient = `0x${'f3'.repeat(20)}`
      // The case: 100 ETH stolen from the victim reached the devnet account (data in DuckDB).
      const store = await createDuckDbTransferStore(join(dir, 'transfers.duckdb'))
      await store.migrate()
      await store.importRecords({
        transfers: [
          transfer(1, 1, VICTIM, EXPLOITER, 100n, chainId),
          transfer(2, 2, EXPLOITER, holder, 100n, chainId),
        ],
        transactions: [],
      })
      await store.close()
      writeFileSync(
        join(dir, 'watch.yaml'),
        `rpc: ${devnet.url}\npollIntervalMs: 100\naddresses:\n  - ${holder}\n`,
      )
      const run = (argv: string[], signal?: AbortSignal) =>
        main({
          argv,
          stdout: { write: (s: string) => (out.stdout += s) },
          stderr: { write: (s: string) => (out.stderr += s) },
          env: {},
          cwd: dir,
          signal: signal ?? new AbortController().signal,
        })
      expect(await run(['serve', 'token', 'create', '--state', 'state.db'])).toBe(0)
      const apiToken = out.stdout.trim()
      out.stdout = ''
      const done = run(
        [
          'serve',
          '--port',
          '0',
          '--state',
          'state.db',
          '--watch',
          'watch.yaml',
          '--transfers',
          'transfers.duckdb',
        ],
        controller.signal,
      )
      while (!out.stdout.includes('\n')) {
        if (out.stderr.includes('heistguard:')) throw new Error(out.stderr)
        await new Promise((r) => setTimeout(r, 20))
      }
      const url = out.stdout.trim()
      const made = await fetch(`${url}/api/trace/cases`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiToken}` },
        body: JSON.stringify({
          id: 'devnet',
          request: { heists: [{ id: 'bybit', thefts: [THEFT] }] },
        }),
      })
      expect(made.status).toBe(201)
      expect((await (await fetch(`${url}/api/screen/${holder}`)).json()).risk).toBe('severe')
      expect((await (await fetch(`${url}/api/screen/${recipient}`)).json()).risk).toBe('none')

      // Let the watcher take its first checkpoint, then move 30 ETH on the real chain.
      await new Promise((r) => setTimeout(r, 1500))
      await devnet.request('eth_sendTransaction', [
        { from: holder, to: recipient, value: `0x${(30n * E18).toString(16)}` },
      ])
      let answer: { risk: string; reasons: string[] } = { risk: 'none', reasons: [] }
      for (let i = 0; i < 300 && answer.risk === 'none'; i++) {
        await new Promise((r) => setTimeout(r, 50))
        answer = await (await fetch(`${url}/api/screen/${recipient}`)).json()
      }
      expect(answer.risk).toBe('severe')
      // Haircut on the tracked balance (the 100 ETH of the case, less the gas it paid): 30 ETH.
      expect(answer.reasons).toEqual([
        'holds 30 ETH of bybit-tainted funds (100% of its balance), seen live by the tripwire',
      ])
      controller.abort()
      expect(await done).toBe(0)
    } finally {
      controller.abort()
      await devnet.stop()
    }
  })
})
