import { preview } from '../core/hex.js'
import { getAddressId } from './AddressTable.js'
import type { ExposureIndex } from './Exposure.js'

const cache = new WeakMap<ExposureIndex, (string | undefined)[]>()

/**
 * One JSONL line (without the newline) screening one input line of a batch. Exposed addresses get
 * their full entry (serialised once and cached); unknown ones a short `none`; a malformed line an
 * `error` object naming the line number, so one typo never stops a batch of millions.
 * Entries changed by `updateExposure` are re-serialised because the cache is keyed by object.
 *
 * @example
 * screenBatchLine(index, '0x47666fab8bd0ac7003bce3f5c3585383f09486e2', 1)
 * // '{"address":"0x4766…","risk":"severe",…,"indexed":true}'
 */
export function screenBatchLine(index: ExposureIndex, input: string, lineNumber: number): string {
  const address = input.trim()
  const id = getAddressId(index.table, address)
  if (id >= 0) {
    let lines = cache.get(index)
    if (!lines) {
      lines = []
      cache.set(index, lines)
    }
    const entry = index.entries[id]!
    const key = entry as unknown as object
    let json = lines[id]
    if (json === undefined || entryOf.get(key) !== id) {
      json = JSON.stringify({ ...entry, indexed: true })
      lines[id] = json
      entryOf.set(key, id)
    }
    return json
  }
  if (address.length === 42 && /^0x[0-9a-fA-F]{40}$/.test(address))
    return `{"address":"${address.toLowerCase()}","direct":[],"indirect":[],"labels":[],"risk":"none","reasons":[],"indexed":false}`
  return JSON.stringify({
    line: lineNumber,
    error: {
      code: 'INVALID_ADDRESS',
      message: `not a 20-byte 0x address: ${preview(address)}`,
      field: `line ${lineNumber}`,
    },
  })
}

// Which id an entry object was serialised for; a replaced entry (updateExposure) is a new object.
const entryOf = new WeakMap<object, number>()
