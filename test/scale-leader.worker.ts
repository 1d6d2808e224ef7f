/**
 * One `watch`-like leader candidate for test/scale-leader.test.ts, run as a child process (the
 * test bundles it with esbuild). It waits for the leadership of the chain, then follows the
 * devnet with the real follower (`followChain`), PostgreSQL store and webhook outbox delivery,
 * until it loses leadership (then waits again) or is killed.
 *
 * Env: HG_PG_URL, HG_RPC_URL, HG_CHAIN_ID, HG_SINK_URL, HG_NAME.
 * stdout: `LEADER <name> <unix ms>` when it becomes leader.
 */
import { createFailoverRpcClient } from '../src/chain/createFailoverRpcClient.js'
import { followChain } from '../src/chain/followChain.js'
import type { BlockData } from '../src/chain/followTypes.js'
import { openStateStore } from '../src/store/openStateStore.js'
import { acquireChainLeadership } from '../src/store/postgres/acquireChainLeadership.js'
import type { Alert } from '../src/store/StateStore.js'
import { alertId } from '../src/watch/alertId.js'
import { deliverOutbox } from '../src/watch/deliverOutbox.js'
import { createWebhookNotifier } from '../src/watch/notifiers/createWebhookNotifier.js'

const env = (name: string): string => {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set`)
  return value
}
const pgUrl = env('HG_PG_URL')
const chainId = Number(env('HG_CHAIN_ID'))
const name = env('HG_NAME')
const client = createFailoverRpcClient([{ url: env('HG_RPC_URL') }], { timeoutMs: 5000 })
const notifiers = { sink: createWebhookNotifier({ url: env('HG_SINK_URL'), name: 'sink' }) }

/** The detector under test: one alert per transaction, id derived from the block only. */
const onBlock = (block: BlockData): Alert[] =>
  block.transactions.map((tx) => ({
    id: alertId({
      chainId,
      blockHash: block.hash,
      txHash: tx.hash,
      detector: 'test-outflow',
      discriminator: '0',
    }),
    chainId,
    blockNumber: block.number,
    blockHash: block.hash,
    txHash: tx.hash,
    detector: 'test-outflow',
    severity: 'high',
    title: 'value left a watched address',
    details: { value: tx.value.toString() },
    state: 'live',
    revision: 0,
    createdAt: Date.now(),
  }))

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

for (;;) {
  const leadership = await acquireChainLeadership(pgUrl, {
    chainId,
    pollIntervalMs: 100,
    heartbeatMs: 300,
    leaseMs: 2000,
    name,
  })
  process.stdout.write(`LEADER ${name} ${Date.now()}\n`)
  const store = await openStateStore(pgUrl)
  const delivering = (async () => {
    while (!leadership.signal.aborted) {
      await deliverOutbox(store, notifiers, { backoffMs: 50, maxBackoffMs: 200 }).catch(() => 0)
      await sleep(50)
    }
  })()
  try {
    await followChain(client, store, {
      chainId,
      onBlock,
      notifiers: ['sink'],
      startBlock: 1,
      pollIntervalMs: 50,
      concurrency: 4,
      signal: leadership.signal,
    })
  } catch (error) {
    process.stderr.write(`${name}: ${(error as Error).message}\n`)
  }
  await delivering
  await leadership.release()
  await store.close()
}
