import { concat, encodeAbiParameters, keccak256 } from 'viem'
import { InputError } from '../core/BaseError.js'
import type { Hex } from '../core/hex.js'
import { checkAddressField, checkBytesField, checkUint256Field } from './checkSafeFields.js'
import { hashSafeDomain } from './hashSafeDomain.js'
import { safeVersionFeatures } from './safeVersionFeatures.js'
import { SAFE_TYPEHASHES } from './typehashes.js'
import type { SafeContext, SafeTx, SafeTxHashes } from './types.js'

const SAFE_TX_PARAMS = [
  { type: 'bytes32' },
  { type: 'address' },
  { type: 'uint256' },
  { type: 'bytes32' },
  { type: 'uint8' },
  { type: 'uint256' },
  { type: 'uint256' },
  { type: 'uint256' },
  { type: 'address' },
  { type: 'address' },
  { type: 'uint256' },
] as const

/**
 * The EIP-712 struct hash of a SafeTx (what `encodeTransactionData` hashes after 0x1901 and
 * the domain). Written out with abi.encode exactly as the Solidity does, so that it is an
 * independent computation from viem's generic `hashTypedData` (the property test compares them).
 *
 * @example
 * hashSafeTxMessage('1.3.0', tx) // '0x…' (32 bytes)
 */
export function hashSafeTxMessage(version: SafeContext['version'], tx: SafeTx): Hex {
  checkSafeTx(tx, safeVersionFeatures(version).hasCreateOperation)
  const typehash =
    safeVersionFeatures(version).gasField === 'dataGas'
      ? SAFE_TYPEHASHES.safeTxDataGas
      : SAFE_TYPEHASHES.safeTx
  return keccak256(
    encodeAbiParameters(SAFE_TX_PARAMS, [
      typehash,
      tx.to,
      tx.value,
      keccak256(tx.data),
      tx.operation,
      tx.safeTxGas,
      tx.baseGas,
      tx.gasPrice,
      tx.gasToken,
      tx.refundReceiver,
      tx.nonce,
    ]),
  )
}

/**
 * The three hashes of a Safe transaction: the domain separator, the SafeTx struct hash and
 * the safeTxHash the owners sign (`keccak256(0x1901 ‖ domainHash ‖ messageHash)`). Handles
 * every version: no chainId in the domain before 1.3.0, `dataGas` in the type string of 0.1.0.
 *
 * @example
 * hashSafeTx(
 *   { chainId: 1n, safe: '0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4', version: '1.1.1' },
 *   { to: '0x96221423681A6d52E184D440a8eFCEbB105C7242', value: 0n, data: '0xa9059cbb…',
 *     operation: 1, safeTxGas: 45746n, baseGas: 0n, gasPrice: 0n,
 *     gasToken: '0x0000000000000000000000000000000000000000',
 *     refundReceiver: '0x0000000000000000000000000000000000000000', nonce: 71n },
 * ).safeTxHash // '0xb3476d061aeb8fc1d605a873c483a2402d88a68a9cdd1a8b47655dd55ba004f8'
 */
export function hashSafeTx(context: SafeContext, tx: SafeTx): SafeTxHashes {
  const domainHash = hashSafeDomain(context)
  const messageHash = hashSafeTxMessage(context.version, tx)
  const safeTxHash = keccak256(concat(['0x1901', domainHash, messageHash]))
  return { domainHash, messageHash, safeTxHash }
}

// Operation 2 (CREATE) is only valid for 0.1.0 and 1.0.0, whose Enum.Operation still had it;
// SafeTx's type leaves it out because no current Safe accepts it, so it arrives by cast only.
/**
 * The bytes a Safe hashes into its safeTxHash, `0x1901 ‖ domainHash ‖ messageHash`, as its
 * `encodeTransactionData` returns them. Before 1.5.0 these bytes, not the hash, are what an
 * EIP-1271 owner (e.g. a nested Safe) receives to validate in `isValidSignature(bytes, bytes)`.
 *
 * @example
 * encodeSafeTxData(context, tx) // '0x1901…' (66 bytes)
 */
export function encodeSafeTxData(context: SafeContext, tx: SafeTx): Hex {
  const { domainHash, messageHash } = hashSafeTx(context, tx)
  return concat(['0x1901', domainHash, messageHash])
}

function checkSafeTx(tx: SafeTx, allowCreate: boolean): void {
  checkAddressField(tx.to, 'to')
  checkUint256Field(tx.value, 'value')
  checkBytesField(tx.data, 'data')
  const operation: number = tx.operation
  if (operation !== 0 && operation !== 1 && !(allowCreate && operation === 2))
    throw new InputError(
      allowCreate
        ? 'expected 0 (CALL), 1 (DELEGATECALL) or 2 (CREATE)'
        : 'expected 0 (CALL) or 1 (DELEGATECALL)',
      {
        code: 'INVALID_OPERATION',
        field: 'operation',
      },
    )
  checkUint256Field(tx.safeTxGas, 'safeTxGas')
  checkUint256Field(tx.baseGas, 'baseGas')
  checkUint256Field(tx.gasPrice, 'gasPrice')
  checkAddressField(tx.gasToken, 'gasToken')
  checkAddressField(tx.refundReceiver, 'refundReceiver')
  checkUint256Field(tx.nonce, 'nonce')
}
