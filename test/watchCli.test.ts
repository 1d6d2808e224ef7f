import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { main } from '../src/cli/main.js'
import { type Devnet, startDevnet } from '../src/devnet/startDevnet.js'

async function cli(argv: string[], cwd: string) {
  let stdout = ''
  let stderr = ''
  const code = await main({
    argv,
    stdout: { write: (c: string) => (stdout += c) },
    stderr: { write: (c: string) => (stderr += c) },
    env: {},
    cwd,
    signal: new AbortController().signal,
  })
  return { code, stdout, stderr }
}

describe('heistguard watch (CLI, in-process)', () => {
  let devnet: Devnet
  let dir: string
  beforeAll(async () => {
    devnet = await startDevnet({ accounts: 3 })
    dir = mkdtempSync(join(tmpdir(), 'hg-watch-cli-'))
  })
  afterAll(async () => {
    await devnet?.stop()
  })

  test('--once: JSONL alerts on stdout, replay prints nothing new, --dry-run response hook', async () => {
    const [, watched, other] = devnet.accounts
    const tx = (await devnet.request('eth_sendTransaction', [
      { from: watched!.address, to: other!.address, value: '0x2a' },
    ])) as string
    writeFileSync(
      join(dir, 'watch.yaml'),
      `rpc: ${devnet.url}
startBlock: 1
addresses: [${watched!.address}]
detectors:
  outflow: { response: { url: http://127.0.0.1:9/freeze } }
`,
    )
    const first = await cli(['watch', '--config', 'watch.yaml', '--once', '--dry-run'], dir)
    expect(first.code).toBe(0)
    const lines = first.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({
      kind: 'alert',
      alert: {
        detector: 'outflow',
        txHash: tx,
        blockNumber: 1,
        details: { amount: '42', via: 'tx' },
      },
    })
    expect(lines[0].id).toBe(lines[0].alertId)
    expect(first.stderr).toContain(
      `heistguard watch: dry-run: would POST alert ${lines[0].id} to http://127.0.0.1:9/freeze\n`,
    )
    const again = await cli(['watch', '--config', 'watch.yaml', '--once'], dir)
    expect(again).toMatchObject({ code: 0, stdout: '' })
  })

  test('bad input: one line naming file:line, exit 2', async () => {
    writeFileSync(join(dir, 'bad.yaml'), `rpc: ${devnet.url}\nsafes:\n  - 0x12\n`)
    const bad = await cli(['watch', '--config', 'bad.yaml'], dir)
    expect(bad).toEqual({
      code: 2,
      stdout: '',
      stderr: `heistguard: ${join(dir, 'bad.yaml')}:3: safes.0: expected a 0x-prefixed 20-byte address\n`,
    })
    const missing = await cli(['watch', '--config', 'nope.yaml'], dir)
    expect(missing).toEqual({
      code: 2,
      stdout: '',
      stderr: `heistguard: ${join(dir, 'nope.yaml')}: cannot read config: ENOENT\n`,
    })
    const usage = await cli(['watch', '--bogus'], dir)
    expect(usage.code).toBe(2)
    expect(usage.stderr.split('\n')).toHaveLength(2)
  })
})
