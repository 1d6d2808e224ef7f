import { getAddress, pad } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Hex } from '../core/hex.js'
import {
  BYBIT,
  BYBIT_GENESIS_DATE,
  type BybitSetup,
  executeBybitTheft,
  setupBybit,
} from '../devnet/scenarios/bybit.js'
import { type Devnet, startDevnet } from '../devnet/startDevnet.js'
import { SAFE_STORAGE_SLOTS } from '../safe/storageSlots.js'
import type { SafeContext } from '../safe/types.js'
import { createHttpRpcClient } from './createHttpRpcClient.js'
import { simulateForVerdict } from './simulateForVerdict.js'
import { simulateSafeTx } from './simulateSafeTx.js'
import { simulationFindings } from './simulationFindings.js'

// Public facts: shared/data/README.md ("The Bybit transaction").
const OLD_SINGLETON = '0x34CfAC646f301356fAa8B21e94227e3583Fe3F5F'
const BACKDOOR = '0xbDd077f651EBe7f7b3cE16fe5F2b025BE2969516'
const word = (value: Hex) => pad(value.toLowerCase() as Hex)

describe('the Bybit replay, simulated before it is sent', () => {
  let devnet: Devnet
  let setup: BybitSetup
  let context: SafeContext
  beforeAll(async () => {
    devnet = await startDevnet({ initialDate: BYBIT_GENESIS_DATE, accounts: 2 })
    setup = await setupBybit(devnet)
    context = { chainId: BigInt(devnet.chainId), safe: BYBIT.safe, version: '1.1.1' }
  })
  afterAll(async () => {
    await devnet?.stop()
  })

  const chainView = async () => ({
    block: await devnet.request('eth_blockNumber', []),
    slot0: await devnet.request('eth_getStorageAt', [
      BYBIT.safe,
      SAFE_STORAGE_SLOTS.singleton,
      'latest',
    ]),
    nonce: await devnet.request('eth_getStorageAt', [
      BYBIT.safe,
      SAFE_STORAGE_SLOTS.nonce,
      'latest',
    ]),
    balance: await devnet.request('eth_getBalance', [BYBIT.safe, 'latest']),
  })

  let preTheftBlock: bigint

  test('the real SafeTx overwrites slot 0 with the backdoor: critical, block; the devnet is untouched', async () => {
    const before = await chainView()
    preTheftBlock = BigInt(before.block as Hex)
    const { simulation, findings } = await simulateForVerdict(devnet.url, context, setup.safeTx, {
      timeoutMs: 10_000,
    })

    expect(simulation.safeTxHash).toBe(BYBIT.safeTxHash)
    expect(simulation.safeState).toMatchObject({
      version: '1.1.1',
      implementation: OLD_SINGLETON,
      threshold: '3',
      nonce: '71',
    })
    expect(simulation.success).toBe(true)
    expect(simulation.storageWrites).toEqual([
      {
        address: BYBIT.safe,
        slot: SAFE_STORAGE_SLOTS.nonce,
        name: 'nonce',
        before: word('0x47'),
        after: word('0x48'),
      },
      {
        address: BYBIT.safe,
        slot: SAFE_STORAGE_SLOTS.singleton,
        name: 'implementation',
        before: word(OLD_SINGLETON),
        after: word(BACKDOOR),
      },
    ])
    // The DELEGATECALL that did it, in the call tree: Safe -> trojan transfer(backdoor, 0).
    const inner = simulation.callTree.calls[0]?.calls.find((c) => c.type === 'DELEGATECALL')
    expect(inner).toMatchObject({
      from: BYBIT.safe,
      to: BYBIT.trojan,
      selector: '0xa9059cbb',
      success: true,
    })
    // No event says anything about slot 0: only ExecutionSuccess.
    expect(simulation.events.map((e) => [e.address, e.name])).toEqual([
      [BYBIT.safe, 'ExecutionSuccess'],
    ])
    expect(simulation.balanceChanges).toEqual([])

    const blocking = findings.filter((f) => f.effect === 'block')
    expect(blocking).toHaveLength(1)
    expect(blocking[0]).toMatchObject({
      rule: 'simulation-implementation-changed',
      severity: 'critical',
      newImplementation: BACKDOOR,
    })
    expect(blocking[0]!.message).toBe(
      `Overwrites the Safe's implementation (storage slot 0) from ${OLD_SINGLETON} to ${BACKDOOR}, which is not a canonical Safe singleton: whoever controls that code controls the Safe and everything in it. No event announces this.`,
    )
    expect(await chainView()).toEqual(before)
  })

  test('sent for real, the same transaction empties the Safe; the pre-theft block still simulates the same', async () => {
    const theft = await executeBybitTheft(devnet)
    expect(theft.stolen.eth).toBe(BYBIT.balances.eth)
    expect(BigInt((await devnet.request('eth_getBalance', [BYBIT.safe, 'latest'])) as Hex)).toBe(0n)
    const slot0 = (await devnet.request('eth_getStorageAt', [
      BYBIT.safe,
      SAFE_STORAGE_SLOTS.singleton,
      'latest',
    ])) as Hex
    expect(getAddress(`0x${slot0.slice(-40)}`)).toBe(BACKDOOR)

    // A fork of the block before the theft: the state the signers saw.
    const client = createHttpRpcClient(devnet.url, { timeoutMs: 10_000 })
    const replay = await simulateSafeTx(client, {
      safe: BYBIT.safe,
      tx: setup.safeTx,
      blockNumber: preTheftBlock,
    })
    expect(replay.blockNumber).toBe(preTheftBlock)
    expect(replay.storageWrites.find((w) => w.name === 'implementation')?.after).toBe(
      word(BACKDOOR),
    )
    expect(simulationFindings(replay).some((f) => f.severity === 'critical')).toBe(true)
    // At the latest block slot 0 points at the backdoor: the address no longer behaves as a Safe.
    const latest = (await devnet.request('eth_blockNumber', [])) as Hex
    await expect(simulateSafeTx(client, { safe: BYBIT.safe, tx: setup.safeTx })).rejects.toThrow(
      `safe: ${BYBIT.safe} is not a working Safe at block ${BigInt(latest)}: its implementation ${BACKDOOR} does not answer getTransactionHash()`,
    )
  })
})

describe('the Bybit replay on a devnet that calls itself chain 1', () => {
  test('mainnet chain id, a 2025 clock and block numbers near zero: still simulated, still blocked', async () => {
    const devnet = await startDevnet({ initialDate: BYBIT_GENESIS_DATE, accounts: 2, chainId: 1 })
    try {
      const setup = await setupBybit(devnet)
      const { simulation, findings } = await simulateForVerdict(
        devnet.url,
        { chainId: 1n, safe: BYBIT.safe, version: '1.1.1' },
        setup.safeTx,
      )
      expect(simulation.chainId).toBe('1')
      expect(findings.filter((f) => f.effect === 'block').map((f) => f.newImplementation)).toEqual([
        BACKDOOR,
      ])
    } finally {
      await devnet.stop()
    }
  })
})
