import { describe, expect, it } from 'vitest'
import vectors from '../../test/vectors/safe-hashes.json' with { type: 'json' }
import type { Address, Hex } from '../core/hex.js'
import {
  buildApproveHashTx,
  decodeApproveHashTx,
  describeApproveHashTx,
  nestedApproval,
  preValidatedSignature,
} from './approveHash.js'
import { nestedContractSignature } from './nestedContractSignature.js'
import { parseSignatures } from './parseSignatures.js'
import type { Operation, SafeTx } from './types.js'

const find = (prefix: string) => {
  const v = vectors.vectors.find((x) => x.name.startsWith(prefix))!
  const tx: SafeTx = {
    to: v.tx.to as Address,
    value: BigInt(v.tx.value),
    data: v.tx.data as Hex,
    operation: v.tx.operation as Operation,
    safeTxGas: BigInt(v.tx.safeTxGas),
    baseGas: BigInt(v.tx.baseGas),
    gasPrice: BigInt(v.tx.gasPrice),
    gasToken: v.tx.gasToken as Address,
    refundReceiver: v.tx.refundReceiver as Address,
    nonce: BigInt(v.tx.nonce),
  }
  return { vector: v, tx }
}
const primary = find('safe-tx-hashes-util README: Sepolia primary')
const nested = find('safe-tx-hashes-util README: Sepolia nested')

describe('nestedApproval (safe-tx-hashes-util README, Nested Safes)', () => {
  it('reproduces the published parent and child hashes', () => {
    const flow = nestedApproval(
      { chainId: 11155111n, safe: primary.vector.safe as Address, version: '1.3.0' },
      primary.tx,
      { chainId: 11155111n, safe: nested.vector.safe as Address, version: '1.4.1' },
      4n,
    )
    expect(flow.parent).toEqual(primary.vector.expected)
    expect(flow.child).toEqual(nested.vector.expected)
    expect(flow.childTx).toEqual({ ...nested.tx, to: primary.vector.safe })
  })
})

describe('buildApproveHashTx / decodeApproveHashTx / describeApproveHashTx', () => {
  const hash = '0xcb8bbe7bf8f8a1f3f57658e450d07d4422356ac042d96a87ba425b19e67a78a1'
  const parentSafe = '0x657ff0D4eC65D82b2bC1247b0a558bcd2f80A0f1'
  it('round-trips', () => {
    const tx = buildApproveHashTx({ parentSafe, safeTxHash: hash, nonce: 4n })
    expect(tx.data).toBe(nested.tx.data)
    expect(decodeApproveHashTx(tx)).toEqual({ parentSafe, approvedHash: hash, canonical: true })
    expect(describeApproveHashTx(tx)).toBe(
      `approves hash ${hash} on Safe ${parentSafe} (approveHash)`,
    )
  })
  it('flags approveHash sent as a DELEGATECALL or with value', () => {
    const tx = { ...buildApproveHashTx({ parentSafe, safeTxHash: hash, nonce: 4n }) }
    const odd = { ...tx, operation: 1 as Operation, value: 5n }
    expect(decodeApproveHashTx(odd)?.canonical).toBe(false)
    expect(describeApproveHashTx(odd)).toBe(
      `approves hash ${hash} on Safe ${parentSafe} (approveHash), unusually as a DELEGATECALL, sending 5 wei`,
    )
  })
  it('ignores other calls', () => {
    expect(decodeApproveHashTx(primary.tx)).toBeUndefined()
    expect(
      decodeApproveHashTx({ ...primary.tx, data: `${nested.tx.data}00` as Hex }),
    ).toBeUndefined()
    expect(describeApproveHashTx(primary.tx)).toBeUndefined()
  })
  it('rejects a bad parent Safe or hash', () => {
    expect(() =>
      buildApproveHashTx({ parentSafe: '0x12', safeTxHash: hash, nonce: 0n }),
    ).toThrowError(/^parentSafe: /)
    expect(() => buildApproveHashTx({ parentSafe, safeTxHash: '0x12', nonce: 0n })).toThrowError(
      /^safeTxHash: /,
    )
  })
})

describe('preValidatedSignature', () => {
  it('is r = owner, s = 0, v = 1 and parses back to the owner', async () => {
    const owner = '0x6bc56d6CE87C86CB0756c616bECFD3Cd32b09251'
    const sig = preValidatedSignature(owner)
    expect(sig).toBe(`0x${'00'.repeat(12)}${owner.slice(2).toLowerCase()}${'00'.repeat(32)}01`)
    const [parsed] = await parseSignatures(sig, primary.vector.expected.safeTxHash as Hex)
    expect(parsed).toMatchObject({ type: 'approved-hash', v: 1, signer: owner })
  })
})

describe('nestedContractSignature', () => {
  it('refuses a 1.5.0 parent instead of guessing its EIP-1271 flow', () => {
    const ctx = { chainId: 1n, safe: primary.vector.safe as Address, version: '1.5.0' } as const
    expect(() => nestedContractSignature(ctx, primary.tx, ctx)).toThrowError(
      'version: contract signatures for a Safe 1.5.0 parent are not supported yet; use approveHash',
    )
  })
  it('hands the child the parent encodeTransactionData bytes', () => {
    const ctx = {
      chainId: 11155111n,
      safe: primary.vector.safe as Address,
      version: '1.3.0',
    } as const
    const flow = nestedContractSignature(ctx, primary.tx, {
      ...ctx,
      safe: nested.vector.safe as Address,
    })
    expect(flow.parentTxData).toBe(
      `0x1901${primary.vector.expected.domainHash!.slice(2)}${primary.vector.expected.messageHash!.slice(2)}`,
    )
    expect(flow.parent.safeTxHash).toBe(primary.vector.expected.safeTxHash)
  })
})
