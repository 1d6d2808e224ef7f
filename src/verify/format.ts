import { getAddress } from 'viem'
import type { Address } from '../core/hex.js'

/**
 * `0x9622…7242`: the first and last four hex digits, checksummed, as signers compare them.
 *
 * @example
 * shortAddress('0x96221423681a6d52e184d440a8efcebb105c7242') // '0x9622…7242'
 */
export function shortAddress(address: string): string {
  const checksummed = /^0x[0-9a-fA-F]{40}$/.test(address) ? getAddress(address) : address
  return `${checksummed.slice(0, 6)}…${checksummed.slice(-4)}`
}

/**
 * An amount in whole units when the decimals are known, else in base units (said so).
 *
 * @example
 * formatAmount(30000n * 10n ** 18n, { decimals: 18, symbol: 'ETH' }) // '30000 ETH'
 * formatAmount(5n, {}) // '5 base units'
 */
export function formatAmount(value: bigint, token: { decimals?: number; symbol?: string }): string {
  if (token.decimals === undefined)
    return `${value} base units${token.symbol ? ` of ${token.symbol}` : ''}`
  return `${formatUnits(value, token.decimals)} ${token.symbol ?? 'units'}`
}

/**
 * `value / 10^decimals` as an exact decimal string without trailing zeros. Written here rather
 * than imported from viem because esbuild puts viem's formatUnits in a chunk with the whole
 * public client, which the verify command would then load at start-up.
 *
 * @example
 * formatUnits(1500000000000000000n, 18) // '1.5'
 */
export function formatUnits(value: bigint, decimals: number): string {
  const negative = value < 0n
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, '0')
  const whole = digits.slice(0, digits.length - decimals)
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, '')
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`
}

/** Wei as ETH, exact. */
export function formatEther(value: bigint): string {
  return formatUnits(value, 18)
}

/** Lowercase key for address maps. */
export function addressKey(address: string): string {
  return address.toLowerCase()
}

/** The zero address, which Safe fields use for "ETH" (gasToken) and "tx.origin" (refundReceiver). */
export const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000' as Address

/** 2^256 - 1 and friends: allowances that never run out. */
export const MAX_UINT256 = (1n << 256n) - 1n
export const MAX_UINT160 = (1n << 160n) - 1n
