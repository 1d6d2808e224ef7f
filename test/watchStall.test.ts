import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type FaultProxy, startFaultProxy } from '../src/chain/faultProxy.js'
import { type Devnet, startDevnet } from '../src/devnet/startDevnet.js'
import { openSqliteStateStore } from '../src/store/sqlite/openSqliteStateStore.js'
import { parseWatchConfig } from '../src/watch/config.js'
import { runWatch } from '../src/watch/runWatch.js'

async function until(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

// A node that keeps answering a block whose receipts are missing: the follower must not skip the
// block (it never does) and must not stay silent either: after `stallAfterMs` one `watcher` alert.
describe('watch: a block that keeps failing raises one alert, then the block is processed', () => {
  let devnet: Devnet
  let proxy: FaultProxy
  let broken = true
  beforeAll(async () => {
    devnet = await startDevnet({ accounts: 3 })
    proxy = await startFaultProxy(devnet.url, (method) =>
      broken && /^eth_get(BlockReceipts|TransactionReceipt)$/.test(method) ? 'null-result' : 'pass',
    )
  })
  afterAll(async () => {
    await proxy?.close()
    await devnet?.stop()
  })

  test('stuck block -> watcher alert (once) -> recovery -> the outflow alert of that block', async () => {
    const [a, b] = devnet.accounts
    const from = a!.address.toLowerCase()
    const startBlock = Number(await devnet.request('eth_blockNumber', [])) + 1
    await devnet.request('eth_sendTransaction', [{ from, to: b!.address, value: '0x3e8' }])
    const config = parseWatchConfig(
      `
rpc: ${proxy.url}
startBlock: ${startBlock}
pollIntervalMs: 50
rpcBatchSize: 0
rpcBackoffMs: 5
stallAfterMs: 400
addresses: [${from}]
`,
      'stall.yaml',
    )
    const store = openSqliteStateStore(':memory:')
    const logs: string[] = []
    const controller = new AbortController()
    const watcher = runWatch(config, {
      store,
      stdout: { write: () => true },
      log: (line) => logs.push(line),
      signal: controller.signal,
    })
    try {
      await until(
        async () => (await store.listAlerts()).some((x) => x.detector === 'watcher'),
        'the watcher alert',
      )
      const stalled = (await store.listAlerts()).filter((x) => x.detector === 'watcher')
      expect(stalled).toHaveLength(1)
      expect(stalled[0]!.blockNumber).toBe(startBlock)
      expect(stalled[0]!.severity).toBe('high')
      expect(stalled[0]!.title).toContain(`stuck at block ${startBlock}`)
      expect(String(stalled[0]!.details.reason)).toContain(
        `block ${startBlock} changed while it was being read`,
      )
      expect((await store.getCheckpoint(devnet.chainId))?.number).toBe(startBlock - 1)
      expect(logs.some((l) => l.includes(`stuck at block ${startBlock}`))).toBe(true)

      broken = false
      await until(
        async () => ((await store.getCheckpoint(devnet.chainId))?.number ?? 0) >= startBlock,
        'the stuck block to be processed',
      )
      const alerts = await store.listAlerts()
      const outflow = alerts.filter((x) => x.detector === 'outflow')
      expect(outflow.map((x) => x.blockNumber)).toEqual([startBlock])
      expect(alerts.filter((x) => x.detector === 'watcher')).toHaveLength(1)
    } finally {
      controller.abort()
      await watcher
      await store.close()
    }
  }, 60_000)
})
