import { concat, hexToBigInt, numberToHex, pad, size } from 'viem'
import { InputError } from '../core/BaseError.js'
import type { Address, Hex } from '../core/hex.js'
import { checkAddressField, checkBytesField } from './checkSafeFields.js'
import type { SafeSignatureType } from './splitSafeSignatures.js'

/** One owner's signature, to be packed into `execTransaction`'s `signatures`. */
export type SafeSignatureInput =
  | {
      /** 'ecdsa': v 27/28 over the hash. 'eth_sign': a personal_sign signature (v 27/28 or 31/32). */
      type: Extract<SafeSignatureType, 'ecdsa' | 'eth_sign'>
      signer: Address
      /** 65 bytes r ‖ s ‖ v. */
      signature: Hex
    }
  | { type: 'approved-hash'; signer: Address }
  | {
      /** EIP-1271: the owner is a contract (e.g. a nested Safe) that validates `data`. */
      type: 'contract'
      signer: Address
      data: Hex
    }

/**
 * Packs owners' signatures the way `checkNSignatures` reads them: sorted by owner address
 * ascending, 65-byte static entries (v = 1 for an approved hash, v = 0 with a data offset for a
 * contract signature, v + 4 for eth_sign), then the contract signatures' length-prefixed data.
 * `signer` is trusted for ordering; use `parseSignatures` to check it against the hash.
 *
 * @example
 * encodeSafeSignatures([{ type: 'approved-hash', signer: owner }, { type: 'ecdsa', signer, signature }])
 */
export function encodeSafeSignatures(inputs: readonly SafeSignatureInput[]): Hex {
  const sorted = inputs
    .map((input, i) => {
      checkAddressField(input.signer, `signatures[${i}].signer`)
      return { input, key: hexToBigInt(input.signer) }
    })
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i]!.key === sorted[i - 1]!.key)
      throw new InputError(`owner ${sorted[i]!.input.signer} signs twice`, {
        code: 'INVALID_SIGNATURES',
        field: 'signatures',
      })
  const statics: Hex[] = []
  const dynamics: Hex[] = []
  let dynamicOffset = sorted.length * 65
  for (const { input } of sorted) {
    const field = `signatures[${inputs.indexOf(input)}]`
    if (input.type === 'approved-hash') {
      statics.push(concat([pad(input.signer), pad('0x'), '0x01']))
    } else if (input.type === 'contract') {
      checkBytesField(input.data, `${field}.data`)
      statics.push(concat([pad(input.signer), numberToHex(dynamicOffset, { size: 32 }), '0x00']))
      const part = concat([numberToHex(size(input.data), { size: 32 }), input.data])
      dynamics.push(part)
      dynamicOffset += size(part)
    } else {
      checkBytesField(input.signature, `${field}.signature`)
      if (size(input.signature) !== 65)
        throw new InputError('expected a 65-byte signature r ‖ s ‖ v', {
          code: 'INVALID_SIGNATURES',
          field: `${field}.signature`,
        })
      const v = Number.parseInt(input.signature.slice(-2), 16)
      const ok = input.type === 'ecdsa' ? v === 27 || v === 28 : [27, 28, 31, 32].includes(v)
      if (!ok)
        throw new InputError(`v=${v} does not fit a ${input.type} signature`, {
          code: 'INVALID_SIGNATURES',
          field: `${field}.signature`,
        })
      const shifted = input.type === 'eth_sign' && v < 31 ? v + 4 : v
      statics.push(
        concat([input.signature.slice(0, 130) as Hex, numberToHex(shifted, { size: 1 })]),
      )
    }
  }
  // viem's concat([]) returns an empty Uint8Array, not '0x'.
  return statics.length === 0 ? '0x' : concat([...statics, ...dynamics])
}
