import { getAddress, hexToBigInt, slice } from 'viem'
import { InputError } from '../core/BaseError.js'
import type { Address, Hex } from '../core/hex.js'
import { safeVersionFeatures } from './safeVersionFeatures.js'
import type { SafeVersion } from './types.js'

/** How `checkSignatures` treats one 65-byte entry, chosen by its `v` byte. */
export type SafeSignatureType = 'ecdsa' | 'eth_sign' | 'approved-hash' | 'contract'

/** One entry of a Safe signatures blob, split but not yet recovered. */
export type SplitSafeSignature = {
  /** Position among the static 65-byte entries. */
  index: number
  /** Byte offset of this entry in the blob. */
  offset: number
  type: SafeSignatureType
  v: number
  r: Hex
  s: Hex
  /** The 65 static bytes r ‖ s ‖ v. */
  bytes: Hex
  /** For 'contract' and 'approved-hash': the owner, taken from r as the Safe does. */
  owner?: Address
  /** For 'contract': byte offset (s) of the dynamic part's 32-byte length word. */
  dataOffset?: number
  /** For 'contract': the signature bytes handed to the owner's isValidSignature. */
  data?: Hex
}

export type SplitSafeSignaturesOptions = {
  /**
   * How many entries to read, as `checkSignatures` reads `threshold` of them. Without it the
   * static part is taken to end where the first contract signature's dynamic part begins, or
   * at the end of the blob.
   */
  count?: number
  /** Flag or JSON key named in errors. Default 'signatures'. */
  field?: string
  /** When given, signature types this Safe version does not accept are rejected. */
  version?: SafeVersion
}

const fail = (message: string, field: string): never => {
  throw new InputError(message, { code: 'INVALID_SIGNATURES', field })
}

/**
 * Splits a Safe signatures blob into its entries and types them by `v` exactly as
 * `checkNSignatures` does: 0 contract (EIP-1271), 1 pre-validated/approved hash, >30 eth_sign
 * (v-4), otherwise ECDSA. Contract signatures' dynamic parts are bounds-checked with the
 * contract's own rules (GS021-GS023); anything malformed is an InputError naming the byte offset.
 * Pure and synchronous; `parseSignatures` adds the recovered signers.
 *
 * @example
 * splitSafeSignatures('0x…(195 bytes)').map((s) => s.type) // ['eth_sign', 'eth_sign', 'eth_sign']
 */
export function splitSafeSignatures(
  signatures: Hex,
  options: SplitSafeSignaturesOptions = {},
): SplitSafeSignature[] {
  const field = options.field ?? 'signatures'
  if (typeof signatures !== 'string' || !/^0x(?:[0-9a-fA-F]{2})*$/.test(signatures))
    fail('expected 0x-prefixed hex bytes of even length', field)
  const length = (signatures.length - 2) / 2
  const count = options.count
  if (count !== undefined) {
    if (!Number.isSafeInteger(count) || count < 0) fail(`invalid signature count ${count}`, field)
    if (length < count * 65)
      fail(`${length} bytes hold fewer than ${count} signatures of 65 bytes (GS020)`, field)
  }
  const ethSignOk =
    options.version === undefined || safeVersionFeatures(options.version).hasEthSignSignatures
  const result: SplitSafeSignature[] = []
  // Where the static part ends: known from count, or bounded by the first dynamic part seen.
  let staticEnd = count !== undefined ? count * 65 : length
  for (let offset = 0; offset + 65 <= staticEnd; offset += 65) {
    const entry = splitEntry(signatures, result.length, offset, field)
    if (entry.type === 'eth_sign' && !ethSignOk)
      fail(
        `signature ${entry.index} at byte ${offset}: v=${entry.v} (eth_sign) is not accepted by Safe ${options.version}`,
        field,
      )
    if (entry.type === 'contract' && count === undefined && entry.dataOffset! < staticEnd)
      staticEnd = entry.dataOffset!
    result.push(entry)
  }
  const end = result.length * 65
  if (count === undefined && end !== staticEnd) {
    if (staticEnd === length)
      fail(`${length - end} trailing bytes at byte ${end} do not form a 65-byte signature`, field)
    if (staticEnd > end)
      fail(
        `bytes ${end} to ${staticEnd}, before the contract signature data, are not a 65-byte signature`,
        field,
      )
    fail(
      `a contract signature's data offset ${staticEnd} points inside the static part, which ends at byte ${end} (GS021)`,
      field,
    )
  }
  for (const entry of result)
    if (entry.type === 'contract') readContractData(signatures, entry, end, length, field)
  return result
}

function splitEntry(
  signatures: Hex,
  index: number,
  offset: number,
  field: string,
): SplitSafeSignature {
  const bytes = slice(signatures, offset, offset + 65, { strict: true })
  const r = slice(bytes, 0, 32)
  const s = slice(bytes, 32, 64)
  const v = Number.parseInt(bytes.slice(-2), 16)
  const base = { index, offset, v, r, s, bytes }
  if (v === 0) {
    const dataOffset = hexToBigInt(s)
    if (dataOffset > BigInt(Number.MAX_SAFE_INTEGER))
      fail(
        `signature ${index} at byte ${offset}: contract data offset ${dataOffset} out of bounds (GS022)`,
        field,
      )
    return { ...base, type: 'contract', owner: ownerFromR(r), dataOffset: Number(dataOffset) }
  }
  if (v === 1) return { ...base, type: 'approved-hash', owner: ownerFromR(r) }
  if (v === 27 || v === 28) return { ...base, type: 'ecdsa' }
  if (v === 31 || v === 32) return { ...base, type: 'eth_sign' }
  // Any other v makes ecrecover return address(0), which no Safe accepts (GS026).
  return fail(
    `signature ${index} at byte ${offset}: v=${v} is none of 0 (contract), 1 (approved hash), 27/28 (ECDSA), 31/32 (eth_sign)`,
    field,
  )
}

function readContractData(
  signatures: Hex,
  entry: SplitSafeSignature,
  staticEnd: number,
  length: number,
  field: string,
): void {
  const at = `signature ${entry.index} at byte ${entry.offset}`
  const start = entry.dataOffset!
  if (start < staticEnd)
    fail(`${at}: contract data offset ${start} points inside the static part (GS021)`, field)
  if (start + 32 > length)
    fail(`${at}: contract data offset ${start} is past the end (${length} bytes) (GS022)`, field)
  const dataLength = hexToBigInt(slice(signatures, start, start + 32, { strict: true }))
  if (BigInt(start + 32) + dataLength > BigInt(length))
    fail(
      `${at}: contract data of ${dataLength} bytes at byte ${start + 32} runs past the end (${length} bytes) (GS023)`,
      field,
    )
  entry.data =
    dataLength === 0n
      ? '0x'
      : slice(signatures, start + 32, start + 32 + Number(dataLength), { strict: true })
}

// The Safe takes address(uint160(uint256(r))): the upper 12 bytes are ignored.
function ownerFromR(r: Hex): Address {
  return getAddress(`0x${r.slice(-40)}`)
}
