import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Fault, type FaultProxy, startFaultProxy } from '../src/chain/faultProxy.js'
import type { Address, Hex } from '../src/core/hex.js'
import { mulberry32 } from '../src/core/mulberry32.js'
import { deploySafe } from '../src/devnet/deploySafe.js'
import { installSafeContracts } from '../src/devnet/installSafeContracts.js'
import { type Devnet, startDevnet } from '../src/devnet/startDevnet.js'
import { SAFE_STORAGE_SLOTS } from '../src/safe/storageSlots.js'
import type { StateStore } from '../src/store/StateStore.js'
import { openSqliteStateStore } from '../src/store/sqlite/openSqliteStateStore.js'
import { alertId } from '../src/watch/alertId.js'
import { parseWatchConfig } from '../src/watch/config.js'
import { runWatch } from '../src/watch/runWatch.js'
import { type AlertReceiver, startAlertReceiver } from '../src/watch/startAlertReceiver.js'

const FAULTS: Array<[Fault, number]> = [
  ['timeout', 0.01],
  ['rate-limit', 0.04],
  ['http-500', 0.04],
  ['rpc-error', 0.04],
  ['drop', 0.04],
  ['null-result', 0.05],
  ['stale-head', 0.05],
]

function faultPolicy(random: () => number) {
  return (): Fault => {
    let r = random()
    for (const [fault, p] of FAULTS) {
      if (r < p) return fault
      r -= p
    }
    return 'pass'
  }
}

describe('watch against a faulty RPC and reorgs of depth 1..64', () => {
  let devnet: Devnet
  let proxies: FaultProxy[]
  let receiver: AlertReceiver
  let store: StateStore
  let safe: Address
  let watchedEoa: Address
  let startBlock: number
  const thresholdSlot = SAFE_STORAGE_SLOTS.threshold

  beforeAll(async () => {
    devnet = await startDevnet({ accounts: 8 })
    await installSafeContracts(devnet)
    const owner = devnet.accounts[0]!.address
    safe = (
      await deploySafe(devnet, { version: '1.3.0', owners: [owner], threshold: 1 })
    ).address.toLowerCase() as Address
    watchedEoa = devnet.accounts[1]!.address.toLowerCase() as Address
    startBlock = Number(await devnet.request('eth_blockNumber', [])) + 1
    const random = mulberry32(42)
    proxies = [
      await startFaultProxy(devnet.url, faultPolicy(random)),
      await startFaultProxy(devnet.url, faultPolicy(random)),
    ]
    receiver = await startAlertReceiver({
      secret: 'whsec',
      delayMs: 2,
      failRate: 0.1,
      dropAfterRecordRate: 0.1,
      random: mulberry32(7),
    })
    store = openSqliteStateStore(join(mkdtempSync(join(tmpdir(), 'hg-watch-')), 'watch.db'))
  })
  afterAll(async () => {
    await store?.close()
    await receiver?.close()
    for (const p of proxies ?? []) await p.close()
    await devnet?.stop()
  })

  test('every canonical alert delivered once, orphaned ones retracted, none lost', async () => {
    const config = parseWatchConfig(
      `
rpc:
  - { url: ${proxies[0]!.url}, weight: 2 }
  - ${proxies[1]!.url}
startBlock: ${startBlock}
pollIntervalMs: 50
rpcTimeoutMs: 2000
concurrency: 2
rpcBackoffMs: 5
rpcBatchSize: 20
safes:
  - { address: ${safe}, version: 1.3.0 }
addresses: [${watchedEoa}]
notify:
  webhook: { url: ${receiver.url}, secret: whsec }
delivery: { backoffMs: 5, maxBackoffMs: 50, maxAttempts: 1000, intervalMs: 20 }
`,
      'test.yaml',
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
    let step = 0
    const outflow = async () => {
      step++
      await devnet.request('eth_sendTransaction', [
        {
          from: watchedEoa,
          to: devnet.accounts[2]!.address,
          value: `0x${(1000 + step).toString(16)}`,
        },
      ])
    }
    const safeChange = async () => {
      step++
      await devnet.request('hardhat_setStorageAt', [
        safe,
        thresholdSlot,
        `0x${(step % 7 === 0 ? 2 : 1 + (step % 3)).toString(16).padStart(64, '0')}`,
      ])
      // A block from an unrelated account carries the change (storage diff, no event).
      await devnet.request('eth_sendTransaction', [
        {
          from: devnet.accounts[5]!.address,
          to: devnet.accounts[6]!.address,
          value: `0x${step.toString(16)}`,
        },
      ])
    }
    const head = async () => Number(await devnet.request('eth_blockNumber', []))
    const caughtUp = async () => {
      const started = Date.now()
      for (;;) {
        if (Date.now() - started > 90_000)
          throw new Error(
            `watcher stuck at ${JSON.stringify((await store.getCheckpoint(chainId))?.number)}, head ${await head()}; logs: ${logs.slice(-15).join(' | ')}`,
          )
        const cp = await store.getCheckpoint(chainId)
        const tip = (await devnet.request('eth_getBlockByNumber', ['latest', false])) as {
          number: Hex
          hash: string
        }
        if (cp && cp.number === Number(tip.number) && cp.hash === tip.hash) return
        await new Promise((r) => setTimeout(r, 20))
      }
    }

    let retractionsExpected = 0
    for (const depth of [1, 2, 3, 7, 21, 64]) {
      await outflow()
      await safeChange()
      await caughtUp()
      const snapshot = await devnet.request('evm_snapshot', [])
      for (let i = 0; i < depth; i++) await (i % 4 === 1 ? safeChange() : outflow())
      await caughtUp() // the watcher has alerted on the branch about to be orphaned
      for (let i = 0; i < depth; i++) if (i % 4 !== 1) retractionsExpected++ // the orphaned outflows
      expect(await devnet.request('evm_revert', [snapshot])).toBe(true)
      // The new branch is one block longer and carries different transactions.
      for (let i = 0; i <= depth; i++) await (i % 3 === 2 ? safeChange() : outflow())
    }
    await outflow()
    await caughtUp()
    for (;;) {
      const counts = await store.countMessages()
      if (counts.pending === 0) break
      await new Promise((r) => setTimeout(r, 20))
    }
    controller.abort()
    const result = await watcher

    // Oracle: walk the canonical chain directly (no proxy) and derive each expected alert.
    const expected = new Set<string>()
    const canonicalHashes = new Set<string>()
    const last = await head()
    for (let n = startBlock; n <= last; n++) {
      const block = (await devnet.request('eth_getBlockByNumber', [
        `0x${n.toString(16)}`,
        true,
      ])) as {
        hash: string
        transactions: Array<{ hash: string; from: string; value: Hex; transactionIndex: Hex }>
      }
      canonicalHashes.add(block.hash)
      for (const tx of block.transactions)
        if (tx.from.toLowerCase() === watchedEoa && BigInt(tx.value) > 0n)
          expected.add(
            alertId({
              chainId,
              blockHash: block.hash,
              txHash: tx.hash,
              detector: 'outflow',
              discriminator: `tx:${Number(tx.transactionIndex)}`,
            }),
          )
      const before = await devnet.request('eth_getStorageAt', [
        safe,
        thresholdSlot,
        `0x${(n - 1).toString(16)}`,
      ])
      const after = await devnet.request('eth_getStorageAt', [
        safe,
        thresholdSlot,
        `0x${n.toString(16)}`,
      ])
      if (before !== after)
        expected.add(
          alertId({
            chainId,
            blockHash: block.hash,
            txHash: null,
            detector: 'safe-config',
            discriminator: `${safe}:threshold`,
          }),
        )
    }

    expect(expected.size).toBeGreaterThan(60)
    // Every canonical alert is live at the receiver, and nothing else is.
    expect([...receiver.liveAlertIds()].sort()).toEqual([...expected].sort())
    // Every message ever received was signed correctly.
    expect(receiver.received.every((m) => m.signatureOk)).toBe(true)
    // Orphaned alerts reached the receiver and were retracted there.
    const retracted = [...receiver.byKey.values()].filter((m) => m.kind === 'retraction')
    expect(retracted.length).toBeGreaterThanOrEqual(retractionsExpected)
    for (const m of retracted) expect(canonicalHashes.has(m.blockHash)).toBe(false)
    // After idempotency: exactly one first message per alert id.
    const firsts = [...receiver.byKey.values()].filter((m) => m.kind === 'alert')
    expect(new Set(firsts.map((m) => m.alertId)).size).toBe(firsts.length)
    // The store agrees with the receiver.
    expect((await store.listAlerts({ chainId, state: 'live' })).map((a) => a.id).sort()).toEqual(
      [...expected].sort(),
    )
    expect(await store.countMessages()).toEqual({
      pending: 0,
      delivered: receiver.byKey.size,
      dead: 0,
    })
    expect(result.reorgs).toBeGreaterThanOrEqual(6)
    // Every kind of fault was injected.
    for (const [fault] of FAULTS)
      expect(proxies[0]!.counts[fault] + proxies[1]!.counts[fault]).toBeGreaterThan(0)
    console.log(
      `watch reliability: ${expected.size} canonical alerts, ${retracted.length} retracted, ${receiver.received.length} POSTs (${receiver.received.length - receiver.byKey.size} duplicates deduped), faults ${JSON.stringify(proxies.map((p) => p.counts))}, reorgs ${result.reorgs}`,
    )
  }, 300_000)
})
