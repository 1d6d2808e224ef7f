import { describe, expect, it } from 'vitest'
import { hashSafeTx } from './hashSafeTx.js'
import type { SafeTx } from './types.js'

const ZERO = '0x0000000000000000000000000000000000000000'

// The Bybit transaction, shared/data/README.md (Etherscan tx
// 0x46deef0f52e3a983b67abf4714448a41dd7ffd6d32d32da69d62081c68ad7882).
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

describe('hashSafeTx', () => {
  it('hashes the Bybit transaction to its public safeTxHash', () => {
    const hashes = hashSafeTx(
      { chainId: 1n, safe: '0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4', version: '1.1.1' },
      bybitTx,
    )
    expect(hashes.safeTxHash).toBe(
      '0xb3476d061aeb8fc1d605a873c483a2402d88a68a9cdd1a8b47655dd55ba004f8',
    )
  })
  it('ignores chainId before 1.3.0', () => {
    const a = hashSafeTx({ chainId: 1n, safe: ZERO, version: '1.2.0' }, bybitTx)
    const b = hashSafeTx({ chainId: 137n, safe: ZERO, version: '1.2.0' }, bybitTx)
    expect(a).toEqual(b)
    const c = hashSafeTx({ chainId: 1n, safe: ZERO, version: '1.3.0' }, bybitTx)
    const d = hashSafeTx({ chainId: 137n, safe: ZERO, version: '1.3.0' }, bybitTx)
    expect(c.domainHash).not.toBe(d.domainHash)
    expect(c.messageHash).toBe(d.messageHash)
  })
  it('rejects bad fields with an InputError naming the field', () => {
    const ctx = { chainId: 1n, safe: ZERO, version: '1.3.0' } as const
    expect(() => hashSafeTx(ctx, { ...bybitTx, to: '0x1234' })).toThrowError(
      'to: expected a 20-byte 0x-prefixed address',
    )
    expect(() => hashSafeTx(ctx, { ...bybitTx, value: -1n })).toThrowError(
      'value: expected an unsigned 256-bit integer',
    )
    expect(() => hashSafeTx(ctx, { ...bybitTx, data: '0xabc' })).toThrowError(/^data: /)
    expect(() => hashSafeTx(ctx, { ...bybitTx, operation: 2 as 0 })).toThrowError(/^operation: /)
    expect(() => hashSafeTx({ ...ctx, safe: 'nope' as '0x' }, bybitTx)).toThrowError(/^safe: /)
  })
})
