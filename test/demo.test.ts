import { execFile } from 'node:child_process'
import { describe, expect, test } from 'vitest'

// The README's first command, end to end through the real CLI: the Bybit heist on a devnet with
// real Safe v1.1.1 bytecode, verified and simulated before signing, alerted in its block, traced
// and screened. --no-serve makes it stop after the walkthrough.
function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/heistguard.js', ...args],
      { timeout: 280_000, maxBuffer: 8 << 20 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: number }).code ?? 1) : 0
        resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr })
      },
    )
  })
}

describe('heistguard demo', () => {
  test('every stage shows what it should: blocked, alerted in its block, traced, screened', async () => {
    const { code, stdout, stderr } = await runCli(['demo', '--no-serve', '--json', '--seed', '7'])
    expect(stderr).not.toMatch(/at .*\.js:\d+/) // no stack trace
    expect(code).toBe(0)
    const summary = JSON.parse(stdout)
    expect(summary).toMatchObject({
      ok: true,
      checks: {
        blockedBeforeSigning: true,
        alertedInItsBlock: true,
        sweepAlerted: true,
        traced: true,
        screened: true,
      },
      verdict: 'block',
      safeTxHash: '0xb3476d061aeb8fc1d605a873c483a2402d88a68a9cdd1a8b47655dd55ba004f8',
      trace: { conservation: true },
    })
    expect(BigInt(summary.implementationAfter)).toBe(0xbdd077f651ebe7f7b3ce16fe5f2b025be2969516n)
    expect(summary.alerts).toContainEqual({
      detector: 'safe-config',
      blockNumber: summary.execBlock,
    })
    expect(summary.sweepBlock - summary.execBlock).toBe(13)
    expect(summary.alerts).toContainEqual({ detector: 'outflow', blockNumber: summary.sweepBlock })
    expect(summary.trace.bridgeExits).toBeGreaterThan(0)
    expect(summary.screen.risk).toBe('severe')
  }, 300_000)

  test('bad flags: one line, exit 2', async () => {
    const { code, stdout, stderr } = await runCli(['demo', '--port', 'x'])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toBe('heistguard: --port: expected an integer 0..65535, got "x"\n')
  })
})
