import { InputError } from '../core/BaseError.js'

const MAX_UINT256 = (1n << 256n) - 1n
const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/
const HEX_RE = /^0x(?:[0-9a-fA-F]{2})*$/

/**
 * Guards for values that reach ABI encoding. The SafeTx type already says what they are, but
 * values arrive from JSON and flags at run time, and a bad one must be an InputError naming the
 * field rather than a viem encoding error deep in a stack.
 */
export function checkAddressField(value: unknown, field: string): void {
  if (typeof value !== 'string' || !ADDRESS_RE.test(value))
    throw new InputError('expected a 20-byte 0x-prefixed address', {
      code: 'INVALID_ADDRESS',
      field,
    })
}

export function checkBytesField(value: unknown, field: string): void {
  if (typeof value !== 'string' || !HEX_RE.test(value))
    throw new InputError('expected 0x-prefixed hex bytes of even length', {
      code: 'INVALID_HEX',
      field,
    })
}

export function checkBytes32Field(value: unknown, field: string): void {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(value))
    throw new InputError('expected a 32-byte 0x-prefixed hash', { code: 'INVALID_HEX', field })
}

export function checkUint256Field(value: unknown, field: string): void {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_UINT256)
    throw new InputError('expected an unsigned 256-bit integer', { code: 'INVALID_UINT', field })
}
