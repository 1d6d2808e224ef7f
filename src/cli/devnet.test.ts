import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { describe, expect, test } from 'vitest'

function startCli(args: string[]) {
  const child = spawn(process.execPath, ['bin/heistguard.js', 'devnet', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const firstLine = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve)
    child.on('exit', () => reject(new Error(`exited before printing: ${stderr}`)))
  })
  // Tests that expect no output never await the line.
  firstLine.catch(() => {})
  return { child, firstLine, exited, stderr: () => stderr }
}

async function rpc(url: string, method: string, params: unknown[] = []) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  return ((await response.json()) as { result: unknown }).result
}

describe('heistguard devnet (end to end)', () => {
  test('--port 0 --scenario bybit: prints one JSON line, serves JSON-RPC, stops on SIGTERM with exit 0', async () => {
    const cli = startCli(['--port', '0', '--scenario', 'bybit', '--json'])
    const line = JSON.parse(await cli.firstLine) as {
      url: string
      chainId: number
      addresses: Record<string, string>
      scenario: { name: string; stage: string; setup: { safeTxHash: string } }
    }
    expect(line.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(line.chainId).toBe(31337)
    expect(line.addresses['safe-1.1.1/singleton']).toBe(
      '0x34CfAC646f301356fAa8B21e94227e3583Fe3F5F',
    )
    expect(line.addresses['safe-1.4.1/multiSendCallOnly']).toBe(
      '0x9641d764fc13c8B624c04430C7356C1C7C8102e2',
    )
    expect(line.addresses['bybit/safe']).toBe('0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4')
    expect(line.scenario).toMatchObject({
      name: 'bybit',
      stage: 'setup',
      setup: { safeTxHash: '0xb3476d061aeb8fc1d605a873c483a2402d88a68a9cdd1a8b47655dd55ba004f8' },
    })
    expect(await rpc(line.url, 'eth_chainId')).toBe('0x7a69')
    // The Safe still holds its ETH: the scenario stopped before the malicious transaction.
    expect(await rpc(line.url, 'eth_getBalance', [line.addresses['bybit/safe'], 'latest'])).toBe(
      '0x54fd0d4b7548cd1a0000',
    )
    cli.child.kill('SIGTERM')
    expect(await cli.exited).toBe(0)
    expect(cli.stderr()).toContain('devnet: stopped')
  })

  test('bad flags: one line on stderr, exit 2, nothing on stdout', async () => {
    const cli = startCli(['--port', 'abc'])
    let stdout = ''
    cli.child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    expect(await cli.exited).toBe(2)
    expect(cli.stderr()).toBe('heistguard: --port: expected an integer in 0..65535, got "abc"\n')
    expect(stdout).toBe('')
  })
})
