import { encodeFunctionData, parseAbi } from 'viem'
import { BaseError } from '../../core/BaseError.js'
import type { Address, Hex } from '../../core/hex.js'
import { deploySafe } from '../deploySafe.js'
import { devnetContract } from '../devnetContract.js'
import {
  type ExecSafeTransactionParameters,
  type ExecSafeTransactionReturnType,
  execSafeTransaction,
  sendAs,
} from '../execSafeTransaction.js'
import type { DevnetSafeVersion } from '../installSafeContracts.js'
import { installSafeContracts } from '../installSafeContracts.js'
import { deployContract } from '../placeContract.js'
import type { Devnet } from '../startDevnet.js'
import { scenarioKey } from './scenarioKeys.js'

/** A victim Safe of a scenario and the keys of its owners (derived from `<name>/owner/<i>`). */
export type ScenarioSafe = {
  address: Address
  owners: { address: Address; privateKey: Hex }[]
}

/**
 * Deploys a scenario's Safe through the real factory, owned by `owners` scenario keys, and installs
 * the Safe contracts first when the devnet has none of this version.
 *
 * @example
 * const safe = await deployScenarioSafe(devnet, { name: 'wazirx', version: '1.3.0', owners: 6, threshold: 4, saltNonce: 1n })
 */
export async function deployScenarioSafe(
  devnet: Devnet,
  parameters: {
    name: string
    version: DevnetSafeVersion
    owners: number
    threshold: number
    saltNonce: bigint
  },
): Promise<ScenarioSafe> {
  if (!devnet.addresses[`safe-${parameters.version}/singleton`]) await installSafeContracts(devnet)
  const owners = Array.from({ length: parameters.owners }, (_, i) =>
    scenarioKey(`${parameters.name}/owner/${i}`),
  )
  const safe = await deploySafe(devnet, {
    version: parameters.version,
    owners: owners.map((o) => o.address),
    threshold: parameters.threshold,
    saltNonce: parameters.saltNonce,
  })
  return { address: safe.address, owners }
}

const devTokenAbi = parseAbi([
  'function init(string name, string symbol, uint8 decimals, address minter)',
  'function mint(address to, uint256 amount)',
])

/**
 * Deploys our DevToken (an ERC-20 with a minter), initialised by the devnet's first account, and
 * mints the given amounts.
 *
 * @example
 * const usdt = await deployDevToken(devnet, { name: 'Tether USD (devnet)', symbol: 'USDT', decimals: 6, mint: [[safe, 10n ** 12n]] })
 */
export async function deployDevToken(
  devnet: Devnet,
  parameters: {
    name: string
    symbol: string
    decimals: number
    mint: ReadonlyArray<readonly [Address, bigint]>
  },
): Promise<Address> {
  const deployer = devnet.accounts[0]?.address as Address
  const token = (await deployContract(devnet, devnetContract('DevToken'))).address
  const { name, symbol, decimals } = parameters
  await sendAs(devnet, deployer, {
    to: token,
    data: encodeFunctionData({
      abi: devTokenAbi,
      functionName: 'init',
      args: [name, symbol, decimals, deployer],
    }),
  })
  for (const [to, amount] of parameters.mint)
    await sendAs(devnet, deployer, {
      to: token,
      data: encodeFunctionData({ abi: devTokenAbi, functionName: 'mint', args: [to, amount] }),
    })
  return token
}

/**
 * Executes a signed SafeTx that the scenario needs to succeed; a revert means the scenario itself
 * is broken, which is reported as such (with the transaction hash) rather than as a finding.
 *
 * @example
 * await execScenarioSafeTx(devnet, { safe: { address, version: '1.3.0' }, tx, signers }, 'Radiant transferOwnership')
 */
export async function execScenarioSafeTx(
  devnet: Devnet,
  parameters: ExecSafeTransactionParameters,
  what: string,
): Promise<ExecSafeTransactionReturnType> {
  const exec = await execSafeTransaction(devnet, parameters)
  if (!exec.success)
    throw new BaseError(`${what} failed`, {
      code: 'DEVNET_SCENARIO_BROKEN',
      details: exec.transactionHash,
    })
  return exec
}
