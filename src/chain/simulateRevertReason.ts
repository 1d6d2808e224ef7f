import { decodeAbiParameters } from 'viem'
import type { Hex } from '../core/hex.js'

/** Why a call reverted, as far as its return data tells. */
export type RevertReason =
  | { kind: 'empty'; message: string }
  | { kind: 'error'; message: string; reason: string; safeCode?: string; safeMeaning?: string }
  | { kind: 'panic'; message: string; panicCode: bigint }
  | { kind: 'custom'; message: string; selector: Hex; data: Hex }
  | { kind: 'halt'; message: string }

/**
 * The `GSxxx` revert codes of Safe 1.3.0 to 1.5.0 (safe-smart-account docs/error_codes.md).
 * Before 1.3.0 the Safe reverted with plain sentences, which decode as they are.
 */
export const SAFE_ERROR_CODES: Readonly<Record<string, string>> = {
  GS000: 'could not finish initialization',
  GS001: 'threshold needs to be defined',
  GS002: 'a call to set up modules could not be executed because the destination is not a contract',
  GS010: 'not enough gas to execute the Safe transaction',
  GS011: 'could not pay gas costs with ether',
  GS012: 'could not pay gas costs with token',
  GS013: 'the Safe transaction failed and safeTxGas and gasPrice were 0',
  GS020: 'signatures data too short',
  GS021: 'invalid contract signature location: inside static part',
  GS022: 'invalid contract signature location: length not present',
  GS023: 'invalid contract signature location: data not complete',
  GS024: 'invalid contract signature provided',
  GS025: 'hash has not been approved',
  GS026: 'invalid owner provided',
  GS027: 'data hash and hash of the pre-image data do not match',
  GS030: 'only owners can approve a hash',
  GS031: 'method can only be called from this contract',
  GS100: 'modules have already been initialized',
  GS101: 'invalid module address provided',
  GS102: 'module has already been added',
  GS103: 'invalid prevModule, module pair provided',
  GS104: 'method can only be called from an enabled module',
  GS105: 'invalid starting point for fetching paginated modules',
  GS106: 'invalid page size for fetching paginated modules',
  GS200: 'owners have already been set up',
  GS201: 'threshold cannot exceed owner count',
  GS202: 'threshold needs to be greater than 0',
  GS203: 'invalid owner address provided',
  GS204: 'address is already an owner',
  GS205: 'invalid prevOwner, owner pair provided',
  GS300: 'guard does not implement IERC165',
  GS301: 'module guard does not implement IERC165',
  GS400: 'fallback handler cannot be the Safe itself',
}

/** Solidity's Panic(uint256) codes (docs.soliditylang.org, "Panic via assert and Error via require"). */
const PANIC_CODES: Readonly<Record<string, string>> = {
  '0': 'generic compiler panic',
  '1': 'assert(false)',
  '17': 'arithmetic overflow or underflow',
  '18': 'division or modulo by zero',
  '33': 'conversion to an invalid enum value',
  '34': 'incorrectly encoded storage byte array',
  '49': 'pop() on an empty array',
  '50': 'array index out of bounds',
  '65': 'too much memory allocated',
  '81': 'call to an uninitialised internal function',
}

const ERROR_SELECTOR = '0x08c379a0'
const PANIC_SELECTOR = '0x4e487b71'

/**
 * Decodes revert data: `Error(string)` (with the Safe's GSxxx meaning), `Panic(uint256)`, a
 * custom error's selector, or nothing. Never throws: malformed data is reported as custom.
 *
 * @example
 * decodeRevertReason('0x08c379a0…474d30323500…').message // 'GS025: hash has not been approved'
 */
export function decodeRevertReason(data: Hex): RevertReason {
  const hex = data.toLowerCase() as Hex
  if (hex === '0x') return { kind: 'empty', message: 'reverted without a reason' }
  const selector = hex.slice(0, 10) as Hex
  if (selector === ERROR_SELECTOR) {
    try {
      const [reason] = decodeAbiParameters([{ type: 'string' }], `0x${hex.slice(10)}`)
      const code = /^GS\d{3}$/.test(reason) ? reason : undefined
      const meaning = code === undefined ? undefined : SAFE_ERROR_CODES[code]
      return {
        kind: 'error',
        reason,
        message: meaning === undefined ? reason : `${reason}: ${meaning}`,
        ...(code === undefined ? {} : { safeCode: code }),
        ...(meaning === undefined ? {} : { safeMeaning: meaning }),
      }
    } catch {
      // fall through to custom
    }
  }
  if (selector === PANIC_SELECTOR && hex.length === 10 + 64) {
    const panicCode = BigInt(`0x${hex.slice(10)}`)
    const meaning = PANIC_CODES[panicCode.toString()] ?? 'unknown panic code'
    return {
      kind: 'panic',
      panicCode,
      message: `panic 0x${panicCode.toString(16)}: ${meaning}`,
    }
  }
  return {
    kind: 'custom',
    selector,
    data: hex,
    message: `reverted with custom error ${selector} (${(hex.length - 2) / 2} bytes)`,
  }
}
