/**
 * What a labelled address does to taint.
 * - {@link PLACE_NONE}: an ordinary account; taint is tracked on it.
 * - {@link PLACE_DEX}: a DEX pool/router or a wrapper (WETH): taint sent in by address A is
 *   converted to the token(s) the place sends back to A in the same transaction (or to whoever
 *   it pays instead, for swaps with a recipient); it never spreads into the pool's own balance.
 * - {@link PLACE_EXCHANGE}, {@link PLACE_BRIDGE}, {@link PLACE_MIXER}: exits. Taint sent there is
 *   recorded as having left (with the bridge memo when the transaction carries one) and is not
 *   propagated through their hot wallets.
 */
export const PLACE_NONE = 0
export const PLACE_DEX = 1
export const PLACE_EXCHANGE = 2
export const PLACE_BRIDGE = 3
export const PLACE_MIXER = 4

/** Names of place codes as they appear in reports. */
export const PLACE_NAMES = ['none', 'dex', 'exchange', 'bridge', 'mixer'] as const
export type PlaceName = (typeof PLACE_NAMES)[number]
