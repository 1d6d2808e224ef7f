import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeEventLog, getAddress, parseAbi, parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Address, Hex } from '../../core/hex.js'
import { type Devnet, startDevnet } from '../startDevnet.js'
import { BYBIT, BYBIT_GENESIS_DATE, executeBybitTheft, setupBybit } from './bybit.js'
import {
  BYBIT_SPLITTERS,
  BYBIT_SWAP_PROCEEDS,
  type BybitGroundTruth,
  DEVNET_EXCHANGE_HOT_WALLET,
  launderBybit,
  THORCHAIN,
} from './launderBybit.js'

const depositEvent = parseAbi([
  'event Deposit(address indexed to, address indexed asset, uint256 amount, string memo)',
])

describe('launderBybit', () => {
  let devnet: Devnet
  let truth: BybitGroundTruth
  let beforeLaundering: Hex
  const path = join(tmpdir(), `heistguard-bybit-truth-${process.pid}.json`)
  beforeAll(async () => {
    devnet = await startDevnet({ initialDate: BYBIT_GENESIS_DATE, accounts: 2 })
    await setupBybit(devnet)
    const theft = await executeBybitTheft(devnet)
    beforeLaundering = (await devnet.request('evm_snapshot')) as Hex
    truth = await launderBybit(devnet, { seed: 1, groundTruthPath: path, theft })
  })
  afterAll(async () => {
    await devnet.stop()
  })
  const balance = async (a: Address) =>
    BigInt((await devnet.request('eth_getBalance', [a, 'latest'])) as Hex)

  test('writes the ground truth it returns', () => {
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(truth)
    expect(truth.heists.bybit.execTransactionHash).toMatch(/^0x[0-9a-f]{64}$/)
  })

  test('splits into ~10,000 ETH tranches over the real tranche wallets', () => {
    const splits = truth.transfers.filter((t) => t.step === 'split')
    expect(splits.length).toBeGreaterThanOrEqual(45)
    expect(splits.length).toBeLessThanOrEqual(49)
    for (const split of splits) {
      expect(BYBIT_SPLITTERS).toContain(split.to)
      expect(BigInt(split.amount)).toBeGreaterThanOrEqual(parseEther('10000'))
      expect(BigInt(split.amount)).toBeLessThanOrEqual(parseEther('10030'))
      expect([BYBIT.exploiter1, BYBIT_SWAP_PROCEEDS]).toContain(split.from)
    }
  })

  test('the LSTs are swapped on Uniswap V2 and the ETH proceeds reach 0xdD90…', async () => {
    const swaps = truth.transfers.filter((t) => t.step === 'swap')
    expect(swaps.map((s) => s.token)).toEqual(['stETH', 'ETH', 'mETH', 'ETH'])
    expect(swaps[0]?.amount).toBe(BYBIT.balances.stETH.toString())
    const proceeds = swaps
      .filter((s) => s.token === 'ETH')
      .reduce((sum, s) => sum + BigInt(s.amount), 0n)
    // constant-product pools of 2,000,000 and 200,000 ETH with the 0.3% fee
    expect(proceeds).toBeGreaterThan(parseEther('90000'))
    expect(proceeds).toBeLessThan(parseEther('98375'))
  })

  test('every bridge deposit emits a THORChain-style Deposit with a =:BTC.BTC:bc1q… memo, and the vaults hold exactly what was bridged', async () => {
    expect(truth.exits.bridge.length).toBeGreaterThan(40)
    const perVault = new Map<string, bigint>()
    for (const exit of truth.exits.bridge) {
      expect(exit.memo).toMatch(/^=:BTC\.BTC:bc1q[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{38}:0\/1\/0$/)
      perVault.set(exit.vault, (perVault.get(exit.vault) ?? 0n) + BigInt(exit.amount))
    }
    for (const [vault, amount] of perVault) expect(await balance(vault as Address)).toBe(amount)
    const sample = truth.exits.bridge[0]!
    const receipt = (await devnet.request('eth_getTransactionReceipt', [sample.txHash])) as {
      logs: { address: string; topics: [Hex, ...Hex[]]; data: Hex }[]
    }
    const log = receipt.logs.find((l) => getAddress(l.address) === getAddress(THORCHAIN.router))!
    const decoded = decodeEventLog({ abi: depositEvent, topics: log.topics, data: log.data })
    expect(decoded.args).toEqual({
      to: sample.vault,
      asset: '0x0000000000000000000000000000000000000000',
      amount: BigInt(sample.amount),
      memo: sample.memo,
    })
    const stolenEth = BYBIT.balances.eth
    const bridged = truth.exits.bridge.reduce((sum, e) => sum + BigInt(e.amount), 0n)
    expect(Number((bridged * 100n) / stolenEth)).toBeGreaterThan(50)
  })

  test('exchange deposits are forwarded to the exchange hot wallet', async () => {
    expect(truth.exits.exchange.length).toBeGreaterThanOrEqual(3)
    const total = truth.exits.exchange.reduce((sum, e) => sum + BigInt(e.amount), 0n)
    expect(await balance(DEVNET_EXCHANGE_HOT_WALLET)).toBe(total)
    expect(await balance(truth.exits.exchange[0]!.depositAddress)).toBe(0n)
  })

  test('holdings are the on-chain balances, received totals add up, and time only moves forward', async () => {
    for (const [address, held] of Object.entries(truth.holdings))
      expect(BigInt(held.ETH ?? '0'), address).toBe(await balance(address as Address))
    const received = truth.transfers
      .filter((t) => t.to === BYBIT_SPLITTERS[0])
      .reduce((sum, t) => sum + BigInt(t.amount), 0n)
    expect(truth.received[BYBIT_SPLITTERS[0]!]?.bybit.ETH).toBe(received.toString())
    expect(truth.holdings[BYBIT.cmethHolder]).toEqual({ cmETH: BYBIT.balances.cmETH.toString() })
    const blocks = truth.transfers.map((t) => t.block)
    const times = truth.transfers.map((t) => t.timestamp)
    for (let i = 1; i < blocks.length; i++) {
      expect(blocks[i]).toBeGreaterThanOrEqual(blocks[i - 1]!)
      expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]!)
    }
    expect(await balance(BYBIT.safe)).toBe(0n)
  })

  // Last: rewinds the chain to just after the theft and plays the laundering again.
  test('the same seed replays the same laundering (amounts, routes, memos, tx hashes); another seed does not', async () => {
    const shape = (t: BybitGroundTruth) => ({
      transfers: t.transfers.map(({ step, token, from, to, amount, txHash }) => ({
        step,
        token,
        from,
        to,
        amount,
        txHash,
      })),
      bridge: t.exits.bridge.map(({ from, vault, amount, memo }) => ({
        from,
        vault,
        amount,
        memo,
      })),
      exchange: t.exits.exchange.map(({ from, amount }) => ({ from, amount })),
    })
    expect(await devnet.request('evm_revert', [beforeLaundering])).toBe(true)
    beforeLaundering = (await devnet.request('evm_snapshot')) as Hex
    expect(shape(await launderBybit(devnet, { seed: 1 }))).toEqual(shape(truth))
    expect(await devnet.request('evm_revert', [beforeLaundering])).toBe(true)
    const other = await launderBybit(devnet, { seed: 2 })
    expect(other.exits.bridge.map((b) => b.memo)).not.toEqual(truth.exits.bridge.map((b) => b.memo))
  })
})
