import type { Address } from '../core/hex.js'
import type { Policy, SafePolicy } from './policy.js'

/**
 * The policy entry for one Safe (and chain, when the entry names one), or undefined.
 *
 * @example
 * selectSafePolicy(policy, '0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4', 1n)?.name
 */
export function selectSafePolicy(
  policy: Policy,
  safe: Address,
  chainId: bigint,
): SafePolicy | undefined {
  const key = safe.toLowerCase()
  return policy.safes.find(
    (entry) =>
      entry.address.toLowerCase() === key &&
      (entry.chainId === undefined || entry.chainId === chainId),
  )
}
