/** Per-client token buckets: `capacity` requests at once, refilled at `perSecond`. */
export type TokenBuckets = {
  capacity: number
  perSecond: number
  buckets: Map<string, { tokens: number; at: number }>
}

/**
 * @example
 * const limits = createTokenBuckets(20, 10)
 */
export function createTokenBuckets(capacity: number, perSecond: number): TokenBuckets {
  return { capacity, perSecond, buckets: new Map() }
}

/**
 * Takes one token for `key` at time `now` (ms). Returns 0 when allowed, else the seconds to wait.
 * Pure apart from the bucket map; the clock is passed in so tests need no timers.
 *
 * @example
 * takeToken(limits, '127.0.0.1', Date.now()) // 0
 */
export function takeToken(limits: TokenBuckets, key: string, now: number): number {
  let b = limits.buckets.get(key)
  if (!b) {
    // Bound memory under a flood of distinct keys: drop the map rather than grow without limit.
    if (limits.buckets.size > 10_000) limits.buckets.clear()
    b = { tokens: limits.capacity, at: now }
    limits.buckets.set(key, b)
  }
  b.tokens = Math.min(limits.capacity, b.tokens + ((now - b.at) / 1000) * limits.perSecond)
  b.at = now
  if (b.tokens >= 1) {
    b.tokens -= 1
    return 0
  }
  return Math.ceil((1 - b.tokens) / limits.perSecond)
}
