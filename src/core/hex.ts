import { InputError } from './BaseError.js'

/** A 0x-prefixed lowercase or mixed-case hex string. */
export type Hex = `0x${string}`
/** A 20-byte address, EIP-55 checksummed once it passed `parseAddress`. */
export type Address = `0x${string}`

const HEX_RE = /^0x[0-9a-fA-F]*$/

/**
 * Validates a hex string taken from user input. `field` names the flag or JSON key in errors.
 * Lengths are in bytes. Rejects odd-length hex instead of guessing a leading zero.
 *
 * @example
 * parseHex('0xa9059cbb', { field: '--data' }) // '0xa9059cbb'
 */
export function parseHex(
  value: unknown,
  options: { field: string; bytes?: number; maxBytes?: number },
): Hex {
  if (typeof value !== 'string')
    throw new InputError('expected a 0x-prefixed hex string', {
      code: 'INVALID_HEX',
      field: options.field,
    })
  if (!HEX_RE.test(value))
    throw new InputError(`not a 0x-prefixed hex string: ${preview(value)}`, {
      code: 'INVALID_HEX',
      field: options.field,
    })
  if (value.length % 2 !== 0)
    throw new InputError(`odd number of hex digits (${value.length - 2})`, {
      code: 'INVALID_HEX',
      field: options.field,
    })
  const bytes = (value.length - 2) / 2
  if (options.bytes !== undefined && bytes !== options.bytes)
    throw new InputError(`expected ${options.bytes} bytes, got ${bytes}`, {
      code: 'INVALID_HEX',
      field: options.field,
    })
  if (options.maxBytes !== undefined && bytes > options.maxBytes)
    throw new InputError(`${bytes} bytes is more than the limit of ${options.maxBytes}`, {
      code: 'INPUT_TOO_LARGE',
      field: options.field,
    })
  return value.toLowerCase() as Hex
}

/** Shows at most 20 characters of untrusted input in an error message. */
export function preview(value: string): string {
  const clean = value.replace(/[^\x20-\x7e]/g, '?')
  return clean.length > 20 ? `${JSON.stringify(clean.slice(0, 20))}…` : JSON.stringify(clean)
}
