import { InputError } from '../core/BaseError.js'
import { preview } from '../core/hex.js'
import { getAddressId } from './AddressTable.js'
import type { ExposureIndex, ScreenResult } from './Exposure.js'

/**
 * Screens one address against the index. Unknown addresses screen as `none` with
 * `indexed: false`; a malformed address is an InputError naming `field`.
 *
 * @example
 * screenAddress(index, '0x47666fab8bd0ac7003bce3f5c3585383f09486e2').risk // 'severe'
 */
export function screenAddress(
  index: ExposureIndex,
  address: string,
  field = 'address',
): ScreenResult {
  const id = getAddressId(index.table, address)
  if (id >= 0) return { ...index.entries[id]!, indexed: true }
  if (!/^0x[0-9a-fA-F]{40}$/.test(address))
    throw new InputError(`not a 20-byte 0x address: ${preview(address)}`, {
      code: 'INVALID_ADDRESS',
      field,
    })
  return {
    address: address.toLowerCase(),
    direct: [],
    indirect: [],
    labels: [],
    risk: 'none',
    reasons: [],
    indexed: false,
  }
}
