import { encodeFunctionData, numberToHex, parseAbi, parseEther, zeroAddress } from 'viem'
import type { Address, Hex } from '../../core/hex.js'
import type { SafeTx } from '../../safe/types.js'
import { devnetContract } from '../devnetContract.js'
import { sendAs } from '../execSafeTransaction.js'
import { deployContract } from '../placeContract.js'
import type { Devnet } from '../startDevnet.js'
import { scenarioKey } from './scenarioKeys.js'
import { deployScenarioSafe, execScenarioSafeTx } from './scenarioParts.js'

/**
 * The Radiant pattern (16 Oct 2024): no delegatecall and no change to the Safe itself; the owners
 * sign a plain CALL to `transferOwnership(attacker)` of a protocol contract the Safe owns, and the
 * new owner drains the protocol. Devnet-made addresses, our own ProtocolVault contract.
 */
export type RadiantSetup = {
  safe: Address
  safeVersion: '1.3.0'
  owners: Address[]
  threshold: number
  vault: Address
  attacker: Address
  safeTx: SafeTx
  signerKeys: Hex[]
  vaultBalance: bigint
  addresses: Record<string, Address>
}

const vaultAbi = parseAbi([
  'function transferOwnership(address newOwner)',
  'function withdrawAll(address to)',
  'function owner() view returns (address)',
])

/**
 * A 3-of-11 Safe 1.3.0 owning a ProtocolVault that holds 2,000 ETH.
 *
 * @example
 * const radiant = await setupRadiant(devnet)
 * radiant.safeTx.operation // 0 (CALL)
 */
export async function setupRadiant(devnet: Devnet): Promise<RadiantSetup> {
  const safe = await deployScenarioSafe(devnet, {
    name: 'radiant',
    version: '1.3.0',
    owners: 11,
    threshold: 3,
    saltNonce: 2024_10_16n,
  })
  const owners = safe.owners
  const attacker = scenarioKey('radiant/attacker').address
  const vault = (
    await deployContract(devnet, { ...devnetContract('ProtocolVault'), args: [safe.address] })
  ).address
  const vaultBalance = parseEther('2000')
  await devnet.request('hardhat_setBalance', [vault, numberToHex(vaultBalance)])
  const safeTx: SafeTx = {
    to: vault,
    value: 0n,
    data: encodeFunctionData({
      abi: vaultAbi,
      functionName: 'transferOwnership',
      args: [attacker],
    }),
    operation: 0,
    safeTxGas: 0n,
    baseGas: 0n,
    gasPrice: 0n,
    gasToken: zeroAddress,
    refundReceiver: zeroAddress,
    nonce: 0n,
  }
  const addresses = {
    'radiant/safe': safe.address,
    'radiant/vault': vault,
    'radiant/attacker': attacker,
  }
  Object.assign(devnet.addresses, addresses)
  return {
    safe: safe.address,
    safeVersion: '1.3.0',
    owners: owners.map((o) => o.address),
    threshold: 3,
    vault,
    attacker,
    safeTx,
    signerKeys: owners.slice(0, 3).map((o) => o.privateKey),
    vaultBalance,
    addresses,
  }
}

export type RadiantAttackResult = {
  execTransactionHash: Hex
  safeTxHash: Hex
  withdrawTransactionHash: Hex
}

/**
 * Three owners sign the ownership transfer, then the attacker withdraws everything.
 *
 * @example
 * await attackRadiant(devnet, await setupRadiant(devnet))
 */
export async function attackRadiant(
  devnet: Devnet,
  setup: RadiantSetup,
): Promise<RadiantAttackResult> {
  const exec = await execScenarioSafeTx(
    devnet,
    {
      safe: { address: setup.safe, version: '1.3.0' },
      tx: setup.safeTx,
      signers: setup.signerKeys,
    },
    'Radiant transferOwnership',
  )
  await devnet.request('evm_increaseTime', ['0x3c'])
  const withdrawTransactionHash = await sendAs(devnet, setup.attacker, {
    to: setup.vault,
    data: encodeFunctionData({
      abi: vaultAbi,
      functionName: 'withdrawAll',
      args: [setup.attacker],
    }),
  })
  return {
    execTransactionHash: exec.transactionHash,
    safeTxHash: exec.safeTxHash,
    withdrawTransactionHash,
  }
}
