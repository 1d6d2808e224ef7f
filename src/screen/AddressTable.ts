/**
 * An open-addressing hash map from 20-byte Ethereum addresses to small integer ids, stored in
 * typed arrays: five 32-bit words per key and one Int32 slot per bucket. No string keys, no
 * per-entry objects, so a million entries cost ~48 MB less than a `Map<string, …>` and a lookup is
 * a hex parse plus one or two probes. Plain data; the functions below own its mutation.
 */
export type AddressTable = {
  /** 5 words per bucket, big-endian address bytes. */
  keys: Uint32Array
  /** id per bucket, -1 when empty. */
  ids: Int32Array
  /** bucket count - 1 (a power of two minus one). */
  mask: number
  size: number
}

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
  return {
    keys: new Uint32Array(buckets * 5),
    ids: new Int32Array(buckets).fill(-1),
    mask: buckets - 1,
    size: 0,
  }
}

// Addresses are hash outputs, so their last word is already uniform; a multiplicative mix of two
// words guards against crafted or vanity addresses sharing a suffix.
function bucketOf(words: Uint32Array, mask: number): number {
  return (Math.imul(words[4]! ^ Math.imul(words[0]!, 0x9e3779b1), 0x85ebca6b) >>> 7) & mask
}

function findBucket(table: AddressTable, words: Uint32Array): number {
  const { keys, ids, mask } = table
  let b = bucketOf(words, mask)
  for (;;) {
    if (ids[b] === -1) return b
    const o = b * 5
    if (
      keys[o + 4] === words[4] &&
      keys[o] === words[0] &&
      keys[o + 1] === words[1] &&
      keys[o + 2] === words[2] &&
      keys[o + 3] === words[3]
    )
      return b
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
  return table.ids[findBucket(table, SCRATCH)]!
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
  if ((table.size + 1) * 2 > table.ids.length) grow(table)
  const b = findBucket(table, SCRATCH)
  const existing = table.ids[b]!
  if (existing !== -1) return existing
  table.keys.set(SCRATCH, b * 5)
  table.ids[b] = table.size
  table.size++
  return table.size - 1
}

function grow(table: AddressTable): void {
  const old = table
  const next = createAddressTable(old.ids.length)
  const words = new Uint32Array(5)
  for (let b = 0; b < old.ids.length; b++) {
    const id = old.ids[b]!
    if (id === -1) continue
    words.set(old.keys.subarray(b * 5, b * 5 + 5))
    const nb = findBucket(next, words)
    next.keys.set(words, nb * 5)
    next.ids[nb] = id
  }
  table.keys = next.keys
  table.ids = next.ids
  table.mask = next.mask
}
