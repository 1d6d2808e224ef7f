import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeFunctionData, parseAbi } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Hex } from '../src/core/hex.js'
import { sendAs } from '../src/devnet/execSafeTransaction.js'
import {
  BYBIT,
  BYBIT_GENESIS_DATE,
  type BybitSetup,
  setupBybit,
} from '../src/devnet/scenarios/bybit.js'
import { type Devnet, startDevnet } from '../src/devnet/startDevnet.js'
import { safeAbi } from '../src/safe/abi.js'
import type { StateStore } from '../src/store/StateStore.js'
import { openSqliteStateStore } from '../src/store/sqlite/openSqliteStateStore.js'
import { parseWatchConfig } from '../src/watch/config.js'
import { runWatch } from '../src/watch/runWatch.js'
import { type AlertReceiver, startAlertReceiver } from '../src/watch/startAlertReceiver.js'

const BLOCK_INTERVAL_MS = 2000

async function until<T>(
  fn: () => T | undefined | Promise<T | undefined>,
  what: string,
  ms = 20_000,
): Promise<T> {
  const started = Date.now()
  for (;;) {
    const value = await fn()
    if (value !== undefined) return value
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('Bybit replay: the slot-0 swap is alerted within its block', () => {
  let devnet: Devnet
  let setup: BybitSetup
  let receiver: AlertReceiver
  let store: StateStore
  beforeAll(async () => {
    devnet = await startDevnet({ initialDate: BYBIT_GENESIS_DATE, accounts: 2 })
    setup = await setupBybit(devnet)
    receiver = await startAlertReceiver({ secret: 'bybit' })
    store = openSqliteStateStore(join(mkdtempSync(join(tmpdir(), 'hg-bybit-')), 'watch.db'))
  })
  afterAll(async () => {
    await store?.close()
    await receiver?.close()
    await devnet?.stop()
  })

  test('implementation change, unverified execution and the sweep, each in its own block', async () => {
    // The five-line config of the README, plus the receipts policy and a fast local poll.
    const config = parseWatchConfig(
      `rpc: ${devnet.wsUrl}
safes:
  - ${BYBIT.safe}
notify:
  webhook: { url: ${receiver.url}, secret: bybit }
receipts: { required: 1 }
pollIntervalMs: 200
delivery: { intervalMs: 10 }
`,
      'bybit.yaml',
    )
    const controller = new AbortController()
    const logs: string[] = []
    const watcher = runWatch(config, {
      store,
      stdout: { write: () => true },
      log: (l) => logs.push(l),
      signal: controller.signal,
    })
    const chainId = devnet.chainId
    const head = async () => Number(await devnet.request('eth_blockNumber', []))
    await until(
      async () =>
        (await store.getCheckpoint(chainId))?.number === (await head()) ? true : undefined,
      'catch-up',
    )

    // Blocks keep coming at a steady cadence, as on a real chain.
    let mining = true
    const miner = (async () => {
      while (mining) {
        await new Promise((r) => setTimeout(r, BLOCK_INTERVAL_MS))
        if (mining) await devnet.request('evm_mine', [])
      }
    })()

    const data = encodeFunctionData({
      abi: safeAbi,
      functionName: 'execTransaction',
      args: [
        setup.safeTx.to,
        setup.safeTx.value,
        setup.safeTx.data,
        setup.safeTx.operation,
        setup.safeTx.safeTxGas,
        setup.safeTx.baseGas,
        setup.safeTx.gasPrice,
        setup.safeTx.gasToken,
        setup.safeTx.refundReceiver,
        setup.signatures,
      ],
    })
    const execHash = await sendAs(devnet, BYBIT.attacker, { to: BYBIT.safe as Hex, data })
    const execBlock = Number(
      ((await devnet.request('eth_getTransactionReceipt', [execHash])) as { blockNumber: Hex })
        .blockNumber,
    )
    const implementation = await until(
      () =>
        [...receiver.byKey.values()].find(
          (m) => m.detector === 'safe-config' && m.blockNumber === execBlock,
        ),
      'the implementation alert',
    )
    const headWhenDelivered = await head()
    // Delivered before the next block existed: within the block it happened in.
    expect(headWhenDelivered).toBe(execBlock)
    const stored = await store.getAlert(implementation.alertId)
    expect(stored?.details).toMatchObject({
      safe: BYBIT.safe.toLowerCase(),
      field: 'implementation',
      before: `0x${BYBIT.singleton.slice(2).toLowerCase().padStart(64, '0')}`,
      after: `0x${BYBIT.backdoor.slice(2).toLowerCase().padStart(64, '0')}`,
      source: 'storage',
    })
    expect(stored?.txHash).toBe(execHash)
    expect(stored?.severity).toBe('critical')
    const unverified = await until(
      () => [...receiver.byKey.values()].find((m) => m.detector === 'unverified-execution'),
      'the unverified-execution alert',
    )
    expect(unverified.blockNumber).toBe(execBlock)
    expect((await store.getAlert(unverified.alertId))?.details).toMatchObject({
      safeTxHash: '0xb3476d061aeb8fc1d605a873c483a2402d88a68a9cdd1a8b47655dd55ba004f8',
      receipts: 0,
      required: 1,
    })

    // The sweep: ETH leaves through the backdoor's internal call (no traces on this node: the
    // balance drop gives it away).
    const before = BigInt((await devnet.request('eth_getBalance', [BYBIT.safe, 'latest'])) as Hex)
    const sweepHash = await sendAs(devnet, BYBIT.attacker, {
      to: BYBIT.safe as Hex,
      data: encodeFunctionData({
        abi: parseAbi(['function sweepETH(address destination)']),
        functionName: 'sweepETH',
        args: [BYBIT.exploiter1 as Hex],
      }),
      gas: '0x30d40',
    })
    const sweepBlock = Number(
      ((await devnet.request('eth_getTransactionReceipt', [sweepHash])) as { blockNumber: Hex })
        .blockNumber,
    )
    const outflow = await until(
      () =>
        [...receiver.byKey.values()].find(
          (m) => m.detector === 'outflow' && m.blockNumber === sweepBlock,
        ),
      'the sweep outflow alert',
    )
    expect(await head()).toBe(sweepBlock)
    expect((await store.getAlert(outflow.alertId))?.details).toMatchObject({
      from: BYBIT.safe.toLowerCase(),
      amount: before.toString(),
      via: 'balance',
    })
    expect(before).toBe(401_346_768_800_000_000_000_000n)

    mining = false
    await miner
    controller.abort()
    await watcher
    expect(receiver.received.every((m) => m.signatureOk)).toBe(true)
  }, 60_000)
})
