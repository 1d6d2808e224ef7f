import { decodeFunctionResult, encodeFunctionData } from 'viem'
import type { Address, Hex } from '../core/hex.js'
import { safeAbi } from '../safe/abi.js'
import type { Devnet } from './startDevnet.js'

export type ReadSafeStateReturnType = {
  nonce: bigint
  threshold: number
  owners: readonly Address[]
}

/**
 * Nonce, threshold and owners of a Safe on the devnet, through the Safe's own getters (the same
 * on every version from 1.0.0).
 *
 * @example
 * await readSafeState(devnet, safe.address) // { nonce: 0n, threshold: 2, owners: [...] }
 */
export async function readSafeState(
  devnet: Devnet,
  safe: Address,
): Promise<ReadSafeStateReturnType> {
  const call = async (functionName: 'nonce' | 'getThreshold' | 'getOwners') =>
    (await devnet.request('eth_call', [
      { to: safe, data: encodeFunctionData({ abi: safeAbi, functionName }) },
      'latest',
    ])) as Hex
  const [nonce, threshold, owners] = await Promise.all([
    call('nonce'),
    call('getThreshold'),
    call('getOwners'),
  ])
  return {
    nonce: decodeFunctionResult({ abi: safeAbi, functionName: 'nonce', data: nonce }),
    threshold: Number(
      decodeFunctionResult({ abi: safeAbi, functionName: 'getThreshold', data: threshold }),
    ),
    owners: decodeFunctionResult({ abi: safeAbi, functionName: 'getOwners', data: owners }),
  }
}
