import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { buildExposureIndex } from '../../src/screen/buildExposureIndex.js'
import { exposureInputFromReport } from '../../src/screen/exposureInputFromReport.js'
import { createApiToken } from '../../src/server/apiTokens.js'
import { createVerifier } from '../../src/server/createVerifier.js'
import { openSqliteServerStore } from '../../src/server/openSqliteServerStore.js'
import type { ServerStore } from '../../src/server/ServerStore.js'
import { type RunningServer, startServer } from '../../src/server/startServer.js'
import { loadWebAssets } from '../../src/server/webAssets.js'
import type { StateStore } from '../../src/store/StateStore.js'
import { openSqliteStateStore } from '../../src/store/sqlite/openSqliteStateStore.js'
import { REPORT, SPLITTER_A, X } from '../screenFixture.js'
import { bigCase, smallCase } from './traceCaseFixture.js'

// Real UI in Debian's chromium against a real `serve` (in-process, loopback, ephemeral port).
const ROOT = resolve(import.meta.dirname, '../..')
const WEB = join(ROOT, 'web/dist')
const SHOTS = join(ROOT, 'test-output/screenshots')
const BYBIT = readFileSync(join(ROOT, 'web/src/examples/bybit.json'), 'utf8')
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]

let state: StateStore
let serverStore: ServerStore
let running: RunningServer
let context: BrowserContext
let token: string
let userDataDir: string
const consoleErrors: string[] = []

beforeAll(async () => {
  if (!existsSync(join(WEB, 'index.html')) || !existsSync(join(WEB, 'heistguard-verify.html')))
    execFileSync('npm', ['run', '--silent', 'build:web'], { cwd: ROOT, stdio: 'inherit' })
  execFileSync('bash', [join(ROOT, 'scripts/ensure-chromium.sh')], { stdio: 'inherit' })
  mkdirSync(SHOTS, { recursive: true })
  state = openSqliteStateStore(':memory:')
  serverStore = openSqliteServerStore(':memory:')
  token = (await createApiToken(serverStore, 'browser-test', Date.now())).token
  await state.putCase('bybit-demo', {
    id: 'bybit-demo',
    createdAt: 0,
    request: {},
    report: smallCase(),
  })
  await state.putCase('big', { id: 'big', createdAt: 0, request: {}, report: bigCase() })
  running = await startServer({
    port: 0,
    state,
    server: serverStore,
    exposure: buildExposureIndex(exposureInputFromReport(REPORT, 'case.json')),
    verify: createVerifier(),
    web: loadWebAssets(WEB),
    alertPollMs: 200,
  })
  userDataDir = mkdtempSync(join(tmpdir(), 'hg-chromium-'))
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 1000 },
  })
  // A fresh clone builds the UI first (twice for the offline page's reproducibility check).
}, 300_000)

afterAll(async () => {
  await context?.close()
  await running?.stop()
  await state?.close()
  await serverStore?.close()
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true })
})

async function open(path: string): Promise<Page> {
  const page = await context.newPage()
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${path}: ${m.text()}`)
  })
  page.on('pageerror', (e) => consoleErrors.push(`${path}: ${e.message}`))
  const response = await page.goto(path.startsWith('file:') ? path : `${running.url}${path}`)
  if (!path.startsWith('file:')) {
    expect(response!.headers()['content-type']).toBe('text/html; charset=utf-8')
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'")
  }
  return page
}

describe('Verify page', () => {
  test('served: paste the Bybit SafeTx, see BLOCK, the delegatecall finding and the Ledger hashes', async () => {
    const page = await open('/verify')
    await page.getByTestId('tx-input').fill(BYBIT)
    await page.getByTestId('verify-button').click()
    await expect.poll(() => page.getByTestId('verdict').textContent()).toContain('BLOCK')
    expect(await page.locator('.verdict-word').textContent()).toBe('BLOCK')
    const finding = page.locator('[data-rule="delegatecall-not-allowlisted"]')
    expect(await finding.textContent()).toContain("could replace the Safe's implementation")
    expect(await page.getByTestId('hash-safeTxHash').textContent()).toBe(
      '0xB3476D061AEB8FC1D605A873C483A2402D88A68A9CDD1A8B47655DD55BA004F8',
    )
    expect(await page.locator('.call.delegate .op-1').first().textContent()).toBe('DELEGATECALL')
    await page.screenshot({ path: join(SHOTS, 'verify-served.png'), fullPage: true })
    // Bad input: the same one-line error as the CLI.
    await page.getByTestId('tx-input').fill(BYBIT.replace('"operation": 1', '"operation": 2'))
    await page.getByTestId('verify-button').click()
    await expect
      .poll(() => page.getByTestId('verify-error').textContent())
      .toBe('operation: expected 0 (CALL) or 1 (DELEGATECALL)')
    await page.close()
  })

  test('offline single file over file://: same verdict and hashes, and no network request at all', async () => {
    const requests: string[] = []
    const page = await context.newPage()
    page.on('request', (r) => requests.push(r.url()))
    page.on('pageerror', (e) => consoleErrors.push(`offline: ${e.message}`))
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`offline: ${m.text()}`)
    })
    const url = pathToFileURL(join(WEB, 'heistguard-verify.html')).href
    await page.goto(url)
    await page.getByTestId('tx-input').fill(BYBIT)
    await page.getByTestId('verify-button').click()
    await expect.poll(() => page.getByTestId('verdict').textContent()).toContain('BLOCK')
    expect(await page.locator('[data-rule="delegatecall-not-allowlisted"]').count()).toBe(1)
    expect(await page.getByTestId('hash-Domain hash').textContent()).toBe(
      '0xB3DED2BDBFF5DB1A87F6D551FA256E9F2BD6517A3BB84F4C2EA863FB3A559622',
    )
    expect(await page.getByTestId('hash-Message hash').textContent()).toBe(
      '0xEA68FC75E93BF7286B1257680CA8E2033BFADD8E1CB8A23F3CA18F1031ECF1E0',
    )
    expect(requests).toEqual([url])
    await page.screenshot({ path: join(SHOTS, 'verify-offline.png'), fullPage: true })
    await page.close()
  })
})

describe('Alerts page', () => {
  test('alerts arrive live over SSE (through the API and straight into the store) and can be acknowledged', async () => {
    const page = await open('/alerts')
    await expect.poll(() => page.getByTestId('live').textContent()).toBe('● live')
    const post = await fetch(`${running.url}/api/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        id: 'bybit-slot0',
        chainId: 1,
        blockNumber: 21895238,
        blockHash: `0x${'11'.repeat(32)}`,
        txHash: '0x46deef0f52e3a983b67abf4714448a41dd7ffd6d32d32da69d62081c68ad7882',
        detector: 'safe-config',
        severity: 'critical',
        title: 'Safe 0x1Db9…FCF4: implementation (slot 0) changed to 0xbDd0…9516',
        details: {
          safe: '0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4',
          slot: '0x0',
          before: '0x34CfAC646f301356fAa8B21e94227e3583Fe3F5F',
          after: '0xbDd077f651EBe7f7b3cE16fe5F2b025BE2969516',
        },
      }),
    })
    expect(post.status).toBe(201)
    await page.locator('[data-alert-id="bybit-slot0"]').waitFor()
    await state.putAlerts(
      [
        {
          id: 'bybit-outflow',
          chainId: 1,
          blockNumber: 21895251,
          blockHash: `0x${'22'.repeat(32)}`,
          txHash: `0x${'33'.repeat(32)}`,
          detector: 'outflow',
          severity: 'high',
          title: '401,346.77 ETH left 0x1Db9…FCF4 with no matching intent',
          details: {
            to: '0x47666Fab8bd0Ac7003bce3f5C3585383F09486E2',
            amountWei: '401346768800000000000000',
          },
          state: 'live',
          revision: 0,
          createdAt: Date.now(),
        },
      ],
      [],
    )
    await page.locator('[data-alert-id="bybit-outflow"]').waitFor()
    await page.locator('[data-alert-id="bybit-slot0"]').click()
    expect(await page.getByTestId('alert-details').textContent()).toContain(
      '0xbDd077f651EBe7f7b3cE16fe5F2b025BE2969516',
    )
    await page.locator('.top .token input').fill(token)
    await page.locator('[data-alert-id="bybit-slot0"] button').click()
    await expect
      .poll(() => page.locator('[data-alert-id="bybit-slot0"] td').nth(4).textContent())
      .toBe('acknowledged')
    await page.screenshot({ path: join(SHOTS, 'alerts.png'), fullPage: true })
    await page.close()
  })
})

describe('Trace page', () => {
  test('the case graph: click a holder, see its transfers and its evidence path', async () => {
    const page = await open('/trace?case=bybit-demo')
    await expect.poll(() => page.getByTestId('graph-stats').textContent()).toContain('nodes')
    const target = SPLITTERS0.toLowerCase()
    const point = await page.evaluate((id) => {
      const cy = (
        window as unknown as {
          heistguardGraph: {
            getElementById(id: string): { renderedPosition(): { x: number; y: number } }
          }
        }
      ).heistguardGraph
      return cy.getElementById(id).renderedPosition()
    }, target)
    const box = (await page.getByTestId('graph').boundingBox())!
    await page.mouse.click(box.x + point.x, box.y + point.y)
    const panel = page.getByTestId('node-panel')
    await expect.poll(() => panel.textContent()).toContain('Bybit splitter 1')
    const path = await page.getByTestId('evidence-path').textContent()
    expect(path).toContain(`0x${'1'.padStart(64, '0')}`)
    expect(path).toContain(
      `${'0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4'} → 0x47666Fab8bd0Ac7003bce3f5C3585383F09486E2`,
    )
    // The HTML case report downloads from the page.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-html').click(),
    ])
    expect(download.suggestedFilename()).toBe('case-bybit-demo.html')
    await page.screenshot({ path: join(SHOTS, 'trace.png'), fullPage: true })
    await page.close()
  })

  test('10,000 holders are aggregated so the graph stays small enough to use', async () => {
    const page = await open('/trace?case=big')
    await expect
      .poll(() => page.getByTestId('graph-stats').textContent(), { timeout: 30_000 })
      .toContain('grouped')
    const stats = (await page.getByTestId('graph-stats').textContent())!
    const nodes = Number(/^(\d+) nodes/.exec(stats)![1])
    expect(nodes).toBeLessThanOrEqual(800)
    const rendered = await page.evaluate(
      () =>
        (
          window as unknown as { heistguardGraph: { nodes(): { length: number } } }
        ).heistguardGraph.nodes().length,
    )
    expect(rendered).toBe(nodes)
    await page.locator('select[aria-label="heist"]').selectOption('wazirx')
    await expect.poll(() => page.getByTestId('graph-stats').textContent()).not.toBe(stats)
    await page.screenshot({ path: join(SHOTS, 'trace-10k.png'), fullPage: true })
    await page.close()
  })
})

describe('Screen page', () => {
  test('a pasted list, each with its risk and reasons', async () => {
    const page = await open('/screen')
    await page.getByTestId('screen-input').fill(`${SPLITTER_A}\n${X}\n0x${'ab'.repeat(20)}`)
    await page.getByTestId('screen-button').click()
    const table = page.getByTestId('screen-results')
    await table.waitFor()
    expect(await table.locator('.risk').allTextContents()).toEqual(['SEVERE', 'MEDIUM', 'NONE'])
    // Reasons are written for people: token units with the symbol, no raw wei.
    const text = (await table.textContent()) ?? ''
    expect(text).toContain('holds 10,000 ETH of bybit-tainted funds (100% of its balance)')
    expect(text).toContain('6.25% of its inflow tainted')
    const reasons = await table.locator('.reasons li').allTextContents()
    for (const reason of reasons) expect(reason).not.toMatch(/(^|\s)[0-9]{10,}|token native/)
    // The index file and the trace case both name the holder: one statement of it, not two.
    expect(reasons.filter((r) => r.startsWith('holds '))).toEqual([
      'holds 10,000 ETH of bybit-tainted funds (100% of its balance)',
    ])
    await page.screenshot({ path: join(SHOTS, 'screen.png'), fullPage: true })
    await page.close()
  })
})

describe('no page broke its CSP or threw', () => {
  test('console is clean', () => {
    // The one expected error: the 400 answer to the bad input the Verify test types on purpose.
    const expected =
      '/verify: Failed to load resource: the server responded with a status of 400 (Bad Request)'
    expect(consoleErrors.filter((e) => e !== expected)).toEqual([])
  })
})

const SPLITTERS0 = '0x36ed3C0213565530C35115d93A80F9c04d94E4Cb'
