import { concat, encodeFunctionData, getAddress, pad, size, slice } from 'viem'
import type { Address, Hex } from '../core/hex.js'
import { safeAbi } from './abi.js'
import { checkAddressField, checkBytes32Field, checkUint256Field } from './checkSafeFields.js'
import { hashSafeTx } from './hashSafeTx.js'
import type { SafeContext, SafeTx, SafeTxHashes } from './types.js'

const ZERO: Address = '0x0000000000000000000000000000000000000000'
/** `approveHash(bytes32)`. */
export const APPROVE_HASH_SELECTOR = '0xd4d9bdcd'

/**
 * The SafeTx a child Safe (an owner of `parentSafe`) executes to approve a parent transaction:
 * a plain CALL of `parentSafe.approveHash(safeTxHash)`, no value, no gas refund; the same
 * shape the Safe UI and safe-tx-hashes-util build.
 *
 * @example
 * buildApproveHashTx({ parentSafe: '0x657f…', safeTxHash: '0xcb8b…', nonce: 4n }).data
 * // '0xd4d9bdcdcb8b…'
 */
export function buildApproveHashTx(parameters: {
  parentSafe: Address
  safeTxHash: Hex
  nonce: bigint
}): SafeTx {
  checkAddressField(parameters.parentSafe, 'parentSafe')
  checkBytes32Field(parameters.safeTxHash, 'safeTxHash')
  checkUint256Field(parameters.nonce, 'nonce')
  return {
    to: getAddress(parameters.parentSafe),
    value: 0n,
    data: encodeFunctionData({
      abi: safeAbi,
      functionName: 'approveHash',
      args: [parameters.safeTxHash],
    }),
    operation: 0,
    safeTxGas: 0n,
    baseGas: 0n,
    gasPrice: 0n,
    gasToken: ZERO,
    refundReceiver: ZERO,
    nonce: parameters.nonce,
  }
}

/** A SafeTx recognised as `approveHash` on another Safe. */
export type ApproveHashCall = {
  /** The Safe whose transaction is approved (the SafeTx's `to`). */
  parentSafe: Address
  /** The parent's safeTxHash (or any hash) being approved. */
  approvedHash: Hex
  /** True when the tx is exactly what `buildApproveHashTx` makes, bar the nonce. */
  canonical: boolean
}

/**
 * Recognises a SafeTx that calls `approveHash(bytes32)` on its `to`; undefined for anything
 * else. `canonical` is false when it is a DELEGATECALL, sends value or pays a gas refund, none
 * of which an approval needs.
 *
 * @example
 * decodeApproveHashTx(childTx)?.approvedHash // '0xcb8b…'
 */
export function decodeApproveHashTx(tx: SafeTx): ApproveHashCall | undefined {
  if (typeof tx.data !== 'string' || size(tx.data) !== 36) return undefined
  if (slice(tx.data, 0, 4).toLowerCase() !== APPROVE_HASH_SELECTOR) return undefined
  const canonical =
    tx.operation === 0 &&
    tx.value === 0n &&
    tx.gasPrice === 0n &&
    tx.baseGas === 0n &&
    tx.safeTxGas === 0n &&
    BigInt(tx.gasToken) === 0n &&
    BigInt(tx.refundReceiver) === 0n
  return {
    parentSafe: getAddress(tx.to),
    approvedHash: slice(tx.data, 4, 36).toLowerCase() as Hex,
    canonical,
  }
}

/**
 * One line telling a signer what an approveHash SafeTx does, or undefined if it is none.
 *
 * @example
 * describeApproveHashTx(childTx) // 'approves hash 0xcb8b… on Safe 0x657f… (approveHash)'
 */
export function describeApproveHashTx(tx: SafeTx): string | undefined {
  const call = decodeApproveHashTx(tx)
  if (call === undefined) return undefined
  const base = `approves hash ${call.approvedHash} on Safe ${call.parentSafe} (approveHash)`
  if (call.canonical) return base
  const odd: string[] = []
  if (tx.operation !== 0) odd.push('as a DELEGATECALL')
  if (tx.value !== 0n) odd.push(`sending ${tx.value} wei`)
  if (tx.gasPrice !== 0n || tx.baseGas !== 0n || tx.safeTxGas !== 0n)
    odd.push('with gas parameters')
  if (BigInt(tx.gasToken) !== 0n || BigInt(tx.refundReceiver) !== 0n)
    odd.push('with a gas token or refund receiver')
  return `${base}, unusually ${odd.join(', ')}`
}

/**
 * The 65-byte pre-validated signature (v = 1, r = owner) that stands for `owner` in the
 * parent's `execTransaction` once the owner approved the hash on chain (or is the sender).
 *
 * @example
 * preValidatedSignature('0x6bc56d6CE87C86CB0756c616bECFD3Cd32b09251')
 * // '0x0000…6bc56d6ce87c86cb0756c616becfd3cd32b09251' + 32 zero bytes + '01'
 */
export function preValidatedSignature(owner: Address): Hex {
  checkAddressField(owner, 'owner')
  return concat([pad(owner.toLowerCase() as Hex), pad('0x'), '0x01'])
}

/** Every hash of a two-level Safe approval: the parent's and the child's approveHash tx. */
export type NestedApproval = {
  parent: SafeTxHashes
  childTx: SafeTx
  child: SafeTxHashes
  /** What goes into the parent's signatures for the child once its approval executed. */
  parentSignature: Hex
}

/**
 * The nested-Safe flow end to end: hash the parent SafeTx, build the child Safe's
 * `approveHash` SafeTx for it at `childNonce`, hash that in the child's own domain, and give the
 * pre-validated signature the parent will then accept for the child.
 *
 * @example
 * const flow = nestedApproval(parentContext, parentTx, { ...childContext }, 4n)
 * flow.child.safeTxHash // what the child's owners sign
 */
export function nestedApproval(
  parentContext: SafeContext,
  parentTx: SafeTx,
  childContext: SafeContext,
  childNonce: bigint,
): NestedApproval {
  const parent = hashSafeTx(parentContext, parentTx)
  const childTx = buildApproveHashTx({
    parentSafe: parentContext.safe,
    safeTxHash: parent.safeTxHash,
    nonce: childNonce,
  })
  return {
    parent,
    childTx,
    child: hashSafeTx(childContext, childTx),
    parentSignature: preValidatedSignature(childContext.safe),
  }
}
