import { encodeFunctionData, getAddress, zeroAddress } from 'viem'
import { BaseError, InputError } from '../core/BaseError.js'
import type { Address, Hex } from '../core/hex.js'
import { safeAbi, safeLegacyAbi, safeProxyFactoryAbi } from '../safe/abi.js'
import { type DevnetSafeVersion, safeContractAddress } from './installSafeContracts.js'
import type { Devnet } from './startDevnet.js'

export type DeploySafeParameters = {
  version: DevnetSafeVersion
  owners: Address[]
  threshold: number
  /** Default: the release's own handler (DefaultCallbackHandler 1.1.1 for 1.1.1/1.2.0, CompatibilityFallbackHandler for 1.3.0+); 1.0.0 has none. Pass the zero address for none. */
  fallbackHandler?: Address
  /** CREATE2 salt nonce of the proxy factory; default 0. */
  saltNonce?: bigint
  /** Sender of the deployment; default the devnet's first account. */
  from?: Address
}

export type DeploySafeReturnType = {
  address: Address
  version: DevnetSafeVersion
  singleton: Address
  proxyFactory: Address
  transactionHash: Hex
}

// createProxyWithNonce has the same selector on every factory (1.0.0 names the first parameter
// `_mastercopy`); the ABI in src/safe/abi.ts carries the 1.1.1+ names.
const createProxyWithNonceAbi = safeProxyFactoryAbi

/**
 * Deploys a Safe proxy through the release's real proxy factory (`createProxyWithNonce`) and runs
 * `setup` in the same transaction, exactly as the Safe apps do. Needs `installSafeContracts` first.
 *
 * @example
 * const safe = await deploySafe(devnet, { version: '1.3.0', owners: [a, b, c], threshold: 2 })
 * safe.address // '0x…' (CREATE2, deterministic in owners, threshold and saltNonce)
 */
export async function deploySafe(
  devnet: Devnet,
  parameters: DeploySafeParameters,
): Promise<DeploySafeReturnType> {
  const { version, owners, threshold } = parameters
  if (owners.length === 0)
    throw new InputError('at least one owner is required', {
      code: 'INVALID_OWNERS',
      field: 'owners',
    })
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > owners.length)
    throw new InputError(`threshold must be 1..${owners.length}, got ${threshold}`, {
      code: 'INVALID_THRESHOLD',
      field: 'threshold',
    })
  const singleton = safeContractAddress(version, 'singleton')
  const proxyFactory = safeContractAddress(version, 'proxyFactory')
  const initializer =
    version === '1.0.0'
      ? encodeFunctionData({
          abi: safeLegacyAbi,
          functionName: 'setup',
          args: [owners, BigInt(threshold), zeroAddress, '0x', zeroAddress, 0n, zeroAddress],
        })
      : encodeFunctionData({
          abi: safeAbi,
          functionName: 'setup',
          args: [
            owners,
            BigInt(threshold),
            zeroAddress,
            '0x',
            parameters.fallbackHandler ?? safeContractAddress(version, 'fallbackHandler'),
            zeroAddress,
            0n,
            zeroAddress,
          ],
        })
  const data = encodeFunctionData({
    abi: createProxyWithNonceAbi,
    functionName: 'createProxyWithNonce',
    args: [singleton, initializer, parameters.saltNonce ?? 0n],
  })
  const from = parameters.from ?? devnet.accounts[0]?.address
  if (!from)
    throw new InputError('no sender: the devnet has no accounts', {
      code: 'NO_SENDER',
      field: 'from',
    })
  // The factory returns the proxy address; asking first with eth_call avoids decoding the
  // ProxyCreation event, whose shape changed in 1.3.0 and again in 1.4.1.
  const returned = (await devnet.request('eth_call', [
    { from, to: proxyFactory, data },
    'latest',
  ])) as Hex
  const address = getAddress(`0x${returned.slice(-40)}`)
  const transactionHash = (await devnet.request('eth_sendTransaction', [
    { from, to: proxyFactory, data },
  ])) as Hex
  const receipt = (await devnet.request('eth_getTransactionReceipt', [transactionHash])) as {
    status: Hex
  }
  if (receipt.status !== '0x1')
    throw new BaseError(`Safe ${version} deployment reverted`, {
      code: 'DEVNET_DEPLOY_FAILED',
      details: transactionHash,
    })
  return { address, version, singleton, proxyFactory, transactionHash }
}
