import { preview } from '../core/hex.js'
import { lookupAddress } from './AddressTable.js'
import type { Exposure, ExposureIndex } from './Exposure.js'

/**
 * A batch screener over one index: a function from one input line to one JSONL line (without the
 * newline). Exposed addresses get their full entry, serialised once and cached by id; unknown ones
 * a short `none`; a malformed line an `error` object naming the line number, so one typo never
 * stops a batch of millions. An entry replaced by `updateExposure` is re-serialised (the cache
 * remembers which entry object each line was made from).
 *
 * @example
 * const screen = createBatchScreener(index)
 * screen('0x47666fab8bd0ac7003bce3f5c3585383f09486e2', 1) // '{"address":"0x4766…","risk":"severe",…}'
 */
export function createBatchScreener(
  index: ExposureIndex,
): (input: string, lineNumber: number) => string {
  const json: (string | undefined)[] = []
  const madeFrom: (Exposure | undefined)[] = []
  return (input, lineNumber) => {
    // Lines from files usually carry no padding; trimming only when needed saves a copy per line.
    const address = input.length === 42 ? input : input.trim()
    const id = lookupAddress(index.table, address)
    if (id >= 0) {
      const entry = index.entries[id]!
      if (madeFrom[id] !== entry) {
        json[id] = JSON.stringify({ ...entry, indexed: true })
        madeFrom[id] = entry
      }
      return json[id]!
    }
    if (id === -1)
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
}

const screeners = new WeakMap<ExposureIndex, (input: string, lineNumber: number) => string>()

/**
 * One JSONL line for one input line; see createBatchScreener (this keeps one per index).
 *
 * @example
 * screenBatchLine(index, '0x47666fab8bd0ac7003bce3f5c3585383f09486e2', 1)
 */
export function screenBatchLine(index: ExposureIndex, input: string, lineNumber: number): string {
  let screen = screeners.get(index)
  if (!screen) {
    screen = createBatchScreener(index)
    screeners.set(index, screen)
  }
  return screen(input, lineNumber)
}
