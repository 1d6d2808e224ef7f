import fc from 'fast-check'
import { concat, hashMessage, numberToHex, pad, size } from 'viem'
import { privateKeyToAccount, sign } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import vectors from '../../test/vectors/safe-signatures.json' with { type: 'json' }
import type { Hex } from '../core/hex.js'
import { parseSignatures, recoverSafeSigner } from './parseSignatures.js'
import { splitSafeSignatures } from './splitSafeSignatures.js'

const hash = '0xb3476d061aeb8fc1d605a873c483a2402d88a68a9cdd1a8b47655dd55ba004f8'
const owner = '0x1F4EB0a903619ac168b19A82F1a6e2e426522211'

describe('parseSignatures: known-answer vectors (test/vectors/safe-signatures.json)', () => {
  for (const vector of vectors.vectors)
    it(vector.name, async () => {
      const parsed = await parseSignatures(vector.signatures as Hex, vector.safeTxHash as Hex)
      expect(parsed.map(({ type, signer }) => ({ type, signer }))).toEqual(vector.expected)
    })
  it('Bybit: offsets, v, and one signature at a time', async () => {
    const { signatures } = vectors.vectors[0]!
    const parsed = await parseSignatures(signatures as Hex, hash, { count: 3 })
    expect(parsed.map((p) => [p.index, p.offset, p.v])).toEqual([
      [0, 0, 31],
      [1, 65, 31],
      [2, 130, 31],
    ])
    expect(await recoverSafeSigner(parsed[1]!.bytes, hash)).toBe(
      '0x3Cc3A225769900e003E264dd4CB43E90896BC21A',
    )
  })
})

const privateKey = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((b) => `0x${Buffer.from(b).toString('hex')}` as Hex)
  .filter(
    (k) =>
      BigInt(k) > 0n &&
      BigInt(k) < 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
  )
const bytes32 = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((b) => `0x${Buffer.from(b).toString('hex')}` as Hex)

describe('parseSignatures: property', () => {
  it('recovers ECDSA, eth_sign, approved-hash and contract signers of random keys', async () => {
    await fc.assert(
      fc.asyncProperty(
        privateKey,
        privateKey,
        bytes32,
        fc.uint8Array({ maxLength: 100 }),
        async (k1, k2, h, contractData) => {
          const a1 = privateKeyToAccount(k1)
          const a2 = privateKeyToAccount(k2)
          const ecdsa = await sign({ hash: h, privateKey: k1, to: 'hex' })
          const ethSignRaw = await sign({
            hash: hashMessage({ raw: h }),
            privateKey: k2,
            to: 'hex',
          })
          const v = Number.parseInt(ethSignRaw.slice(-2), 16) + 4
          const ethSign = concat([ethSignRaw.slice(0, -2) as Hex, numberToHex(v, { size: 1 })])
          const approved = concat([pad(owner), pad('0x'), '0x01'])
          const data = `0x${Buffer.from(contractData).toString('hex')}` as Hex
          const contract = concat([pad(a2.address), numberToHex(4 * 65, { size: 32 }), '0x00'])
          const blob = concat([
            ecdsa,
            ethSign,
            approved,
            contract,
            numberToHex(size(data), { size: 32 }),
            data,
          ])
          for (const options of [{}, { count: 4 }]) {
            const parsed = await parseSignatures(blob, h, options)
            expect(parsed.map((p) => p.type)).toEqual([
              'ecdsa',
              'eth_sign',
              'approved-hash',
              'contract',
            ])
            expect(parsed.map((p) => p.signer)).toEqual([a1.address, a2.address, owner, a2.address])
            expect(parsed[3]!.dataOffset).toBe(260)
            expect(parsed[3]!.data).toBe(data.toLowerCase())
          }
        },
      ),
      { numRuns: 40 },
    )
  })
})

describe('splitSafeSignatures: malformed input', () => {
  const ecdsa = `0x${'11'.repeat(32)}${'22'.repeat(32)}1b` as Hex
  it('rejects a blob that is not whole signatures', () => {
    expect(() => splitSafeSignatures(`${ecdsa}00`)).toThrowError(
      'signatures: 1 trailing bytes at byte 65 do not form a 65-byte signature',
    )
    expect(() => splitSafeSignatures(ecdsa, { count: 2 })).toThrowError(
      'signatures: 65 bytes hold fewer than 2 signatures of 65 bytes (GS020)',
    )
    expect(() => splitSafeSignatures('0x123' as Hex)).toThrowError(/^signatures: expected/)
  })
  it('rejects an unknown v with its byte offset', () => {
    const bad = concat([ecdsa, `0x${'11'.repeat(64)}1d`])
    expect(() => splitSafeSignatures(bad, { field: '--signatures' })).toThrowError(
      '--signatures: signature 1 at byte 65: v=29 is none of 0 (contract), 1 (approved hash), 27/28 (ECDSA), 31/32 (eth_sign)',
    )
  })
  it('bounds-checks contract signature data like GS021-GS023', () => {
    const contract = (offset: number) =>
      concat([pad(owner), numberToHex(offset, { size: 32 }), '0x00'])
    expect(() => splitSafeSignatures(concat([ecdsa, contract(65)]), { count: 2 })).toThrowError(
      'signature 1 at byte 65: contract data offset 65 points inside the static part (GS021)',
    )
    expect(() => splitSafeSignatures(concat([ecdsa, contract(100)]))).toThrowError(
      "signatures: a contract signature's data offset 100 points inside the static part, which ends at byte 130 (GS021)",
    )
    expect(() =>
      splitSafeSignatures(concat([contract(100), numberToHex(0, { size: 64 })])),
    ).toThrowError(
      'signatures: bytes 65 to 100, before the contract signature data, are not a 65-byte signature',
    )
    expect(() => splitSafeSignatures(concat([contract(65)]))).toThrowError(
      'signature 0 at byte 0: contract data offset 65 is past the end (65 bytes) (GS022)',
    )
    expect(() =>
      splitSafeSignatures(concat([contract(65), numberToHex(2, { size: 32 }), '0xaa'])),
    ).toThrowError(
      'signature 0 at byte 0: contract data of 2 bytes at byte 97 runs past the end (98 bytes) (GS023)',
    )
  })
  it('rejects an ECDSA signature with r = 0 at recovery', async () => {
    const zero = `0x${'00'.repeat(64)}1b` as Hex
    await expect(parseSignatures(zero, hash)).rejects.toThrowError(
      'signatures: signature 0 at byte 0: no signer can be recovered (r or s out of range)',
    )
  })
})
