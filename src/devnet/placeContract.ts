import { type Abi, encodeDeployData, getAddress } from 'viem'
import { BaseError } from '../core/BaseError.js'
import type { Address, Hex } from '../core/hex.js'
import { sendAs } from './execSafeTransaction.js'
import type { Devnet } from './startDevnet.js'

export type DeployContractParameters = {
  abi: Abi
  bytecode: Hex
  args?: readonly unknown[]
  /** Default: the devnet's first account. */
  from?: Address
}

/**
 * Deploys a contract with an ordinary CREATE transaction and returns its address.
 *
 * @example
 * const { address } = await deployContract(devnet, { ...devnetContract('DepositForwarder'), args: [hot] })
 */
export async function deployContract(
  devnet: Devnet,
  parameters: DeployContractParameters,
): Promise<{ address: Address; transactionHash: Hex }> {
  const data = encodeDeployData({
    abi: parameters.abi,
    bytecode: parameters.bytecode,
    args: parameters.args ?? [],
  } as never)
  const from = parameters.from ?? (devnet.accounts[0]?.address as Address)
  const transactionHash = await sendAs(devnet, from, { data })
  const receipt = (await devnet.request('eth_getTransactionReceipt', [transactionHash])) as {
    status: Hex
    contractAddress: Address | null
  }
  if (receipt.status !== '0x1' || !receipt.contractAddress)
    throw new BaseError('contract deployment reverted', {
      code: 'DEVNET_DEPLOY_FAILED',
      details: transactionHash,
    })
  return { address: getAddress(receipt.contractAddress), transactionHash }
}

/**
 * Puts a contract at a fixed address (a mainnet address whose deployer cannot be replayed):
 * deploys it normally so that its constructor runs and fills immutables, then copies the runtime
 * code and the first `copySlots` storage slots (what constructors usually write) to `address`
 * with hardhat_setCode / hardhat_setStorageAt. Mappings written by the constructor are not copied.
 *
 * @example
 * await placeContract(devnet, '0xbDd077f651EBe7f7b3cE16fe5F2b025BE2969516', {
 *   ...devnetContract('SweepBackdoor'), args: [attacker] })
 */
export async function placeContract(
  devnet: Devnet,
  address: Address,
  parameters: DeployContractParameters & { copySlots?: number },
): Promise<void> {
  const temporary = await deployContract(devnet, parameters)
  const code = (await devnet.request('eth_getCode', [temporary.address, 'latest'])) as Hex
  await devnet.request('hardhat_setCode', [address, code])
  for (let slot = 0; slot < (parameters.copySlots ?? 0); slot++) {
    const key = `0x${slot.toString(16).padStart(64, '0')}`
    const value = (await devnet.request('eth_getStorageAt', [
      temporary.address,
      key,
      'latest',
    ])) as Hex
    await devnet.request('hardhat_setStorageAt', [address, key, value])
  }
}
