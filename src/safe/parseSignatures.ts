import { concat, hashMessage, numberToHex, recoverAddress } from 'viem'
import { InputError } from '../core/BaseError.js'
import type { Address, Hex } from '../core/hex.js'
import { checkBytes32Field } from './checkSafeFields.js'
import {
  type SplitSafeSignature,
  type SplitSafeSignaturesOptions,
  splitSafeSignatures,
} from './splitSafeSignatures.js'

/** One Safe signature with the owner it speaks for. */
export type ParsedSignature = SplitSafeSignature & {
  /**
   * The owner this signature counts for: recovered for 'ecdsa' and 'eth_sign', taken from r for
   * 'approved-hash' (v=1) and 'contract' (v=0). Whether it is an owner, and whether a v=1 hash
   * was approved on chain or a contract accepts its data, is for the caller to check.
   */
  signer: Address
}

export type ParseSignaturesOptions = SplitSafeSignaturesOptions

/**
 * Splits a Safe signatures blob (`execTransaction`'s last argument, or a Transaction Service
 * confirmation) and recovers each signer for `safeTxHash`, as `checkNSignatures` would.
 * Async because viem's `recoverAddress` is. Malformed bytes are an InputError naming the byte
 * offset; see `splitSafeSignatures` for the synchronous, recovery-free part.
 *
 * @example
 * const sigs = await parseSignatures(bybitSignatures, '0xb3476d06…004f8')
 * sigs.map((s) => s.signer) // ['0x1F4E…2211', '0x3Cc3…BC21A', '0xe3dF…85a9E']
 */
export async function parseSignatures(
  signatures: Hex,
  safeTxHash: Hex,
  options: ParseSignaturesOptions = {},
): Promise<ParsedSignature[]> {
  checkBytes32Field(safeTxHash, 'safeTxHash')
  const field = options.field ?? 'signatures'
  const split = splitSafeSignatures(signatures, options)
  return Promise.all(
    split.map(async (entry) => ({ ...entry, signer: await signerOf(entry, safeTxHash, field) })),
  )
}

/**
 * The owner one 65-byte Safe signature counts for on `hash`: recovered for ECDSA (v 27/28) and
 * eth_sign (v 31/32, over the EIP-191 prefixed hash), taken from r for v 0 and 1.
 *
 * @example
 * await recoverSafeSigner('0xd0afef78…1f', '0xb3476d06…004f8') // '0x1F4EB0a903619ac168b19A82F1a6e2e426522211'
 */
export async function recoverSafeSigner(signature: Hex, hash: Hex): Promise<Address> {
  checkBytes32Field(hash, 'hash')
  const [entry] = splitSafeSignatures(signature, { count: 1, field: 'signature' })
  if (entry === undefined || signature.length !== 2 + 130)
    throw new InputError('expected one 65-byte signature r ‖ s ‖ v', {
      code: 'INVALID_SIGNATURES',
      field: 'signature',
    })
  return signerOf(entry, hash, 'signature')
}

async function signerOf(entry: SplitSafeSignature, hash: Hex, field: string): Promise<Address> {
  if (entry.owner !== undefined) return entry.owner
  const ethSign = entry.type === 'eth_sign'
  const v = ethSign ? entry.v - 4 : entry.v
  try {
    return await recoverAddress({
      hash: ethSign ? hashMessage({ raw: hash }) : hash,
      signature: concat([entry.r, entry.s, numberToHex(v, { size: 1 })]),
    })
  } catch (cause) {
    throw new InputError(
      `signature ${entry.index} at byte ${entry.offset}: no signer can be recovered (r or s out of range)`,
      { code: 'INVALID_SIGNATURES', field, cause },
    )
  }
}
