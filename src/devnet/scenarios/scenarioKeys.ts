import { keccak256, stringToHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { Address, Hex } from '../../core/hex.js'

/**
 * Deterministic keys for scenario actors (owners, attackers), derived from a label so that
 * scenarios do not depend on how many test accounts the devnet has. Devnet-only: anyone can derive them.
 *
 * @example
 * scenarioKey('wazirx/owner/0').address // same address on every run
 */
export function scenarioKey(label: string): { address: Address; privateKey: Hex } {
  const privateKey = keccak256(stringToHex(`heistguard devnet ${label}`))
  return { address: privateKeyToAccount(privateKey).address, privateKey }
}
