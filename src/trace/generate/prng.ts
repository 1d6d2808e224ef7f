/** A seeded PRNG (sfc32): same seed, same dataset, on every machine. */
export type Prng = {
  next: () => number
  int: (n: number) => number
  bigint: (lo: bigint, hi: bigint) => bigint
  pick: <T>(xs: readonly T[]) => T
}

/**
 * Creates a PRNG from a 32-bit seed.
 *
 * @example
 * const rng = createPrng(42); rng.int(10) // 0..9
 */
export function createPrng(seed: number): Prng {
  let a = 0x9e3779b9 ^ seed
  let b = 0x243f6a88 ^ (seed * 7)
  let c = 0xb7e15162
  let d = 1
  const next = (): number => {
    a >>>= 0
    b >>>= 0
    c >>>= 0
    d >>>= 0
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return (t >>> 0) / 4294967296
  }
  for (let i = 0; i < 16; i++) next()
  const int = (n: number) => Math.floor(next() * n)
  return {
    next,
    int,
    bigint: (lo, hi) => lo + (BigInt(Math.floor(next() * 2 ** 30)) * (hi - lo)) / 2n ** 30n,
    pick: (xs) => xs[int(xs.length)]!,
  }
}
