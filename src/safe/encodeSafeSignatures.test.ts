import fc from 'fast-check'
import { hashMessage, hexToBigInt } from 'viem'
import { privateKeyToAccount, sign } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import type { Address, Hex } from '../core/hex.js'
import { encodeSafeSignatures, type SafeSignatureInput } from './encodeSafeSignatures.js'
import { parseSignatures } from './parseSignatures.js'

const hash = '0xb3476d061aeb8fc1d605a873c483a2402d88a68a9cdd1a8b47655dd55ba004f8'
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}` as Hex
const key = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map(hex)
  .filter(
    (k) =>
      BigInt(k) > 0n &&
      BigInt(k) < 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
  )

type Spec =
  | { type: 'ecdsa' | 'eth_sign'; key: Hex }
  | { type: 'approved-hash'; owner: Address }
  | { type: 'contract'; owner: Address; data: Hex }
const spec: fc.Arbitrary<Spec> = fc.oneof(
  fc.record({ type: fc.constantFrom('ecdsa' as const, 'eth_sign' as const), key }),
  fc.record({
    type: fc.constant('approved-hash' as const),
    owner: fc.uint8Array({ minLength: 20, maxLength: 20 }).map(hex),
  }),
  fc.record({
    type: fc.constant('contract' as const),
    owner: fc.uint8Array({ minLength: 20, maxLength: 20 }).map(hex),
    data: fc.uint8Array({ maxLength: 150 }).map(hex),
  }),
)

async function toInput(s: Spec): Promise<SafeSignatureInput> {
  if (s.type === 'approved-hash' || s.type === 'contract')
    return s.type === 'contract'
      ? { type: s.type, signer: s.owner, data: s.data }
      : { type: s.type, signer: s.owner }
  const signer = privateKeyToAccount(s.key).address
  const signed = s.type === 'ecdsa' ? hash : hashMessage({ raw: hash })
  return {
    type: s.type,
    signer,
    signature: await sign({ hash: signed, privateKey: s.key, to: 'hex' }),
  }
}

describe('encodeSafeSignatures', () => {
  it('round-trips through parseSignatures, sorted by owner (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(spec, { maxLength: 6 }), async (specs) => {
        const inputs = await Promise.all(specs.map(toInput))
        const owners = inputs.map((i) => i.signer.toLowerCase())
        fc.pre(new Set(owners).size === owners.length)
        const parsed = await parseSignatures(encodeSafeSignatures(inputs), hash)
        const expected = [...inputs].sort((a, b) =>
          hexToBigInt(a.signer) < hexToBigInt(b.signer) ? -1 : 1,
        )
        expect(parsed.map((p) => [p.type, p.signer.toLowerCase()])).toEqual(
          expected.map((i) => [i.type, i.signer.toLowerCase()]),
        )
        for (const [k, p] of parsed.entries()) {
          const e = expected[k]!
          if (e.type === 'contract') expect(p.data).toBe(e.data.toLowerCase())
        }
      }),
      { numRuns: 60 },
    )
  })
  it('rejects an owner signing twice and a v that does not fit the type', () => {
    const owner = '0x1F4EB0a903619ac168b19A82F1a6e2e426522211'
    expect(() =>
      encodeSafeSignatures([
        { type: 'approved-hash', signer: owner },
        { type: 'approved-hash', signer: owner.toLowerCase() as Address },
      ]),
    ).toThrowError(`signatures: owner ${owner.toLowerCase()} signs twice`)
    expect(() =>
      encodeSafeSignatures([{ type: 'ecdsa', signer: owner, signature: `0x${'11'.repeat(64)}1f` }]),
    ).toThrowError('signatures[0].signature: v=31 does not fit a ecdsa signature')
    expect(() =>
      encodeSafeSignatures([{ type: 'ecdsa', signer: owner, signature: '0x1b' }]),
    ).toThrowError('signatures[0].signature: expected a 65-byte signature r ‖ s ‖ v')
  })
})
