import {
  concat,
  encodeAbiParameters,
  hashMessage,
  hashTypedData,
  keccak256,
  type SignableMessage,
  type TypedData,
  type TypedDataDefinition,
} from 'viem'
import { InputError } from '../core/BaseError.js'
import type { Hex } from '../core/hex.js'
import { checkBytesField } from './checkSafeFields.js'
import { hashSafeDomain } from './hashSafeDomain.js'
import { SAFE_TYPEHASHES } from './typehashes.js'
import type { SafeContext } from './types.js'

/** An off-chain message a Safe signs: EIP-191 text or raw bytes, or EIP-712 typed data. */
export type SafeMessage = SignableMessage | TypedDataDefinition<TypedData, string>

/** The hashes of a SafeMessage, in the order a signer's screen shows them. */
export type SafeMessageHashes = {
  /** What the dApp verifies with EIP-1271: `hashMessage` (EIP-191) or `hashTypedData` (EIP-712). */
  rawMessageHash: Hex
  domainHash: Hex
  /** `keccak256(abi.encode(SAFE_MSG_TYPEHASH, keccak256(abi.encode(rawMessageHash))))`. */
  messageHash: Hex
  /** What the owners sign, `keccak256(0x1901 ‖ domainHash ‖ messageHash)`. */
  safeMessageHash: Hex
}

/**
 * Hashes an off-chain message as a Safe validates it through EIP-1271: the dApp's hash
 * (EIP-191 for text or `{ raw }` bytes, EIP-712 for typed data) is wrapped as
 * `SafeMessage(bytes message)` with `message = abi.encode(hash)`, the 32 bytes that
 * CompatibilityFallbackHandler's `isValidSignature(bytes32, bytes)` passes on (1.3.0+), in the
 * Safe's own domain (no chainId before 1.3.0).
 *
 * @example
 * hashSafeMessage({ chainId: 1n, safe: '0x…', version: '1.3.0' }, 'Hello Safe').safeMessageHash
 */
export function hashSafeMessage(context: SafeContext, message: SafeMessage): SafeMessageHashes {
  const rawMessageHash = isTypedData(message)
    ? hashTypedDataChecked(message)
    : hashSignable(message)
  return { rawMessageHash, ...hashSafeMessageBytes(context, rawMessageHash) }
}

/**
 * The Safe hashes of arbitrary message bytes, as `SignMessageLib.signMessage(bytes)` and
 * `CompatibilityFallbackHandler.getMessageHashForSafe(safe, bytes)` compute them.
 *
 * @example
 * hashSafeMessageBytes(context, '0x1234').safeMessageHash
 */
export function hashSafeMessageBytes(
  context: SafeContext,
  message: Hex,
): Omit<SafeMessageHashes, 'rawMessageHash'> {
  checkBytesField(message, 'message')
  const domainHash = hashSafeDomain(context)
  const messageHash = keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'bytes32' }],
      [SAFE_TYPEHASHES.safeMessage, keccak256(message)],
    ),
  )
  const safeMessageHash = keccak256(concat(['0x1901', domainHash, messageHash]))
  return { domainHash, messageHash, safeMessageHash }
}

function isTypedData(message: SafeMessage): message is TypedDataDefinition<TypedData, string> {
  return (
    typeof message === 'object' &&
    message !== null &&
    'types' in message &&
    'primaryType' in message
  )
}

function hashSignable(message: SignableMessage): Hex {
  if (typeof message === 'string') return hashMessage(message)
  if (typeof message === 'object' && message !== null && 'raw' in message) {
    if (typeof message.raw === 'string') checkBytesField(message.raw, 'message.raw')
    return hashMessage(message)
  }
  throw new InputError('expected a string, { raw: hex } or EIP-712 typed data', {
    code: 'INVALID_MESSAGE',
    field: 'message',
  })
}

function hashTypedDataChecked(message: TypedDataDefinition<TypedData, string>): Hex {
  try {
    return hashTypedData(message)
  } catch (cause) {
    const reason = (cause as { shortMessage?: string }).shortMessage ?? String(cause)
    throw new InputError(`invalid EIP-712 typed data: ${reason.split('\n')[0]}`, {
      code: 'INVALID_MESSAGE',
      field: 'message',
      cause,
    })
  }
}
