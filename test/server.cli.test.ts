import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { main } from '../src/cli/main.js'
import { REPORT, SPLITTER_A } from './screenFixture.js'

function cli(argv: string[], cwd: string, signal = new AbortController().signal) {
  const out = { stdout: '', stderr: '' }
  const done = main({
    argv,
    stdout: { write: (s: string) => (out.stdout += s) },
    stderr: { write: (s: string) => (out.stderr += s) },
    env: {},
    cwd,
    signal,
  })
  return { out, done }
}

describe('heistguard serve (in-process)', () => {
  test('token create prints the token once to stdout; serve accepts it; stop on abort', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-serve-'))
    writeFileSync(join(dir, 'case.json'), JSON.stringify(REPORT))
    const created = cli(['serve', 'token', 'create', '--name', 'ci'], dir)
    expect(await created.done).toBe(0)
    const token = created.out.stdout.trim()
    expect(token).toMatch(/^hg_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/)
    expect(created.out.stderr).toBe(
      `serve: token ${token.slice(3, 15)} (ci) created; it is not stored in clear and cannot be shown again\n`,
    )
    const listed = cli(['serve', 'token', 'list'], dir)
    expect(await listed.done).toBe(0)
    expect(listed.out.stdout).toMatch(new RegExp(`^${token.slice(3, 15)}\tci\t\\d{4}-`))
    expect(listed.out.stdout).not.toContain(token.slice(16))

    const controller = new AbortController()
    const served = cli(
      ['serve', '--port', '0', '--index', 'case.json', '--web', dir],
      dir,
      controller.signal,
    )
    // --web pointing at a dir without index.html is bad input
    expect(await served.done).toBe(2)
    expect(served.out.stderr).toBe(
      'heistguard: --web: no index.html there (run npm run build:web)\n',
    )

    const running = cli(['serve', '--port', '0', '--index', 'case.json'], dir, controller.signal)
    while (!running.out.stdout.includes('\n')) await new Promise((r) => setTimeout(r, 20))
    const url = running.out.stdout.trim()
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect((await (await fetch(`${url}/api/screen/${SPLITTER_A}`)).json()).risk).toBe('severe')
    const post = await fetch(`${url}/api/intents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        chainId: 1,
        from: SPLITTER_A,
        to: SPLITTER_A,
        maxAmount: '1',
        validFrom: 1,
        validUntil: 2,
      }),
    })
    expect(post.status).toBe(201)
    controller.abort()
    expect(await running.done).toBe(0)
    expect(running.out.stderr).not.toContain(token.slice(16))
    expect(running.out.stderr).toContain(`POST /api/intents 201`)

    const revoked = cli(['serve', 'token', 'revoke', token.slice(3, 15)], dir)
    expect(await revoked.done).toBe(0)
    const again = cli(['serve', 'token', 'revoke', token.slice(3, 15)], dir)
    expect(await again.done).toBe(2)
  })

  test('bad flags are one line, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-serve-'))
    const r = cli(['serve', '--port', 'x'], dir)
    expect(await r.done).toBe(2)
    expect(r.out.stderr).toBe('heistguard: --port: expected a port 0..65535, got "x"\n')
    const t = cli(['serve', 'token', 'make'], dir)
    expect(await t.done).toBe(2)
    expect(t.out.stderr).toBe('heistguard: serve token: expected create, list or revoke\n')
  })
})

describe('heistguard serve --watch (devnet)', () => {
  test('the watcher runs in the serve process; an unapproved outflow reaches SSE subscribers', async () => {
    const { startDevnet } = await import('../src/devnet/startDevnet.js')
    const devnet = await startDevnet({ port: 0 })
    const controller = new AbortController()
    try {
      const dir = mkdtempSync(join(tmpdir(), 'hg-serve-watch-'))
      const [from, to] = devnet.accounts
      writeFileSync(
        join(dir, 'watch.yaml'),
        `rpc: ${devnet.url}\npollIntervalMs: 100\naddresses:\n  - ${from!.address}\n`,
      )
      const running = cli(['serve', '--port', '0', '--watch', 'watch.yaml'], dir, controller.signal)
      while (!running.out.stdout.includes('\n')) {
        if (running.out.stderr.includes('heistguard:')) throw new Error(running.out.stderr)
        await new Promise((r) => setTimeout(r, 20))
      }
      const url = running.out.stdout.trim()
      const stream = await fetch(`${url}/api/alerts/stream`)
      const reader = stream.body!.getReader()
      const decoder = new TextDecoder()
      let text = ''
      while (!text.includes('event: ready')) text += decoder.decode((await reader.read()).value)
      // Let the watcher take its first checkpoint before the outflow.
      await new Promise((r) => setTimeout(r, 1500))
      await devnet.request('eth_sendTransaction', [
        { from: from!.address, to: to!.address, value: '0xde0b6b3a7640000' },
      ])
      while (!text.includes('event: alert')) text += decoder.decode((await reader.read()).value)
      const data = JSON.parse(/event: alert\ndata: (.*)\n/.exec(text)![1]!)
      expect(data).toMatchObject({ detector: 'outflow', state: 'live', ack: null })
      await reader.cancel()
      controller.abort()
      expect(await running.done).toBe(0)
      expect(existsSync(join(dir, 'heistguard-watch.db'))).toBe(true)
    } finally {
      controller.abort()
      await devnet.stop()
    }
  })
})
