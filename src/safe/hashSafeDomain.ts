import { encodeAbiParameters, keccak256 } from 'viem'
import type { Hex } from '../core/hex.js'
import { checkAddressField, checkUint256Field } from './checkSafeFields.js'
import { safeVersionFeatures } from './safeVersionFeatures.js'
import { SAFE_TYPEHASHES } from './typehashes.js'
import type { SafeContext } from './types.js'

/**
 * The EIP-712 domain separator of a Safe, as its `domainSeparator()` returns it. Safes before
 * 1.3.0 leave chainId out of the domain, so `context.chainId` is ignored for them.
 *
 * @example
 * hashSafeDomain({ chainId: 1n, safe: '0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4', version: '1.1.1' })
 */
export function hashSafeDomain(context: SafeContext): Hex {
  checkAddressField(context.safe, 'safe')
  if (!safeVersionFeatures(context.version).chainIdInDomain)
    return keccak256(
      encodeAbiParameters(
        [{ type: 'bytes32' }, { type: 'address' }],
        [SAFE_TYPEHASHES.domainLegacy, context.safe],
      ),
    )
  checkUint256Field(context.chainId, 'chainId')
  return keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'uint256' }, { type: 'address' }],
      [SAFE_TYPEHASHES.domain, context.chainId, context.safe],
    ),
  )
}
