import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { openStateStore } from '../src/store/openStateStore.js'
import { servicesEnv } from './services.js'

// `serve --state postgres://…` runs every table of the server on PostgreSQL: two real `serve`
// processes (node bin/heistguard.js) on one database act as one deployment. The URL carries a
// password (the test server trusts local connections, so any password is accepted) that must
// never appear in any output.
const PASSWORD = 'Pw-9f3c1e7a-not-for-logs'
const bin = join(process.cwd(), 'bin', 'heistguard.js')
const schema = `servepg_${process.pid}_${Date.now().toString(36)}`
let url = ''
let baseUrl = ''
const dir = mkdtempSync(join(tmpdir(), 'hg-serve-pg-'))
const outputs: string[] = []
const children: ChildProcess[] = []

type Run = { code: number | null; stdout: string; stderr: string }
function heistguard(argv: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...argv], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', ...env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => {
      outputs.push(stdout, stderr)
      resolve({ code, stdout, stderr })
    })
  })
}

/** Starts `serve` and resolves with its URL and a stop() that returns everything it printed. */
async function serve(argv: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', ...argv], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', ...env },
  })
  children.push(child)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const exited = new Promise<number | null>((r) => child.on('close', r))
  while (!stdout.includes('\n')) {
    if (child.exitCode !== null) throw new Error(`serve exited: ${stderr}`)
    await new Promise((r) => setTimeout(r, 25))
  }
  return {
    url: stdout.trim().split('\n')[0]!,
    stop: async () => {
      child.kill('SIGTERM')
      const code = await exited
      outputs.push(stdout, stderr)
      return { code, stdout, stderr }
    },
  }
}

const json = (token: string | null, body?: unknown): RequestInit => ({
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  },
  body: JSON.stringify(body ?? {}),
})

beforeAll(async () => {
  baseUrl = (await servicesEnv()).HEISTGUARD_TEST_PG_URL
  url = `${baseUrl.replace('postgres://postgres@', `postgres://postgres:${PASSWORD}@`)}?schema=${schema}`
  expect(url).toContain(PASSWORD)
})

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  const client = new pg.Client({ connectionString: baseUrl })
  await client.connect()
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await client.end()
})

describe('heistguard serve --state postgres://', () => {
  test('two serve processes on one database share tokens, alerts and acks; the password never shows', async () => {
    // A token created by the CLI lands in PostgreSQL (by flag, then by environment variable).
    const created = await heistguard(['serve', 'token', 'create', '--name', 'ci', '--state', url])
    expect(created.code).toBe(0)
    const token = created.stdout.trim()
    expect(token).toMatch(/^hg_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/)
    const tokenId = token.slice(3, 15)
    const second = await heistguard(['serve', 'token', 'create', '--name', 'ops'], {
      HEISTGUARD_STATE_URL: url,
    })
    expect(second.code).toBe(0)
    const token2 = second.stdout.trim()
    const listed = await heistguard(['serve', 'token', 'list'], { HEISTGUARD_STATE_URL: url })
    expect(
      listed.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[1]),
    ).toEqual(['ci', 'ops'])

    // A watcher (any process on the same database) stored an alert.
    const state = await openStateStore(url)
    await state.putAlerts(
      [
        {
          id: 'pg-alert-1',
          chainId: 1,
          blockNumber: 21_895_238,
          blockHash: `0x${'ab'.repeat(32)}`,
          txHash: `0x${'46'.repeat(32)}`,
          detector: 'safe-implementation-changed',
          severity: 'critical',
          title: 'Safe masterCopy changed',
          details: {},
          state: 'live',
          revision: 0,
          createdAt: 1_740_000_000_000,
        },
      ],
      [],
    )
    await state.close()

    const a = await serve(['--state', url])
    const b = await serve([], { HEISTGUARD_STATE_URL: url })
    try {
      // Both replicas see the watcher's alert, unacknowledged.
      for (const s of [a, b]) {
        const list = await (await fetch(`${s.url}/api/alerts`)).json()
        expect(list.alerts.map((x: { id: string; ack: unknown }) => [x.id, x.ack])).toEqual([
          ['pg-alert-1', null],
        ])
      }
      // Write endpoints: refused without a token, accepted with the CLI's token on replica A.
      const alert = {
        id: 'pg-alert-2',
        chainId: 1,
        blockNumber: 21_895_251,
        blockHash: `0x${'cd'.repeat(32)}`,
        detector: 'outflow',
        severity: 'high',
        title: 'outflow to an unknown address',
      }
      expect((await fetch(`${a.url}/api/alerts`, json(null, alert))).status).toBe(401)
      const posted = await fetch(`${a.url}/api/alerts`, json(token, alert))
      expect(posted.status).toBe(201)
      // Replica B acknowledges it (the second token), replica A sees the ack at once.
      const acked = await fetch(
        `${b.url}/api/alerts/pg-alert-2/ack`,
        json(token2, { note: 'paged' }),
      )
      expect(acked.status).toBe(200)
      expect((await acked.json()).ack).toMatchObject({ by: token2.slice(3, 15), note: 'paged' })
      const seen = await (await fetch(`${a.url}/api/alerts/pg-alert-2`)).json()
      expect(seen.ack).toMatchObject({
        alertId: 'pg-alert-2',
        by: token2.slice(3, 15),
        note: 'paged',
      })
      // A second ack through A keeps the first.
      const again = await fetch(
        `${a.url}/api/alerts/pg-alert-2/ack`,
        json(token, { note: 'me too' }),
      )
      expect((await again.json()).ack).toMatchObject({ by: token2.slice(3, 15), note: 'paged' })
      const first = await fetch(`${a.url}/api/alerts/pg-alert-1/ack`, json(token))
      expect((await first.json()).ack).toMatchObject({ by: tokenId })
      const onB = await (await fetch(`${b.url}/api/alerts?acked=true`)).json()
      expect(onB.alerts.map((x: { id: string }) => x.id).sort()).toEqual([
        'pg-alert-1',
        'pg-alert-2',
      ])

      // Revoking through the CLI takes effect on both running replicas.
      const revoked = await heistguard(['serve', 'token', 'revoke', tokenId, '--state', url])
      expect(revoked.code).toBe(0)
      for (const s of [a, b])
        expect((await fetch(`${s.url}/api/alerts/pg-alert-1/ack`, json(token))).status).toBe(401)
      expect((await fetch(`${a.url}/api/alerts/pg-alert-1/ack`, json(token2))).status).toBe(200)
    } finally {
      expect((await a.stop()).code).toBe(0)
      expect((await b.stop()).code).toBe(0)
    }

    // Everything is in PostgreSQL, in the URL's schema: nothing was written to a SQLite file.
    const client = new pg.Client({ connectionString: baseUrl })
    await client.connect()
    const acks = await client.query(
      `SELECT alert_id, by FROM "${schema}".server_alert_acks ORDER BY alert_id`,
    )
    const tokens = await client.query(`SELECT name FROM "${schema}".server_tokens`)
    const alerts = await client.query(`SELECT id FROM "${schema}".alerts ORDER BY id`)
    await client.end()
    expect(acks.rows).toEqual([
      { alert_id: 'pg-alert-1', by: tokenId },
      { alert_id: 'pg-alert-2', by: token2.slice(3, 15) },
    ])
    expect(tokens.rows).toEqual([{ name: 'ops' }])
    expect(alerts.rows).toEqual([{ id: 'pg-alert-1' }, { id: 'pg-alert-2' }])
    const { readdirSync } = await import('node:fs')
    expect(readdirSync(dir)).toEqual([])
    expect(outputs.join('\n')).not.toContain(PASSWORD)
  })

  test('an unreachable database is a one-line error naming the URL without credentials', async () => {
    const bad = `postgres://watch:${PASSWORD}@127.0.0.1:1/heistguard?sslpassword=${PASSWORD}`
    for (const argv of [
      ['serve', '--port', '0', '--state', bad],
      ['serve', 'token', 'list', '--state', bad],
    ]) {
      const r = await heistguard(argv)
      expect(r.code).not.toBe(0)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(
        /^heistguard: postgres:\/\/\*\*\*@127\.0\.0\.1:1\/heistguard: cannot open PostgreSQL (state|server) store: connect ECONNREFUSED 127\.0\.0\.1:1\n$/,
      )
    }
    expect(outputs.join('\n')).not.toContain(PASSWORD)
  })
})
