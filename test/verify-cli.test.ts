import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { run } from '../src/cli/verify.js'
import { BYBIT_VERIFY_FLAGS as BYBIT } from './bybitVerifyFlags.js'

// End to end: the built CLI (vitest's globalSetup runs `npm run build`), as a signer runs it.
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const STS = fileURLToPath(new URL('vectors/decode-sts-bybit-nonce71.json', import.meta.url))
const SANCTIONS = fileURLToPath(new URL('../../shared/data/sanctions/', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'heistguard-verify-'))

type Run = { code: number; stdout: string; stderr: string }
function cli(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(
      'node',
      ['bin/heistguard.js', 'verify', ...args],
      { cwd: ROOT, maxBuffer: 1 << 24 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: number }).code ?? 1) : 0
        done({ code: typeof code === 'number' ? code : 1, stdout, stderr })
      },
    )
  })
}
function file(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

const SAFE = '0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4'
const HOT = '0x88a1493366D48225fc3cEFbdae9eBb23E323Ade3'
const TRANSFER = [
  '--chain-id',
  '1',
  '--safe',
  SAFE,
  '--safe-version',
  '1.1.1',
  '--to',
  HOT,
  '--value',
  '30000000000000000000000',
  '--safe-tx-gas',
  '45745',
  '--base-gas',
  '0',
  '--gas-price',
  '0',
  '--gas-token',
  '0x0000000000000000000000000000000000000000',
  '--refund-receiver',
  '0x0000000000000000000000000000000000000000',
  '--nonce',
  '71',
]
const POLICY = file(
  'policy.yaml',
  `safes:
  - address: ${SAFE}
    chainId: 1
    owners:
      - 0x1F4EB0a903619ac168b19A82F1a6e2e426522211
      - 0x3Cc3A225769900e003E264dd4CB43E90896BC21A
      - 0xe3dF2cCEAc61B1aFA311372ecC5B40A3A6585a9E
    threshold: 3
    addressBook:
      - { address: ${HOT}, name: hot wallet, trust: trusted }
    limits:
      - { token: ETH, max: 60000 ETH }
    sanctionsLists:
      - ${SANCTIONS}fbi_psa250226_tradertraitor_eth.txt
      - ${SANCTIONS}ofac_sdn_eth_2025-11-19_annotated.tsv
`,
)

describe('heistguard verify (end to end)', () => {
  test('Bybit by flags: exit 4, Ledger hashes, one-sentence summary', async () => {
    const result = await cli(...BYBIT, '--policy', POLICY)
    expect(result.code).toBe(4)
    expect(result.stderr).toBe('')
    const lines = result.stdout.split('\n')
    expect(lines.slice(0, 2)).toEqual([
      'BLOCK: do not sign this transaction',
      "What it does: DELEGATECALL: code at 0x9622…7242 runs with this Safe's storage and balance (calldata: transfer(0xbDd0…9516, 0)).",
    ])
    expect(result.stdout).toContain(
      '  Domain hash   0xb3ded2bdbff5db1a87f6d551fa256e9f2bd6517a3bb84f4c2ea863fb3a559622\n' +
        '                B3DE D2BD BFF5 DB1A 87F6 D551 FA25 6E9F 2BD6 517A 3BB8 4F4C 2EA8 63FB 3A55 9622\n' +
        '  Message hash  0xea68fc75e93bf7286b1257680ca8e2033bfadd8e1cb8a23f3ca18f1031ecf1e0\n' +
        '                EA68 FC75 E93B F728 6B12 5768 0CA8 E203 3BFA DD8E 1CB8 A23F 3CA1 8F10 31EC F1E0\n' +
        '  safeTxHash    0xb3476d061aeb8fc1d605a873c483a2402d88a68a9cdd1a8b47655dd55ba004f8\n',
    )
    expect(result.stdout).toContain('BLOCK critical delegatecall-not-allowlisted')
  })

  test('--json: one document with verdict, hashes, findings, calls (bigints as strings)', async () => {
    const result = await cli(...BYBIT, '--policy', POLICY, '--json')
    expect(result.code).toBe(4)
    const doc = JSON.parse(result.stdout)
    expect(doc.verdict).toBe('block')
    expect(doc.hashes).toEqual({
      domainHash: '0xb3ded2bdbff5db1a87f6d551fa256e9f2bd6517a3bb84f4c2ea863fb3a559622',
      messageHash: '0xea68fc75e93bf7286b1257680ca8e2033bfadd8e1cb8a23f3ca18f1031ecf1e0',
      safeTxHash: '0xb3476d061aeb8fc1d605a873c483a2402d88a68a9cdd1a8b47655dd55ba004f8',
    })
    expect(doc.findings.map((f: { rule: string }) => f.rule)).toEqual([
      'delegatecall-not-allowlisted',
    ])
    expect(doc.calls[0].function.args[1]).toEqual({ name: 'amount', type: 'uint256', value: '0' })
    expect(doc.tx.safeTxGas).toBe('45746')
  })

  test('plain ETH transfer to an address-book entry: exit 0', async () => {
    const result = await cli(...TRANSFER, '--policy', POLICY)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout.split('\n').slice(0, 2)).toEqual([
      'PASS: nothing found that should stop you signing',
      'What it does: Sends 30000 ETH to 0x88a1…Ade3 (hot wallet).',
    ])
    expect(result.stdout).toContain(
      'safeTxHash    0x9d89e67333f99c136537be74029c44592985a4855172f4c2d0d942029868f98e',
    )
  })

  test('a recipient on the FBI TraderTraitor list (policy sanctionsLists): exit 4', async () => {
    const args = [...TRANSFER]
    args[args.indexOf(HOT)] = '0x51E9d833Ecae4E8D9D8Be17300AEE6D3398C135D'
    const result = await cli(...args, '--policy', POLICY, '--json')
    expect(result.code).toBe(4)
    const doc = JSON.parse(result.stdout)
    expect(doc.findings[0].message).toBe(
      '0x51E9d833Ecae4E8D9D8Be17300AEE6D3398C135D (recipient) is on the list fbi_psa250226_tradertraitor_eth.txt, a sanctions or stolen-funds list the policy names: do not transact with it.',
    )
  })

  test('--tx Safe Transaction Service page: both nonce-71 proposals listed, exit 4', async () => {
    const result = await cli(
      '--tx',
      STS,
      '--chain-id',
      '1',
      '--safe-version',
      '1.1.1',
      '--policy',
      POLICY,
      '--json',
    )
    expect(result.code).toBe(4)
    const doc = JSON.parse(result.stdout)
    expect(doc.hashes.safeTxHash).toBe(
      '0xb3476d061aeb8fc1d605a873c483a2402d88a68a9cdd1a8b47655dd55ba004f8',
    )
    const conflict = doc.findings.find((f: { rule: string }) => f.rule === 'conflicting-proposals')
    expect(
      conflict.proposals.map((p: { safeTxHash: string; verdict: string }) => [
        p.safeTxHash,
        p.verdict,
      ]),
    ).toEqual([
      ['0xb3476d061aeb8fc1d605a873c483a2402d88a68a9cdd1a8b47655dd55ba004f8', 'block'],
      // The benign-looking proposal blocks too: its confirmations are signatures over the other hash.
      ['0x9d89e67333f99c136537be74029c44592985a4855172f4c2d0d942029868f98e', 'block'],
    ])
    expect(doc.signatures.map((s: { signer: string; isOwner: boolean }) => s.isOwner)).toEqual([
      true,
      true,
      true,
    ])
  })

  test('--tx one Safe Transaction Service record: the benign-looking one is not what was signed', async () => {
    const page = JSON.parse((await import('node:fs')).readFileSync(STS, 'utf8'))
    const record = file('benign.json', JSON.stringify(page.results[1], null, 2))
    const result = await cli(
      '--tx',
      record,
      '--chain-id',
      '1',
      '--safe-version',
      '1.1.1',
      '--policy',
      POLICY,
    )
    expect(result.code).toBe(4)
    expect(result.stdout).toContain('What it does: Sends 30000 ETH to 0x88a1…Ade3 (hot wallet).')
    expect(result.stdout).toContain(
      'BLOCK critical signatures-do-not-approve\n        These signatures do not approve the transaction you are looking at: the confirmation said to be from 0x1F4EB0a903619ac168b19A82F1a6e2e426522211 recovers to 0x',
    )
  })

  test('a policy ABI file extends the registry (the unknown selector of the MultiSend vector decodes)', async () => {
    const abi = file('dsr.json', JSON.stringify(['function exit(address dst, uint256 wad)']))
    const policy = file(
      'abi-policy.yaml',
      `safes:\n  - address: '0x8353157092ED8Be69a9DF8F95af097bbF33Cb2aF'\n    abis: [${abi}]\n`,
    )
    const args = [
      '--chain-id',
      '1',
      '--safe',
      '0x8353157092ED8Be69a9DF8F95af097bbF33Cb2aF',
      '--safe-version',
      '1.3.0',
      '--to',
      '0x373238337Bfe1146fb49989fc222523f83081dDb',
      '--operation',
      '0',
      '--nonce',
      '1',
      '--data',
      '0xef693bed0000000000000000000000008353157092ed8be69a9df8f95af097bbf33cb2af000000000000000000000000000000000000000000000000000000000000000a',
      '--safe-tx-gas',
      '0',
      '--base-gas',
      '0',
      '--gas-price',
      '0',
      '--gas-token',
      '0x0000000000000000000000000000000000000000',
      '--refund-receiver',
      '0x0000000000000000000000000000000000000000',
    ]
    const without = JSON.parse((await cli(...args, '--json')).stdout)
    expect(without.calls[0].function).toBeNull()
    const result = await cli(...args, '--policy', policy, '--json')
    expect(result.stderr).toBe('')
    const doc = JSON.parse(result.stdout)
    expect(doc.calls[0].function.signature).toBe('exit(address,uint256)')
    expect(doc.summary).toBe('Calls exit(this Safe, 10) on 0x3732…1dDb.')
  })

  test('heistguard JSON --tx with signatures', async () => {
    const tx = file(
      'bybit.json',
      JSON.stringify({
        chainId: 1,
        safe: SAFE,
        safeVersion: '1.1.1',
        to: '0x96221423681A6d52E184D440a8eFCEbB105C7242',
        value: '0',
        data: BYBIT[BYBIT.indexOf('--data') + 1],
        operation: 1,
        safeTxGas: '45746',
        baseGas: '0',
        gasPrice: '0',
        gasToken: '0x0000000000000000000000000000000000000000',
        refundReceiver: '0x0000000000000000000000000000000000000000',
        nonce: 71,
        signatures:
          '0xd0afef78a52fd504479dc2af3dc401334762cbd05609c7ac18db9ec5abf4a07a5cc09fc86efd3489707b89b0c729faed616459189cb50084f208d03b201b001f1f0f62ad358d6b319d3c1221d44456080068fe02ae5b1a39b4afb1e6721ca7f9903ac523a801533f265231cd35fc2dfddc3bd9a9563b51315cf9d5ff23dc6d2c221fdf9e4b878877a8dbeee951a4a31ddbf1d3b71e127d5eda44b4730030114baba52e06dd23da37cd2a07a6e84f9950db867374a0f77558f42adf4409bfd569673c1f',
      }),
    )
    const result = await cli('--tx', tx, '--policy', POLICY, '--json')
    expect(result.code).toBe(4)
    expect(JSON.parse(result.stdout).signatures.map((s: { type: string }) => s.type)).toEqual([
      'eth_sign',
      'eth_sign',
      'eth_sign',
    ])
  })
})

describe('heistguard verify: bad input is one line, exit 2, nothing on stdout', () => {
  const bad = async (args: string[], line: string) => {
    const result = await cli(...args)
    expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({
      code: 2,
      stdout: '',
      stderr: `${line}\n`,
    })
  }
  const withFlag = (flag: string, value: string) => {
    const args = [...TRANSFER]
    args[args.indexOf(flag) + 1] = value
    return args
  }

  test('bad EIP-55 checksum', () =>
    bad(
      withFlag('--to', '0x88a1493366D48225fc3cEFbdae9eBb23E323ADE3'),
      'heistguard: --to: bad EIP-55 checksum in 0x88a1493366D48225fc3cEFbdae9eBb23E323ADE3 (expected 0x88a1493366D48225fc3cEFbdae9eBb23E323Ade3); check the address character by character',
    ))

  test('odd-length hex', () =>
    bad([...TRANSFER, '--data', '0xabc'], 'heistguard: --data: odd number of hex digits (3)'))

  test('unknown Safe version', () =>
    bad(
      withFlag('--safe-version', '1.2.3'),
      'heistguard: --safe-version: unknown Safe version "1.2.3"; known versions: 0.1.0, 1.0.0, 1.1.0, 1.1.1, 1.2.0, 1.3.0, 1.3.0+L2, 1.4.1, 1.4.1+L2, 1.5.0, 1.5.0+L2',
    ))

  test('missing field', () =>
    bad(TRANSFER.slice(0, -2), 'heistguard: --nonce: required but not given'))

  test('missing chain id for a Transaction Service record', () =>
    bad(['--tx', STS, '--safe-version', '1.1.1'], 'heistguard: --chain-id: required but not given'))

  test('a 10 MB calldata (limit 1 MiB)', () => {
    const tx = file(
      'huge.json',
      JSON.stringify({
        chainId: 1,
        safe: SAFE,
        safeVersion: '1.3.0',
        to: HOT,
        nonce: 1,
        data: `0x${'ab'.repeat(10_000_000)}`,
      }),
    )
    return bad(
      ['--tx', tx],
      `heistguard: ${tx}.data: 10000000 bytes is more than the limit of 1048576`,
    )
  })

  test('a truncated JSON file names file:line:column', () => {
    const tx = file('truncated.json', '{\n  "chainId": 1,\n  "safe": "0x1Db9')
    return bad(['--tx', tx], `heistguard: ${tx}:3:18: invalid JSON: Unterminated string`)
  })

  test('a policy error names file:line and key', () => {
    const policy = file(
      'bad-policy.yaml',
      `safes:\n  - address: ${SAFE}\n    owners:\n      - 0x1234\n`,
    )
    return bad(
      [...TRANSFER, '--policy', policy],
      `heistguard: ${policy}:4: safes[0].owners[0]: not a 20-byte 0x address: "0x1234"`,
    )
  })

  test('unknown flag', () =>
    bad([...TRANSFER, '--frobnicate'], `heistguard: verify: Unknown option '--frobnicate'`))

  test('--simulate without --rpc', () =>
    bad(
      [...TRANSFER, '--simulate'],
      'heistguard: --simulate: --simulate needs --rpc URL (a node to fork from)',
    ))
})

describe('heistguard verify: injected simulation', () => {
  const context = {
    stderr: { write: () => true },
    env: {},
    cwd: ROOT,
    signal: new AbortController().signal,
  }
  test('without an injected simulator, --simulate is bad input', async () => {
    await expect(
      run({
        ...context,
        argv: [...TRANSFER, '--rpc', 'http://127.0.0.1:1', '--simulate'],
        stdout: { write: () => true },
      }),
    ).rejects.toThrow('--simulate: simulation not available in this build')
  })

  test('findings of context.simulate are merged into the verdict', async () => {
    let out = ''
    const code = await run({
      argv: [
        ...TRANSFER,
        '--policy',
        POLICY,
        '--rpc',
        'http://127.0.0.1:1',
        '--simulate',
        '--json',
      ],
      stdout: { write: (chunk: string) => (out += chunk) },
      stderr: { write: () => true },
      env: {},
      cwd: ROOT,
      signal: new AbortController().signal,
      simulate: async ({ rpc }) => ({
        result: { rpc },
        findings: [
          {
            rule: 'slot0-changed',
            severity: 'critical',
            effect: 'block',
            message: 'Slot 0 changes.',
          },
        ],
      }),
    })
    expect(code).toBe(4)
    const doc = JSON.parse(out)
    expect(doc.simulation).toEqual({ rpc: 'http://127.0.0.1:1' })
    expect(doc.findings.map((f: { rule: string }) => f.rule)).toEqual(['slot0-changed'])
  })
})
