import { keccak256, stringToHex } from 'viem'
import type { Hex } from '../core/hex.js'

/**
 * The EIP-712 type strings the Safe contracts hash. The constants below are computed from them
 * and pinned in typehashes.test.ts against the literals in the Safe Solidity sources, so a typo
 * here cannot silently change every hash.
 */
export const SAFE_TYPE_STRINGS = {
  /** Domain of Safe 0.1.0 to 1.2.0: no chainId, so one signature is valid on every chain. */
  domainLegacy: 'EIP712Domain(address verifyingContract)',
  /** Domain of Safe 1.3.0 and later. */
  domain: 'EIP712Domain(uint256 chainId,address verifyingContract)',
  /** SafeTx of Safe 0.1.0: the gas field was still called `dataGas`. */
  safeTxDataGas:
    'SafeTx(address to,uint256 value,bytes data,uint8 operation,uint256 safeTxGas,uint256 dataGas,uint256 gasPrice,address gasToken,address refundReceiver,uint256 nonce)',
  /** SafeTx of Safe 1.0.0 and later. */
  safeTx:
    'SafeTx(address to,uint256 value,bytes data,uint8 operation,uint256 safeTxGas,uint256 baseGas,uint256 gasPrice,address gasToken,address refundReceiver,uint256 nonce)',
  safeMessage: 'SafeMessage(bytes message)',
} as const

/** keccak256 of each type string in SAFE_TYPE_STRINGS. */
export const SAFE_TYPEHASHES = {
  domainLegacy: keccak256(stringToHex(SAFE_TYPE_STRINGS.domainLegacy)),
  domain: keccak256(stringToHex(SAFE_TYPE_STRINGS.domain)),
  safeTxDataGas: keccak256(stringToHex(SAFE_TYPE_STRINGS.safeTxDataGas)),
  safeTx: keccak256(stringToHex(SAFE_TYPE_STRINGS.safeTx)),
  safeMessage: keccak256(stringToHex(SAFE_TYPE_STRINGS.safeMessage)),
} as const satisfies Record<keyof typeof SAFE_TYPE_STRINGS, Hex>
