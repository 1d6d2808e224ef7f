import {
  concat,
  encodeFunctionData,
  encodePacked,
  numberToHex,
  parseAbi,
  parseEther,
  size,
  zeroAddress,
} from 'viem'
import type { Address, Hex } from '../../core/hex.js'
import { mulberry32 } from '../../core/mulberry32.js'
import { multiSendAbi, safeAbi } from '../../safe/abi.js'
import type { SafeTx } from '../../safe/types.js'
import { deploySafe } from '../deploySafe.js'
import { installSafeContracts, safeContractAddress } from '../installSafeContracts.js'
import type { Devnet } from '../startDevnet.js'
import { scenarioKey } from './scenarioKeys.js'
import { deployDevToken, execScenarioSafeTx } from './scenarioParts.js'

export type BenignTransfer = { to: Address; token: 'ETH' | 'USDC'; amount: bigint }

export type BenignTransaction = {
  day: number
  kind: 'batch' | 'rotation'
  safeTx: SafeTx
  safeTxHash: Hex
  transactionHash: Hex
  block: bigint
  timestamp: number
  transfers: BenignTransfer[]
}

export type BenignMonth = {
  safe: Address
  safeVersion: '1.4.1'
  token: Address
  multiSendCallOnly: Address
  /** The treasury's address book: the hot wallets every transfer goes to. */
  addressBook: Record<string, Address>
  ownersBefore: Address[]
  ownersAfter: Address[]
  threshold: number
  transactions: BenignTransaction[]
  addresses: Record<string, Address>
}

const tokenAbi = parseAbi([
  'function init(string name, string symbol, uint8 decimals, address minter)',
  'function mint(address to, uint256 amount)',
  'function transfer(address to, uint256 amount) returns (bool)',
])

/** MultiSend's packed encoding: operation (uint8), to, value, data length, data, per call. */
function encodeMultiSend(calls: { to: Address; value: bigint; data: Hex }[]): Hex {
  const packed = concat(
    calls.map((c) =>
      encodePacked(
        ['uint8', 'address', 'uint256', 'uint256', 'bytes'],
        [0, c.to, c.value, BigInt(size(c.data)), c.data],
      ),
    ),
  )
  return encodeFunctionData({ abi: multiSendAbi, functionName: 'multiSend', args: [packed] })
}

/**
 * A benign month of a treasury cold wallet (Safe 1.4.1, 3-of-5): on most days one
 * MultiSendCallOnly batch (a DELEGATECALL to the canonical MultiSendCallOnly, the legitimate kind)
 * of 1-3 ETH or USDC-like transfers to address-book hot wallets, and on day 15 one owner rotation
 * (`swapOwner`). Driven by `seed`; each transaction in its own block on its own day. What detectors
 * and the verifier must *not* flag.
 *
 * @example
 * const month = await runBenignMonth(devnet, { seed: 1 })
 * month.transactions.filter((t) => t.kind === 'rotation').length // 1
 */
export async function runBenignMonth(
  devnet: Devnet,
  parameters: { seed: number; days?: number },
): Promise<BenignMonth> {
  if (!devnet.addresses['safe-1.4.1/singleton']) await installSafeContracts(devnet)
  const random = mulberry32(parameters.seed)
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1))
  const owners = Array.from({ length: 6 }, (_, i) => scenarioKey(`benign/owner/${i}`))
  const active = owners.slice(0, 5)
  const safe = await deploySafe(devnet, {
    version: '1.4.1',
    owners: active.map((o) => o.address),
    threshold: 3,
    saltNonce: 1n,
  })
  const token = await deployDevToken(devnet, {
    name: 'USD Coin (devnet)',
    symbol: 'USDC',
    decimals: 6,
    mint: [[safe.address, 100_000_000n * 10n ** 6n]],
  })
  await devnet.request('hardhat_setBalance', [safe.address, numberToHex(parseEther('20000'))])
  const addressBook = {
    'hot wallet 1': scenarioKey('benign/hot/1').address,
    'hot wallet 2': scenarioKey('benign/hot/2').address,
    'warm wallet': scenarioKey('benign/hot/3').address,
  }
  const hotWallets = Object.values(addressBook)
  const multiSendCallOnly = safeContractAddress('1.4.1', 'multiSendCallOnly')

  const head = (await devnet.request('eth_getBlockByNumber', ['latest', false])) as {
    timestamp: Hex
  }
  const start = Number(BigInt(head.timestamp)) - (Number(BigInt(head.timestamp)) % 86_400) + 86_400
  const transactions: BenignTransaction[] = []
  let nonce = 0n
  let owners_ = active.map((o) => o.address)
  for (let day = 0; day < (parameters.days ?? 30); day++) {
    const rotation = day === 15
    if (!rotation && random() > 0.7) continue
    const timestamp = start + day * 86_400 + between(8 * 3600, 18 * 3600)
    await devnet.request('evm_setNextBlockTimestamp', [numberToHex(timestamp)])
    const signingOwners = owners_
    let safeTx: SafeTx
    let transfers: BenignTransfer[] = []
    if (rotation) {
      // Replace the last owner; prevOwner is the one before it in the Safe's linked list.
      const old = owners_[owners_.length - 1] as Address
      const prev = owners_[owners_.length - 2] as Address
      const next = owners[5]?.address as Address
      safeTx = tx(
        safe.address,
        encodeFunctionData({ abi: safeAbi, functionName: 'swapOwner', args: [prev, old, next] }),
        0,
        nonce,
      )
      owners_ = [...owners_.slice(0, -1), next]
    } else {
      transfers = Array.from({ length: between(1, 3) }, () => {
        const to = hotWallets[between(0, hotWallets.length - 1)] as Address
        return random() < 0.5
          ? { to, token: 'ETH' as const, amount: parseEther(String(between(50, 1500))) }
          : { to, token: 'USDC' as const, amount: BigInt(between(100_000, 2_000_000)) * 10n ** 6n }
      })
      const calls = transfers.map((t) =>
        t.token === 'ETH'
          ? { to: t.to, value: t.amount, data: '0x' as Hex }
          : {
              to: token,
              value: 0n,
              data: encodeFunctionData({
                abi: tokenAbi,
                functionName: 'transfer',
                args: [t.to, t.amount],
              }),
            },
      )
      safeTx = tx(multiSendCallOnly, encodeMultiSend(calls), 1, nonce)
    }
    // Any 3 of the owners at the time sign (the new owner signs after the rotation).
    const signers = owners
      .filter((o) => signingOwners.includes(o.address))
      .slice(day % 2, (day % 2) + 3)
      .map((o) => o.privateKey)
    const exec = await execScenarioSafeTx(
      devnet,
      { safe: { address: safe.address, version: '1.4.1' }, tx: safeTx, signers },
      `benign day ${day}`,
    )
    transactions.push({
      day,
      kind: rotation ? 'rotation' : 'batch',
      safeTx,
      safeTxHash: exec.safeTxHash,
      transactionHash: exec.transactionHash,
      block: exec.blockNumber,
      timestamp,
      transfers,
    })
    nonce++
  }
  const addresses: Record<string, Address> = {
    'benign/safe': safe.address,
    'benign/token': token,
    ...Object.fromEntries(
      Object.entries(addressBook).map(([name, a]) => [`benign/${name.replace(/ /g, '-')}`, a]),
    ),
  }
  Object.assign(devnet.addresses, addresses)
  return {
    safe: safe.address,
    safeVersion: '1.4.1',
    token,
    multiSendCallOnly,
    addressBook,
    ownersBefore: active.map((o) => o.address),
    ownersAfter: owners_,
    threshold: 3,
    transactions,
    addresses,
  }
}

function tx(to: Address, data: Hex, operation: 0 | 1, nonce: bigint): SafeTx {
  return {
    to,
    value: 0n,
    data,
    operation,
    safeTxGas: 0n,
    baseGas: 0n,
    gasPrice: 0n,
    gasToken: zeroAddress,
    refundReceiver: zeroAddress,
    nonce,
  }
}
