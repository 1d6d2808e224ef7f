import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { main } from '../src/cli/main.js'
import { type Devnet, startDevnet } from '../src/devnet/startDevnet.js'
import { openStateStore } from '../src/store/openStateStore.js'
import { servicesEnv } from './services.js'

// Switching `watch` from SQLite to PostgreSQL is a config change: the same CLI, a postgres:// URL.
async function cli(argv: string[], cwd: string, env: Record<string, string> = {}) {
  let stdout = ''
  let stderr = ''
  const code = await main({
    argv,
    stdout: { write: (c: string) => (stdout += c) },
    stderr: { write: (c: string) => (stderr += c) },
    env,
    cwd,
    signal: new AbortController().signal,
  })
  return { code, stdout, stderr }
}

describe('heistguard watch --db postgres://', () => {
  let devnet: Devnet
  let dir: string
  let url: string
  beforeAll(async () => {
    devnet = await startDevnet({ accounts: 3 })
    dir = mkdtempSync(join(tmpdir(), 'hg-watch-pg-'))
    url = `${(await servicesEnv()).HEISTGUARD_TEST_PG_URL}?schema=watchcli_${process.pid}_${Date.now().toString(36)}`
  })
  afterAll(async () => {
    await devnet?.stop()
  })

  test('leads the chain, stores the alert in PostgreSQL, and a replay adds nothing', async () => {
    const [, watched, other] = devnet.accounts
    const tx = (await devnet.request('eth_sendTransaction', [
      { from: watched!.address, to: other!.address, value: '0x2a' },
    ])) as string
    writeFileSync(
      join(dir, 'watch.yaml'),
      `rpc: ${devnet.url}\nstartBlock: 1\naddresses: [${watched!.address}]\n`,
    )
    const first = await cli(['watch', '--config', 'watch.yaml', '--once', '--db', url], dir)
    expect(first.code).toBe(0)
    expect(first.stderr).toContain(`heistguard watch: leading chain ${devnet.chainId}\n`)
    expect(first.stderr).not.toContain('postgres://')
    const lines = first.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ kind: 'alert', alert: { detector: 'outflow', txHash: tx } })

    // The same URL from the environment: nothing new to say.
    const again = await cli(['watch', '--config', 'watch.yaml', '--once'], dir, {
      HEISTGUARD_STATE_URL: url,
    })
    expect(again).toMatchObject({ code: 0, stdout: '' })

    const store = await openStateStore(url)
    try {
      expect(store.backend).toBe('postgres')
      const alerts = await store.listAlerts({ chainId: devnet.chainId })
      expect(alerts.map((a) => [a.detector, a.txHash])).toEqual([['outflow', tx]])
      expect((await store.getCheckpoint(devnet.chainId))?.number).toBe(1)
    } finally {
      await store.close()
    }
  })
})
