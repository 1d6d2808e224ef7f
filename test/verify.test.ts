import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { encodeFunctionData, getAddress, maxUint256, parseAbi } from 'viem'
import { describe, expect, test } from 'vitest'
import type { Address, Hex } from '../src/core/hex.js'
import { readAddressList } from '../src/labels/addressList.js'
import type { SafeContext, SafeTx } from '../src/safe/types.js'
import { encodeMultiSend } from '../src/verify/decodeMultiSend.js'
import { parsePolicy } from '../src/verify/policy.js'
import { recoverSignatures } from '../src/verify/recoverSignatures.js'
import { type VerifyInput, verifySafeTransaction } from '../src/verify/verifySafeTransaction.js'

// Public facts: shared/data/README.md (Bybit, chain 1, Safe v1.1.1, nonce 71).
const SAFE = '0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4' as Address
const context: SafeContext = { chainId: 1n, safe: SAFE, version: '1.1.1' }
const ZERO = '0x0000000000000000000000000000000000000000' as Address
const HOT = '0x88a1493366D48225fc3cEFbdae9eBb23E323Ade3' as Address
const BYBIT_SIGNATURES =
  '0xd0afef78a52fd504479dc2af3dc401334762cbd05609c7ac18db9ec5abf4a07a5cc09fc86efd3489707b89b0c729faed616459189cb50084f208d03b201b001f1f0f62ad358d6b319d3c1221d44456080068fe02ae5b1a39b4afb1e6721ca7f9903ac523a801533f265231cd35fc2dfddc3bd9a9563b51315cf9d5ff23dc6d2c221fdf9e4b878877a8dbeee951a4a31ddbf1d3b71e127d5eda44b4730030114baba52e06dd23da37cd2a07a6e84f9950db867374a0f77558f42adf4409bfd569673c1f' as Hex

const bybitTx: SafeTx = {
  to: '0x96221423681A6d52E184D440a8eFCEbB105C7242',
  value: 0n,
  data: '0xa9059cbb000000000000000000000000bdd077f651ebe7f7b3ce16fe5f2b025be29695160000000000000000000000000000000000000000000000000000000000000000',
  operation: 1,
  safeTxGas: 45746n,
  baseGas: 0n,
  gasPrice: 0n,
  gasToken: ZERO,
  refundReceiver: ZERO,
  nonce: 71n,
}
// The benign-looking proposal of the same nonce (Safe Transaction Service record, see vectors).
const hotWalletTx: SafeTx = {
  ...bybitTx,
  to: HOT,
  value: 30_000n * 10n ** 18n,
  data: '0x',
  operation: 0,
  safeTxGas: 45745n,
}

const POLICY = parsePolicy(
  `safes:
  - address: ${SAFE}
    chainId: 1
    name: Bybit cold wallet 1
    owners:
      - 0x1F4EB0a903619ac168b19A82F1a6e2e426522211
      - 0x3Cc3A225769900e003E264dd4CB43E90896BC21A
      - 0xe3dF2cCEAc61B1aFA311372ecC5B40A3A6585a9E
      - 0x828424517F9F04015db02169f4026D57B2B07229
      - 0x2cDD560058D5ac32dc416AAa09Eaf93230c0B7B3
      - 0xD367f8322b64F29faF71dDB5c1877dC9ED6EC644
    threshold: 3
    addressBook:
      - { address: ${HOT}, name: hot wallet, trust: trusted }
      - { address: 0xf89d7b9c864f589bbF53a82105107622B35EaA40, name: warm wallet, trust: trusted }
      - { address: 0xd5F7838F5C461fefF7FE49ea5ebaF7728bB0ADfa, name: mETH, symbol: mETH, decimals: 18 }
      - { address: 0x0fa09C3A328792253f8dee7116848723b72a6d2e, name: Bybit exploiter, trust: untrusted }
    limits:
      - { token: ETH, max: 60000 ETH }
      - { token: 0xd5F7838F5C461fefF7FE49ea5ebaF7728bB0ADfa, max: 10000 mETH }
`,
  'policy.yaml',
)

const rules = (verdict: { findings: { rule: string }[] }) => verdict.findings.map((f) => f.rule)

describe('verifySafeTransaction: the Bybit transaction', () => {
  test('exact safeTxHash, verdict block, DELEGATECALL to an unknown contract named', async () => {
    const input = await recoverSignatures({ context, tx: bybitTx, signatures: BYBIT_SIGNATURES })
    const verdict = verifySafeTransaction(input, { policy: POLICY })
    expect(verdict.hashes.safeTxHash).toBe(
      '0xb3476d061aeb8fc1d605a873c483a2402d88a68a9cdd1a8b47655dd55ba004f8',
    )
    expect(verdict.verdict).toBe('block')
    expect(verdict.summary).toBe(
      "DELEGATECALL: code at 0x9622…7242 runs with this Safe's storage and balance (calldata: transfer(0xbDd0…9516, 0)).",
    )
    const delegatecall = verdict.findings.find((f) => f.rule === 'delegatecall-not-allowlisted')
    expect(delegatecall).toMatchObject({ severity: 'critical', effect: 'block' })
    expect(delegatecall?.message).toBe(
      "DELEGATECALL to 0x96221423681A6d52E184D440a8eFCEbB105C7242, an unknown contract (not on the allowlist, not a canonical Safe library): its code would run with this Safe's storage and balance and could replace the Safe's implementation or owners and take everything (the Bybit theft).",
    )
    // The three signatures are real owners' eth_sign signatures over this very hash.
    expect(verdict.signatures?.map((s) => [s.type, s.signer, s.isOwner])).toEqual([
      ['eth_sign', '0x1F4EB0a903619ac168b19A82F1a6e2e426522211', true],
      ['eth_sign', '0x3Cc3A225769900e003E264dd4CB43E90896BC21A', true],
      ['eth_sign', '0xe3dF2cCEAc61B1aFA311372ecC5B40A3A6585a9E', true],
    ])
    expect(rules(verdict)).toEqual(['delegatecall-not-allowlisted'])
  })

  test('the same run on a plain ETH transfer to an address-book entry passes', () => {
    const verdict = verifySafeTransaction({ context, tx: hotWalletTx }, { policy: POLICY })
    expect(verdict.hashes.safeTxHash).toBe(
      '0x9d89e67333f99c136537be74029c44592985a4855172f4c2d0d942029868f98e',
    )
    expect(verdict.verdict).toBe('pass')
    expect(verdict.findings).toEqual([])
    expect(verdict.summary).toBe('Sends 30000 ETH to 0x88a1…Ade3 (hot wallet).')
  })

  test('the Bybit signatures attached to the benign proposal do not approve it', async () => {
    const input = await recoverSignatures({
      context,
      tx: hotWalletTx,
      signatures: BYBIT_SIGNATURES,
    })
    const verdict = verifySafeTransaction(input, { policy: POLICY })
    expect(verdict.verdict).toBe('block')
    const finding = verdict.findings.find((f) => f.rule === 'signatures-do-not-approve')
    expect(finding?.message).toMatch(
      /^These signatures do not approve the transaction you are looking at: signature 0 \(eth_sign\) recovers to 0x[0-9a-fA-F]{40}, which is not an owner/,
    )
    expect(verdict.signatures?.every((s) => s.isOwner === false)).toBe(true)
  })

  test('Transaction Service confirmations that recover to someone else than their owner block', async () => {
    const file = JSON.parse(
      readFileSync(new URL('vectors/decode-sts-bybit-nonce71.json', import.meta.url), 'utf8'),
    ) as { results: { confirmations: { owner: Address; signature: Hex }[] }[] }
    const confirmations = file.results[1]!.confirmations.map(({ owner, signature }) => ({
      owner,
      signature,
    }))
    const input = await recoverSignatures({ context, tx: hotWalletTx, confirmations })
    const verdict = verifySafeTransaction(input, { policy: POLICY })
    expect(verdict.verdict).toBe('block')
    expect(verdict.findings[0]?.message).toContain(
      'These signatures do not approve the transaction you are looking at: the confirmation said to be from 0x1F4EB0a903619ac168b19A82F1a6e2e426522211 recovers to 0x',
    )
    // The same confirmations on the executed record recover to exactly their owners.
    const real = await recoverSignatures({
      context,
      tx: bybitTx,
      confirmations: file.results[0]!.confirmations.map(({ owner, signature }) => ({
        owner,
        signature,
      })),
    })
    expect(real.confirmations?.map((c) => c.signer === c.owner)).toEqual([true, true, true])
  })

  test('a Transaction Service record whose stated safeTxHash is not the hash of its fields blocks', () => {
    const verdict = verifySafeTransaction(
      {
        context,
        tx: hotWalletTx,
        claimedSafeTxHash: '0xb3476d061aeb8fc1d605a873c483a2402d88a68a9cdd1a8b47655dd55ba004f8',
      },
      { policy: POLICY },
    )
    expect(rules(verdict)).toEqual(['safe-tx-hash-mismatch'])
    expect(verdict.verdict).toBe('block')
  })
})

describe('verifySafeTransaction: rules', () => {
  const erc20 = parseAbi([
    'function transfer(address to, uint256 amount)',
    'function approve(address spender, uint256 amount)',
    'function transferOwnership(address newOwner)',
  ])
  const call = (tx: Partial<SafeTx>): VerifyInput => ({ context, tx: { ...hotWalletTx, ...tx } })

  test('no policy: warns that recipients cannot be checked', () => {
    const verdict = verifySafeTransaction(call({}))
    expect(verdict.verdict).toBe('warn')
    expect(rules(verdict)).toEqual(['no-policy'])
  })

  test('a recipient outside the address book warns', () => {
    const verdict = verifySafeTransaction(
      call({ to: '0x2cDD560058D5ac32dc416AAa09Eaf93230c0B7B3', value: 1n }),
      { policy: parsePolicy(`safes:\n  - address: ${SAFE}\n`, 'p.yaml') },
    )
    expect(rules(verdict)).toEqual(['recipient-not-in-address-book'])
    expect(verdict.verdict).toBe('warn')
  })

  test('a look-alike of the hot wallet (address poisoning) blocks', () => {
    const poisoned = getAddress('0x88a1000000000000000000000000000000d1ade3')
    const verdict = verifySafeTransaction(call({ to: poisoned }), { policy: POLICY })
    expect(verdict.verdict).toBe('block')
    const finding = verdict.findings.find((f) => f.rule === 'lookalike-address')
    expect(finding?.message).toBe(
      `${poisoned} (recipient) looks like address-book entry "hot wallet" ${HOT} (same first 4 and last 4 hex digits) but is a different address: address poisoning or a swapped clipboard.`,
    )
  })

  test('a sanctioned recipient (OFAC list file) blocks', async () => {
    const sanctions = fileURLToPath(
      new URL('../../shared/data/sanctions/ofac_sdn_eth_2025-11-19_annotated.tsv', import.meta.url),
    )
    const list = await readAddressList(sanctions)
    const lazarus = '0x098B716B8Aaf21512996dC57EB0615e2383E2f96' as Address
    const verdict = verifySafeTransaction(call({ to: lazarus, value: 10n ** 18n }), {
      policy: POLICY,
      labels: {
        sanctioned: new Map(
          [...list.byAddress].map(([key, entry]) => [
            key,
            { source: list.source, name: entry.name ?? '' },
          ]),
        ),
      },
    })
    expect(verdict.verdict).toBe('block')
    expect(verdict.findings.find((f) => f.rule === 'sanctioned-counterparty')?.message).toBe(
      `${lazarus} (recipient) is on the list ofac_sdn_eth_2025-11-19_annotated.tsv as "Lazarus Group", a sanctions or stolen-funds list the policy names: do not transact with it.`,
    )
  })

  test('an untrusted address-book entry blocks', () => {
    const verdict = verifySafeTransaction(
      call({ to: '0x0fa09C3A328792253f8dee7116848723b72a6d2e', value: 1n }),
      { policy: POLICY },
    )
    expect(rules(verdict)).toEqual(['untrusted-counterparty'])
  })

  test('ETH above the policy limit blocks; summed over a MultiSendCallOnly batch', () => {
    const batch = encodeMultiSend([
      { operation: 0, to: HOT, value: 40_000n * 10n ** 18n, data: '0x' },
      { operation: 0, to: HOT, value: 30_000n * 10n ** 18n, data: '0x' },
    ])
    const data = encodeFunctionData({
      abi: parseAbi(['function multiSend(bytes transactions)']),
      args: [batch],
    })
    const verdict = verifySafeTransaction(
      call({ to: '0x40A2aCCbd92BCA938b02010E17A5b8929b49130D', value: 0n, data, operation: 1 }),
      { policy: POLICY },
    )
    expect(verdict.summary).toBe(
      'DELEGATECALL to MultiSendCallOnly 1.3.0 at 0x40A2…130D: runs a batch of 2 calls as this Safe.',
    )
    expect(rules(verdict)).toEqual(['value-limit-exceeded'])
    expect(verdict.findings[0]?.message).toBe(
      'This transaction moves 70000 ETH, above the policy limit of 60000 ETH.',
    )
  })

  test('a DELEGATECALL hidden inside a MultiSendCallOnly batch blocks', () => {
    const batch = encodeMultiSend([
      { operation: 0, to: HOT, value: 1n, data: '0x' },
      { operation: 1, to: bybitTx.to, value: 0n, data: bybitTx.data },
    ])
    const data = encodeFunctionData({
      abi: parseAbi(['function multiSend(bytes transactions)']),
      args: [batch],
    })
    const verdict = verifySafeTransaction(
      call({ to: '0x40A2aCCbd92BCA938b02010E17A5b8929b49130D', value: 0n, data, operation: 1 }),
      { policy: POLICY },
    )
    expect(verdict.verdict).toBe('block')
    expect(verdict.findings.map((f) => [f.rule, f.callPath])).toEqual([
      ['delegatecall-not-allowlisted', [1]],
    ])
  })

  test('the canonical MultiSend (not CallOnly) is not on the default allowlist', () => {
    const data = encodeFunctionData({
      abi: parseAbi(['function multiSend(bytes transactions)']),
      args: [encodeMultiSend([{ operation: 0, to: HOT, value: 1n, data: '0x' }])],
    })
    const verdict = verifySafeTransaction(
      call({ to: '0xA238CBeb142c10Ef7Ad8442C6D1f9E89e07e7761', value: 0n, data, operation: 1 }),
      { policy: POLICY },
    )
    expect(rules(verdict)).toEqual(['delegatecall-not-allowlisted'])
    expect(verdict.findings[0]?.message).toContain(
      'the canonical MultiSend 1.3.0, which is not on this Safe',
    )
  })

  test('a truncated MultiSend batch blocks', () => {
    const batch = encodeMultiSend([{ operation: 0, to: HOT, value: 1n, data: '0xdeadbeef' }])
    const data = encodeFunctionData({
      abi: parseAbi(['function multiSend(bytes transactions)']),
      args: [batch.slice(0, -2) as Hex],
    })
    const verdict = verifySafeTransaction(
      call({ to: '0x40A2aCCbd92BCA938b02010E17A5b8929b49130D', value: 0n, data, operation: 1 }),
      { policy: POLICY },
    )
    expect(verdict.verdict).toBe('block')
    expect(verdict.findings.find((f) => f.rule === 'multisend-malformed')?.message).toBe(
      'The calldata to 0x40A2aCCbd92BCA938b02010E17A5b8929b49130D is malformed: MultiSend batch is malformed: data length 4 at byte 0 (call 0) runs past the end of the batch (3 bytes left): truncated.',
    )
  })

  test('Radiant pattern: transferOwnership of a protocol contract to a stranger blocks', () => {
    // Radiant (Arbitrum, Oct 2024): ownership handed to attacker contract 0x57ba…Fbf5 (public
    // incident notes); the target here is Radiant's documented Arbitrum PoolAddressProvider.
    const data = encodeFunctionData({
      abi: erc20,
      functionName: 'transferOwnership',
      args: ['0x57ba8957ed2ff2e7AE38F4935451E81Ce1eEFbf5'],
    })
    const verdict = verifySafeTransaction(
      call({ to: '0x454a8daf74b24037ee2fa073ce1be9277ed6160a', value: 0n, data }),
      { policy: POLICY },
    )
    expect(verdict.verdict).toBe('block')
    expect(verdict.summary).toBe('Transfers ownership of 0x454a…160a to 0x57ba…Fbf5.')
    expect(rules(verdict)).toEqual(['admin-transfer-to-unknown'])
  })

  test('an unlimited approval warns; above the token limit it blocks', () => {
    const data = encodeFunctionData({
      abi: erc20,
      functionName: 'approve',
      args: [HOT, maxUint256],
    })
    const verdict = verifySafeTransaction(
      call({ to: '0xd5F7838F5C461fefF7FE49ea5ebaF7728bB0ADfa', value: 0n, data }),
      { policy: POLICY },
    )
    expect(rules(verdict).sort()).toEqual(['unlimited-approval', 'value-limit-exceeded'])
    expect(verdict.summary).toBe(
      'Lets 0x88a1…Ade3 (hot wallet) spend an unlimited amount of token 0xd5F7…ADfa (mETH).',
    )
  })

  test('real mETH transfer (Bybit Safe nonce 67) within the limit passes', () => {
    const verdict = verifySafeTransaction(
      call({
        to: '0xd5F7838F5C461fefF7FE49ea5ebaF7728bB0ADfa',
        value: 0n,
        data: '0xa9059cbb000000000000000000000000f89d7b9c864f589bbf53a82105107622b35eaa4000000000000000000000000000000000000000000000010f0cf064dd59200000',
        safeTxGas: 58814n,
        nonce: 67n,
      }),
      { policy: POLICY },
    )
    expect(verdict.hashes.safeTxHash).toBe(
      '0xad245c7f3218995cb1e6a723dce14910d23a5105d997650704b82d8e005efcf7',
    )
    expect(verdict.summary).toBe(
      'Transfers 5000 mETH of token 0xd5F7…ADfa (mETH) to 0xf89d…aA40 (warm wallet).',
    )
    expect(verdict.verdict).toBe('pass')
  })

  test('real swapOwner (Bybit Safe nonce 55): a config change warns, or blocks by policy', () => {
    const input = call({
      to: SAFE,
      value: 0n,
      data: '0xe318b52b000000000000000000000000828424517f9f04015db02169f4026d57b2b07229000000000000000000000000be72691aca605050d1e693a2c2c6a9f3f41dc9390000000000000000000000003cc3a225769900e003e264dd4cb43e90896bc21a',
      safeTxGas: 72952n,
      nonce: 55n,
    })
    const warn = verifySafeTransaction(input, { policy: POLICY })
    expect(warn.hashes.safeTxHash).toBe(
      '0x3a325ac2855fc926625d04cd82b844d2cb5180e6875995c860426a87b133ae24',
    )
    expect(warn.summary).toBe('Replaces owner 0xBE72…C939 of this Safe with 0x3Cc3…C21A.')
    expect(rules(warn)).toEqual(['safe-config-change'])
    expect(warn.verdict).toBe('warn')
    const strict = parsePolicy(
      `safes:\n  - address: ${SAFE}\n    owners: [0x3Cc3A225769900e003E264dd4CB43E90896BC21A]\n    configChanges: block\n`,
      'strict.yaml',
    )
    expect(verifySafeTransaction(input, { policy: strict }).verdict).toBe('block')
  })

  test('a new owner nobody listed blocks', () => {
    const input = call({
      to: SAFE,
      value: 0n,
      data: '0x0d582f130000000000000000000000003dd4b4dbe6aee6f49a65f0c1ac508deff761c1950000000000000000000000000000000000000000000000000000000000000003',
    })
    const verdict = verifySafeTransaction(input, { policy: POLICY })
    expect(verdict.summary).toBe('Adds owner 0x3dd4…C195 to this Safe and sets the threshold to 3.')
    expect(rules(verdict).sort()).toEqual(['admin-transfer-to-unknown', 'safe-config-change'])
  })

  test('DELEGATECALL to the canonical SafeMigration 1.4.1 is allowed but reported as a config change', () => {
    const data = encodeFunctionData({ abi: parseAbi(['function migrateSingleton()']) })
    const verdict = verifySafeTransaction(
      call({ to: '0x526643F69b81B008F46d95CD5ced5eC0edFFDaC6', value: 0n, data, operation: 1 }),
      { policy: POLICY },
    )
    expect(verdict.summary).toBe(
      'DELEGATECALL to SafeMigration 1.4.1 at 0x5266…DaC6: migrates this Safe to another singleton with migrateSingleton().',
    )
    expect(rules(verdict)).toEqual(['safe-config-change'])
  })

  test('DELEGATECALL to the canonical SignMessageLib 1.3.0 warns: the Safe signs a message', () => {
    const data = encodeFunctionData({
      abi: parseAbi(['function signMessage(bytes _data)']),
      args: ['0x1234'],
    })
    const verdict = verifySafeTransaction(
      call({ to: '0xA65387F16B013cf2Af4605Ad8aA5ec25a2cbA3a2', value: 0n, data, operation: 1 }),
      { policy: POLICY },
    )
    expect(rules(verdict)).toEqual(['safe-signs-message'])
    expect(verdict.verdict).toBe('warn')
  })

  test('a gas refund to tx.origin with non-zero gasPrice blocks', () => {
    const verdict = verifySafeTransaction(call({ gasPrice: 10n ** 12n }), { policy: POLICY })
    expect(rules(verdict)).toEqual(['gas-refund-to-unknown'])
  })

  test('an unknown selector is reported, never guessed', () => {
    const verdict = verifySafeTransaction(call({ value: 0n, data: '0x12345678' }), {
      policy: POLICY,
    })
    expect(verdict.calls[0]?.function).toBeNull()
    expect(rules(verdict)).toEqual(['unknown-function'])
  })

  test('trailing bytes after valid arguments: decoded, but flagged as not re-encoding', () => {
    const data =
      `${encodeFunctionData({ abi: erc20, functionName: 'transfer', args: [HOT, 1n] })}deadbeef` as Hex
    const verdict = verifySafeTransaction(
      call({ to: '0xd5F7838F5C461fefF7FE49ea5ebaF7728bB0ADfa', value: 0n, data }),
      { policy: POLICY },
    )
    expect(verdict.calls[0]?.function?.reencodes).toBe(false)
    expect(rules(verdict)).toEqual(['non-canonical-calldata'])
  })

  test('intents: a matching transfer is reported, one outside the window warns', () => {
    const policy = parsePolicy(
      `safes:
  - address: ${SAFE}
    intents:
      - id: weekly-rebalance
        destination: 0x2cDD560058D5ac32dc416AAa09Eaf93230c0B7B3
        token: ETH
        maxAmount: 100 ETH
        notBefore: 2025-02-21T00:00:00Z
        notAfter: 2025-02-22T00:00:00Z
`,
      'intents.yaml',
    )
    const input = call({
      to: '0x2cDD560058D5ac32dc416AAa09Eaf93230c0B7B3',
      value: 50n * 10n ** 18n,
    })
    const inside = verifySafeTransaction(input, { policy, now: new Date('2025-02-21T12:00:00Z') })
    expect(inside.verdict).toBe('pass')
    expect(inside.findings[0]?.message).toBe(
      'Matches the pre-approved intent "weekly-rebalance": 50 ETH to 0x2cDD560058D5ac32dc416AAa09Eaf93230c0B7B3 (at most 100 ETH, 2025-02-21T00:00:00.000Z to 2025-02-22T00:00:00.000Z).',
    )
    const late = verifySafeTransaction(input, { policy, now: new Date('2025-03-01T00:00:00Z') })
    expect(rules(late).sort()).toEqual(['intent-mismatch', 'recipient-not-in-address-book'])
  })

  test('extra findings (from a simulation) are merged into the verdict', () => {
    const verdict = verifySafeTransaction(call({}), {
      policy: POLICY,
      simulation: { ok: true },
      extraFindings: [
        {
          rule: 'slot0-changed',
          severity: 'critical',
          effect: 'block',
          message: 'Slot 0 changes.',
        },
      ],
    })
    expect(verdict.verdict).toBe('block')
    expect(verdict.simulation).toEqual({ ok: true })
  })
})
