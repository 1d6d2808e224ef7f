/**
 * An open-addressing table from a 96-bit key (a 64-bit hash of an address and 32 bits of a
 * second, independent hash, as three 32-bit words) to a dense integer id. The bulk importer
 * interns every address of a 100M-row import through it: DuckDB computes the hashes in its own
 * threads, and a lookup here reads one 16-byte slot (key words and id inline, four slots per
 * cache line) instead of a hash join on 20-byte strings.
 *
 * Two different addresses get the same key with probability about n^2 / 2^97 (1e-12 for all
 * 300M Ethereum addresses); the keys come from DuckDB's hash, which an attacker cannot aim at:
 * an address is itself a Keccak output.
 */
export type KeyTable = {
  /** Id of the key, or -1. */
  find: (k0: number, k1: number, k2: number) => number
  /** Adds a key that `find` did not know, under `id` (ids continue the store's dictionary). */
  add: (k0: number, k1: number, k2: number, id: number) => void
  size: () => number
  /**
   * Touches the slots of `n` keys whose first words are `words[0], words[2], ...` (the low
   * halves of 64-bit hashes): a loop with no dependency between iterations keeps many cache
   * misses in flight, so the lookups that follow find their slots in cache.
   */
  warm: (words: Uint32Array, n: number) => void
}

/** Sink for {@link KeyTable.warm}'s reads, so that they are not optimized away. */
export let warmSink = 0

/**
 * Creates an empty key table sized for about `expected` keys (it grows as needed).
 *
 * @example
 * const table = createKeyTable(1 << 20)
 * if (table.find(a, b, c) < 0) table.add(a, b, c, nextId++)
 */
export function createKeyTable(expected: number): KeyTable {
  let capacity = 1 << 16
  while (capacity * 0.6 < expected) capacity *= 2
  // Slot s: words 4s..4s+2 the key, 4s+3 the id + 1 (0 = empty).
  let slots = new Uint32Array(capacity * 4)
  let mask = capacity - 1
  let count = 0

  const insert = (table: Uint32Array, m: number, k0: number, k1: number, k2: number, v: number) => {
    let s = k0 & m
    while (table[s * 4 + 3] !== 0) s = (s + 1) & m
    const at = s * 4
    table[at] = k0
    table[at + 1] = k1
    table[at + 2] = k2
    table[at + 3] = v
  }

  return {
    find: (k0, k1, k2) => {
      let s = k0 & mask
      for (;;) {
        const at = s * 4
        const v = slots[at + 3]!
        if (v === 0) return -1
        if (slots[at] === k0 && slots[at + 1] === k1 && slots[at + 2] === k2) return v - 1
        s = (s + 1) & mask
      }
    },
    add: (k0, k1, k2, id) => {
      count += 1
      if (count > capacity * 0.6) {
        const old = slots
        capacity *= 2
        mask = capacity - 1
        slots = new Uint32Array(capacity * 4)
        for (let at = 0; at < old.length; at += 4)
          if (old[at + 3] !== 0)
            insert(slots, mask, old[at]!, old[at + 1]!, old[at + 2]!, old[at + 3]!)
      }
      insert(slots, mask, k0 >>> 0, k1 >>> 0, k2 >>> 0, id + 1)
    },
    size: () => count,
    warm: (words, n) => {
      let acc = 0
      for (let i = 0; i < n; i++) acc ^= slots[((words[2 * i]! & mask) << 2) | 3]!
      warmSink ^= acc
    },
  }
}
