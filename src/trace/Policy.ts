/**
 * How taint moves when a tainted account sends part of its balance (account model).
 *
 * - `poison`: any taint makes every later outflow of that (address, token) fully tainted; taint
 *   grows, it is not conserved.
 * - `haircut`: an outflow of v from balance b carries `taint_h * v / b` of every heist h.
 * - `fifo`: balances are lots in arrival order; outflows take the oldest lots first.
 * - `lifo`: outflows take the newest lots first.
 * - `tiho`: taint-in-highest-out: the tainted part of a balance leaves first (split across heists
 *   in proportion to their taint), clean funds only after all taint has left.
 *
 * Lots of one incoming transfer are queued heist by heist (in case-file order), then the clean
 * part. A balance the data shows as too small for an outflow is topped up with clean funds that
 * count as the oldest lot (they must have been there before the data starts).
 */
export type Policy = 'poison' | 'haircut' | 'fifo' | 'lifo' | 'tiho'

/** Every policy, in the order reports list them. */
export const POLICIES: readonly Policy[] = ['poison', 'haircut', 'fifo', 'lifo', 'tiho']

/**
 * Narrows a string to a {@link Policy}; undefined when it is not one.
 *
 * @example
 * asPolicy('haircut') // 'haircut'
 */
export function asPolicy(value: string): Policy | undefined {
  return (POLICIES as readonly string[]).includes(value) ? (value as Policy) : undefined
}
