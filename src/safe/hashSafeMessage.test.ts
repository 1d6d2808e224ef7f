import fc from 'fast-check'
import { hashMessage, hashTypedData, type TypedDataDefinition } from 'viem'
import { describe, expect, it } from 'vitest'
import vectors from '../../test/vectors/safe-messages.json' with { type: 'json' }
import type { Address, Hex } from '../core/hex.js'
import { hashSafeMessage, hashSafeMessageBytes, type SafeMessage } from './hashSafeMessage.js'
import { SAFE_VERSIONS, safeVersionFeatures } from './safeVersionFeatures.js'
import type { SafeVersion } from './types.js'

const FAMILIES: Record<string, readonly SafeVersion[]> = {
  '1.0.0-1.2.0': ['1.0.0', '1.1.0', '1.1.1', '1.2.0'],
  '1.3.0+': ['1.3.0', '1.3.0+L2', '1.4.1', '1.4.1+L2', '1.5.0', '1.5.0+L2'],
}

describe('hashSafeMessage: known-answer vectors (test/vectors/safe-messages.json)', () => {
  for (const vector of vectors.vectors)
    it(vector.name, () => {
      const message: SafeMessage =
        'text' in vector.message
          ? (vector.message.text as string)
          : (vector.message.typedData as unknown as TypedDataDefinition)
      for (const version of FAMILIES[vector.family]!) {
        const hashes = hashSafeMessage(
          { chainId: BigInt(vector.chainId), safe: vector.safe as Address, version },
          message,
        )
        expect(hashes).toMatchObject(vector.expected)
      }
    })
})

describe('hashSafeMessage', () => {
  const ctx = {
    chainId: 1n,
    safe: '0x1c694Fc3006D81ff4a56F97E1b99529066a23725',
    version: '1.3.0',
  } as const
  it('hashes { raw } bytes with EIP-191 like a string of the same bytes', () => {
    expect(hashSafeMessage(ctx, { raw: '0x68656c6c6f' })).toEqual(hashSafeMessage(ctx, 'hello'))
  })
  it('rejects malformed typed data and raw bytes with an InputError on `message`', () => {
    const bad = {
      types: { Mail: [{ name: 'x', type: 'uint8' }] },
      primaryType: 'Mail',
      domain: {},
      message: { x: 300n },
    } as const
    expect(() => hashSafeMessage(ctx, bad)).toThrowError(/^message: invalid EIP-712 typed data: /)
    expect(() => hashSafeMessage(ctx, { raw: '0x1' as Hex })).toThrowError(/^message\.raw: /)
    expect(() => hashSafeMessage(ctx, 42 as unknown as string)).toThrowError(
      'message: expected a string, { raw: hex } or EIP-712 typed data',
    )
  })
})

describe('hashSafeMessage: property', () => {
  it("equals viem's hashTypedData of SafeMessage(bytes message) over the dApp's hash", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SAFE_VERSIONS),
        fc.bigInt({ min: 0n, max: 1n << 64n }),
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.string(),
        (version, chainId, safeBytes, text) => {
          const safe = `0x${Buffer.from(safeBytes).toString('hex')}` as Address
          const domain = safeVersionFeatures(version).chainIdInDomain
            ? { chainId, verifyingContract: safe }
            : { verifyingContract: safe }
          const expected = hashTypedData({
            domain,
            types: { SafeMessage: [{ name: 'message', type: 'bytes' }] },
            primaryType: 'SafeMessage',
            message: { message: hashMessage(text) },
          })
          const hashes = hashSafeMessage({ chainId, safe, version }, text)
          expect(hashes.safeMessageHash).toBe(expected)
          expect(hashes.rawMessageHash).toBe(hashMessage(text))
          expect(hashSafeMessageBytes({ chainId, safe, version }, hashMessage(text))).toEqual({
            domainHash: hashes.domainHash,
            messageHash: hashes.messageHash,
            safeMessageHash: hashes.safeMessageHash,
          })
        },
      ),
      { numRuns: 200 },
    )
  })
})
