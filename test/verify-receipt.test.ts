import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { verifyReceipt } from '../src/watch/receipts.js'
import { BYBIT_VERIFY_FLAGS } from './bybitVerifyFlags.js'

// `heistguard verify --receipt FILE`: the receipt `watch` requires before a Safe executes.
const BYBIT_FLAGS = ['verify', ...BYBIT_VERIFY_FLAGS]

function runCli(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['bin/heistguard.js', ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
        }),
    )
  })
}

describe('verify --receipt', () => {
  test('writes an HMAC receipt with the verdict that watch can verify', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hg-receipt-')), 'bybit.receipt.json')
    const { code, stderr } = await runCli([...BYBIT_FLAGS, '--receipt', path], {
      HEISTGUARD_RECEIPT_HMAC_KEY: 'ops-shared-secret',
      HEISTGUARD_RECEIPT_KEY_ID: 'signer-1',
    })
    expect(stderr).toBe('')
    expect(code).toBe(4)
    const receipt = JSON.parse(readFileSync(path, 'utf8'))
    expect(receipt).toMatchObject({
      type: 'heistguard-receipt/v1',
      safeTxHash: '0xb3476d061aeb8fc1d605a873c483a2402d88a68a9cdd1a8b47655dd55ba004f8',
      verdict: 'block',
      signer: 'hmac:signer-1',
      scheme: 'hmac-sha256',
      verifierVersion: 'heistguard 0.1.0',
    })
    expect(JSON.stringify(receipt)).not.toContain('ops-shared-secret')
    expect(
      await verifyReceipt(receipt, { hmacKeys: { 'signer-1': 'ops-shared-secret' } }),
    ).toMatchObject({ ok: true })
    expect(await verifyReceipt(receipt, { hmacKeys: { 'signer-1': 'another key' } })).toMatchObject(
      { ok: false },
    )
  })

  test('an EIP-191 receipt names the signer address', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hg-receipt-')), 'r.json')
    // hardhat's public test key #0: never for real funds.
    const { code } = await runCli([...BYBIT_FLAGS, '--receipt', path, '--json'], {
      HEISTGUARD_RECEIPT_PRIVATE_KEY:
        '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
    })
    expect(code).toBe(4)
    const receipt = JSON.parse(readFileSync(path, 'utf8'))
    expect(receipt.signer).toBe('0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266')
    expect(await verifyReceipt(receipt)).toMatchObject({ ok: true })
  })

  test('no key in the environment: one line, exit 2, no file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hg-receipt-')), 'r.json')
    const { code, stdout, stderr } = await runCli([...BYBIT_FLAGS, '--receipt', path], {})
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toBe(
      'heistguard: --receipt: needs HEISTGUARD_RECEIPT_PRIVATE_KEY, or HEISTGUARD_RECEIPT_HMAC_KEY and HEISTGUARD_RECEIPT_KEY_ID, in the environment\n',
    )
    expect(existsSync(path)).toBe(false)
  })
})
