/**
 * An open-addressing hash map from 20-byte Ethereum addresses to small integer ids, stored in
 * typed arrays: five 32-bit words per key and one Int32 slot per bucket. No string keys, no
 * per-entry objects, so a million entries cost ~48 MB less than a `Map<string, …>` and a lookup is
 * a hex parse plus one or two probes. Plain data; the functions below own its mutation.
 */
export type AddressTable = {
  /**
   * 6 words per bucket: the address as 5 big-endian words, then id + 1 (0 = empty). Key and id
   * share one 24-byte run, so a lookup in a table far larger than the CPU cache costs one cache
   * miss, not two.
   */
  slots: Uint32Array
  /** bucket count - 1 (a power of two minus one). */
  mask: number
  size: number
}

const STRIDE = 6

const NIBBLE = new Int8Array(128).fill(-1)
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i
for (let i = 0; i < 6; i++) {
  NIBBLE[65 + i] = 10 + i
  NIBBLE[97 + i] = 10 + i
}

/** Scratch words reused by every lookup: JS is single-threaded, so one buffer is safe. */
const SCRATCH = new Uint32Array(5)

/**
 * Parses a `0x`-prefixed 40-hex-digit address into five words. Returns false when it is not one;
 * never throws, so batch screening can report bad lines without try/catch per line.
 *
 * @example
 * const words = new Uint32Array(5)
 * parseAddressWords('0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4', words) // true
 */
export function parseAddressWords(address: string, out: Uint32Array): boolean {
  if (address.length !== 42 || address.charCodeAt(0) !== 48) return false
  const x = address.charCodeAt(1)
  if (x !== 120 && x !== 88) return false
  let pos = 2
  for (let w = 0; w < 5; w++) {
    let word = 0
    for (let k = 0; k < 8; k++) {
      const code = address.charCodeAt(pos++)
      const nibble = code < 128 ? NIBBLE[code]! : -1
      if (nibble < 0) return false
      word = (word << 4) | nibble
    }
    out[w] = word >>> 0
  }
  return true
}

/**
 * Creates an empty table sized for `expected` entries at a load factor of at most one half.
 *
 * @example
 * const table = createAddressTable(1000)
 */
export function createAddressTable(expected: number): AddressTable {
  let buckets = 16
  while (buckets < expected * 2) buckets *= 2
  return { slots: new Uint32Array(buckets * STRIDE), mask: buckets - 1, size: 0 }
}

// Addresses are hash outputs, so their last word is already uniform; a multiplicative mix of two
// words guards against crafted or vanity addresses sharing a suffix.
function bucketOf(words: Uint32Array, mask: number): number {
  return (Math.imul(words[4]! ^ Math.imul(words[0]!, 0x9e3779b1), 0x85ebca6b) >>> 7) & mask
}

/** Offset of the bucket holding `words`, or of the empty bucket where it would go. */
function findSlot(table: AddressTable, words: Uint32Array): number {
  const { slots, mask } = table
  let b = bucketOf(words, mask)
  for (;;) {
    const o = b * STRIDE
    if (slots[o + 5] === 0) return o
    if (
      slots[o + 4] === words[4] &&
      slots[o] === words[0] &&
      slots[o + 1] === words[1] &&
      slots[o + 2] === words[2] &&
      slots[o + 3] === words[3]
    )
      return o
    b = (b + 1) & mask
  }
}

/**
 * Id of `address`, or -1 when absent or not a well-formed address.
 *
 * @example
 * getAddressId(table, '0x1db92e2eebc8e0c075a02bea49a2935bcd2dfcf4') // 0
 */
export function getAddressId(table: AddressTable, address: string): number {
  if (!parseAddressWords(address, SCRATCH)) return -1
  return table.slots[findSlot(table, SCRATCH) + 5]! - 1
}

/**
 * Like getAddressId, but tells a malformed address (-2) from an absent one (-1), so batch
 * screening needs no second validation pass.
 *
 * @example
 * lookupAddress(table, 'oops') // -2
 */
export function lookupAddress(table: AddressTable, address: string): number {
  if (!parseAddressWords(address, SCRATCH)) return -2
  return table.slots[findSlot(table, SCRATCH) + 5]! - 1
}

/**
 * Id of `address`, inserting it with id `table.size` when absent. Throws nothing: callers
 * validate addresses first (see `parseAddressWords`).
 *
 * @example
 * const id = internAddress(table, '0x1db92e2eebc8e0c075a02bea49a2935bcd2dfcf4')
 */
export function internAddress(table: AddressTable, address: string): number {
  if (!parseAddressWords(address, SCRATCH)) return -1
  if ((table.size + 1) * 2 > table.mask + 1) grow(table)
  const o = findSlot(table, SCRATCH)
  const existing = table.slots[o + 5]!
  if (existing !== 0) return existing - 1
  table.slots.set(SCRATCH, o)
  table.size++
  table.slots[o + 5] = table.size
  return table.size - 1
}

function grow(table: AddressTable): void {
  const next = createAddressTable(table.mask + 1)
  const words = new Uint32Array(5)
  for (let o = 0; o < table.slots.length; o += STRIDE) {
    const idPlusOne = table.slots[o + 5]!
    if (idPlusOne === 0) continue
    words.set(table.slots.subarray(o, o + 5))
    const no = findSlot(next, words)
    next.slots.set(words, no)
    next.slots[no + 5] = idPlusOne
  }
  table.slots = next.slots
  table.mask = next.mask
}
