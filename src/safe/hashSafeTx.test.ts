import fc from 'fast-check'
import { hashDomain, hashStruct, hashTypedData, type TypedDataDefinition } from 'viem'
import { describe, expect, it } from 'vitest'
import vectors from '../../test/vectors/safe-hashes.json' with { type: 'json' }
import type { Address, Hex } from '../core/hex.js'
import { hashSafeDomain } from './hashSafeDomain.js'
import { hashSafeTx } from './hashSafeTx.js'
import { SAFE_VERSIONS, safeVersionFeatures } from './safeVersionFeatures.js'
import type { Operation, SafeTx, SafeVersion } from './types.js'

/** Versions that hash a SafeTx identically, as named by the vectors' `family`. */
const FAMILIES: Record<string, readonly SafeVersion[]> = {
  '0.1.0': ['0.1.0'],
  '1.0.0': ['1.0.0'],
  '1.0.0-1.2.0': ['1.0.0', '1.1.0', '1.1.1', '1.2.0'],
  '1.3.0+': ['1.3.0', '1.3.0+L2', '1.4.1', '1.4.1+L2', '1.5.0', '1.5.0+L2'],
}

const ZERO = '0x0000000000000000000000000000000000000000'

function txFromJson(tx: (typeof vectors.vectors)[number]['tx']): SafeTx {
  return {
    to: tx.to as Address,
    value: BigInt(tx.value),
    data: tx.data as Hex,
    operation: tx.operation as Operation,
    safeTxGas: BigInt(tx.safeTxGas),
    baseGas: BigInt(tx.baseGas),
    gasPrice: BigInt(tx.gasPrice),
    gasToken: tx.gasToken as Address,
    refundReceiver: tx.refundReceiver as Address,
    nonce: BigInt(tx.nonce),
  }
}

describe('hashSafeTx: known-answer vectors (test/vectors/safe-hashes.json)', () => {
  it('cover every hashing family', () => {
    const families = new Set(vectors.vectors.map((v) => v.family))
    for (const family of ['0.1.0', '1.0.0-1.2.0', '1.3.0+']) expect(families).toContain(family)
  })
  for (const vector of vectors.vectors) {
    const versions = FAMILIES[vector.family]!
    it(`${vector.name} [${versions.join(', ')}]`, () => {
      if (vector.safeVersion !== null) expect(versions).toContain(vector.safeVersion)
      for (const version of versions) {
        const hashes = hashSafeTx(
          { chainId: BigInt(vector.chainId), safe: vector.safe as Address, version },
          txFromJson(vector.tx),
        )
        expect(hashes).toMatchObject(vector.expected)
      }
    })
  }
})

describe('hashSafeTx', () => {
  const bybit = vectors.vectors[0]!
  it('hashes the Bybit transaction to its public safeTxHash', () => {
    expect(
      hashSafeTx(
        { chainId: 1n, safe: '0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4', version: '1.1.1' },
        txFromJson(bybit.tx),
      ).safeTxHash,
    ).toBe('0xb3476d061aeb8fc1d605a873c483a2402d88a68a9cdd1a8b47655dd55ba004f8')
  })
  it('rejects bad fields with an InputError naming the field', () => {
    const ctx = { chainId: 1n, safe: ZERO, version: '1.3.0' } as const
    const tx = txFromJson(bybit.tx)
    expect(() => hashSafeTx(ctx, { ...tx, to: '0x1234' })).toThrowError(
      'to: expected a 20-byte 0x-prefixed address',
    )
    expect(() => hashSafeTx(ctx, { ...tx, value: -1n })).toThrowError(
      'value: expected an unsigned 256-bit integer',
    )
    expect(() => hashSafeTx(ctx, { ...tx, nonce: 1n << 256n })).toThrowError(/^nonce: /)
    expect(() => hashSafeTx(ctx, { ...tx, data: '0xabc' })).toThrowError(/^data: /)
    expect(() => hashSafeTx({ ...ctx, safe: 'nope' as Address }, tx)).toThrowError(/^safe: /)
    expect(() => hashSafeTx({ ...ctx, chainId: -1n }, tx)).toThrowError(/^chainId: /)
  })
  it('accepts operation 2 (CREATE) only for 0.1.0 and 1.0.0', () => {
    const tx = { ...txFromJson(bybit.tx), operation: 2 as Operation }
    expect(() => hashSafeTx({ chainId: 1n, safe: ZERO, version: '1.0.0' }, tx)).not.toThrow()
    expect(() => hashSafeTx({ chainId: 1n, safe: ZERO, version: '1.1.1' }, tx)).toThrowError(
      'operation: expected 0 (CALL) or 1 (DELEGATECALL)',
    )
  })
})

const address = fc
  .uint8Array({ minLength: 20, maxLength: 20 })
  .map((b) => `0x${Buffer.from(b).toString('hex')}` as Address)
const uint256 = fc.bigInt({ min: 0n, max: (1n << 256n) - 1n })
const smallish = fc.oneof(fc.bigInt({ min: 0n, max: 1n << 64n }), uint256)
const safeTx: fc.Arbitrary<SafeTx> = fc.record({
  to: address,
  value: smallish,
  data: fc.uint8Array({ maxLength: 300 }).map((b) => `0x${Buffer.from(b).toString('hex')}` as Hex),
  operation: fc.constantFrom<Operation>(0, 1),
  safeTxGas: smallish,
  baseGas: smallish,
  gasPrice: smallish,
  gasToken: fc.oneof(fc.constant(ZERO as Address), address),
  refundReceiver: fc.oneof(fc.constant(ZERO as Address), address),
  nonce: smallish,
})

describe('hashSafeTx: property', () => {
  it("equals viem's generic hashTypedData with the version's types, for random transactions", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SAFE_VERSIONS),
        fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
        address,
        safeTx,
        (version, chainId, safe, tx) => {
          const features = safeVersionFeatures(version)
          const domain = features.chainIdInDomain
            ? { chainId, verifyingContract: safe }
            : { verifyingContract: safe }
          const types = {
            SafeTx: [
              { name: 'to', type: 'address' },
              { name: 'value', type: 'uint256' },
              { name: 'data', type: 'bytes' },
              { name: 'operation', type: 'uint8' },
              { name: 'safeTxGas', type: 'uint256' },
              { name: features.gasField, type: 'uint256' },
              { name: 'gasPrice', type: 'uint256' },
              { name: 'gasToken', type: 'address' },
              { name: 'refundReceiver', type: 'address' },
              { name: 'nonce', type: 'uint256' },
            ],
          }
          const { baseGas, ...rest } = tx
          const message = { ...rest, [features.gasField]: baseGas }
          const hashes = hashSafeTx({ chainId, safe, version }, tx)
          expect(hashes.safeTxHash).toBe(
            hashTypedData({ domain, types, primaryType: 'SafeTx', message } as TypedDataDefinition),
          )
          expect(hashes.messageHash).toBe(
            hashStruct({ data: message, primaryType: 'SafeTx', types } as Parameters<
              typeof hashStruct
            >[0]),
          )
          expect(hashes.domainHash).toBe(
            hashDomain({
              domain,
              types: {
                EIP712Domain: features.chainIdInDomain
                  ? [
                      { name: 'chainId', type: 'uint256' },
                      { name: 'verifyingContract', type: 'address' },
                    ]
                  : [{ name: 'verifyingContract', type: 'address' }],
              },
            } as Parameters<typeof hashDomain>[0]),
          )
        },
      ),
      { numRuns: 300 },
    )
  })
  it('leaves chainId out of the domain before 1.3.0 and binds it from 1.3.0', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SAFE_VERSIONS),
        address,
        fc.bigInt({ min: 0n, max: 1n << 64n }),
        fc.bigInt({ min: 0n, max: 1n << 64n }),
        (version, safe, a, b) => {
          fc.pre(a !== b)
          const same =
            hashSafeDomain({ chainId: a, safe, version }) ===
            hashSafeDomain({ chainId: b, safe, version })
          expect(same).toBe(!safeVersionFeatures(version).chainIdInDomain)
        },
      ),
      { numRuns: 200 },
    )
  })
})
