import { InputError } from '../core/BaseError.js'
import type { Hex } from '../core/hex.js'
import { hashSafeMessageBytes, type SafeMessageHashes } from './hashSafeMessage.js'
import { encodeSafeTxData, hashSafeTx } from './hashSafeTx.js'
import { safeVersionFeatures } from './safeVersionFeatures.js'
import type { SafeContext, SafeTx, SafeTxHashes } from './types.js'

/** What the owners of a child Safe sign so that the child signs a parent SafeTx by EIP-1271. */
export type NestedContractSignature = {
  parent: SafeTxHashes
  /** The bytes the parent hands the child's `isValidSignature(bytes, bytes)`. */
  parentTxData: Hex
  /** SafeMessage hashes in the child's domain; the child's owners sign `safeMessageHash`. */
  child: Omit<SafeMessageHashes, 'rawMessageHash'>
}

/**
 * The hashes of the contract-signature (v = 0) flow for a Safe owned by another Safe: the
 * parent (1.0.0 to 1.4.1) passes its encoded transaction data to the child, whose own
 * `getMessageHash` (before 1.3.0) or CompatibilityFallbackHandler (1.3.0+) wraps it as
 * `SafeMessage(bytes message)` in the child's domain. Checked against the real 1.3.0 and 1.4.1
 * contracts in safeContracts.evm.test.ts. Safe 1.5.0 parents validate contract signatures
 * differently and are refused rather than guessed.
 *
 * @example
 * nestedContractSignature(parentContext, tx, childContext).child.safeMessageHash
 */
export function nestedContractSignature(
  parentContext: SafeContext,
  parentTx: SafeTx,
  childContext: SafeContext,
): NestedContractSignature {
  if (safeVersionFeatures(parentContext.version).hasModuleGuard)
    throw new InputError(
      `contract signatures for a Safe ${parentContext.version} parent are not supported yet; use approveHash`,
      { code: 'UNSUPPORTED_SAFE_VERSION', field: 'version' },
    )
  const parentTxData = encodeSafeTxData(parentContext, parentTx)
  return {
    parent: hashSafeTx(parentContext, parentTx),
    parentTxData,
    child: hashSafeMessageBytes(childContext, parentTxData),
  }
}
