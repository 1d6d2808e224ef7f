import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createFailoverRpcClient } from '../src/chain/createFailoverRpcClient.js'
import { followChain } from '../src/chain/followChain.js'
import { type Devnet, startDevnet } from '../src/devnet/startDevnet.js'
import { openSqliteStateStore } from '../src/store/sqlite/openSqliteStateStore.js'
import { alertId } from '../src/watch/alertId.js'

describe('followChain on the devnet', () => {
  let devnet: Devnet
  beforeAll(async () => {
    devnet = await startDevnet({ accounts: 3 })
  })
  afterAll(async () => {
    await devnet?.stop()
  })

  test('a same-height replacement branch is found at the tip; a reorg deeper than the ring stops the follower', async () => {
    const client = createFailoverRpcClient([{ url: devnet.url }])
    const store = openSqliteStateStore(':memory:')
    const [a, b] = devnet.accounts
    const send = (value: number) =>
      devnet.request('eth_sendTransaction', [
        { from: a!.address, to: b!.address, value: `0x${value.toString(16)}` },
      ])
    // One alert per block, keyed by block hash, so orphaned blocks are visible as retractions.
    const options = {
      chainId: devnet.chainId,
      notifiers: ['n'],
      once: true,
      ringSize: 4,
      startBlock: 1,
      onBlock: (block: { hash: string; number: number }) => [
        {
          id: alertId({
            chainId: devnet.chainId,
            blockHash: block.hash,
            txHash: null,
            detector: 'test',
            discriminator: '',
          }),
          chainId: devnet.chainId,
          blockNumber: block.number,
          blockHash: block.hash,
          txHash: null,
          detector: 'test',
          severity: 'info' as const,
          title: `block ${block.number}`,
          details: {},
          state: 'live' as const,
          revision: 0,
          createdAt: 0,
        },
      ],
    }
    const snapshot = await devnet.request('evm_snapshot', [])
    await send(1)
    await send(2)
    expect((await followChain(client, store, options)).blocks).toBe(2)
    await devnet.request('evm_revert', [snapshot])
    await send(3)
    await send(4) // same height, other hashes
    const second = await followChain(client, store, options)
    expect(second).toMatchObject({ reorgs: 1, blocks: 2 })
    const live = await store.listAlerts({ state: 'live' })
    const canonical = await Promise.all(
      [1, 2].map(
        async (n) =>
          ((await devnet.request('eth_getBlockByNumber', [`0x${n}`, false])) as { hash: string })
            .hash,
      ),
    )
    expect(live.map((x) => x.blockHash)).toEqual(canonical)
    expect((await store.listAlerts({ state: 'retracted' })).map((x) => x.blockNumber)).toEqual([
      1, 2,
    ])

    // Deeper than the 4 hashes kept: refuse to guess.
    const deep = await devnet.request('evm_snapshot', [])
    for (let i = 0; i < 6; i++) await send(10 + i)
    await followChain(client, store, options)
    await devnet.request('evm_revert', [deep])
    for (let i = 0; i < 7; i++) await send(20 + i)
    await expect(followChain(client, store, options)).rejects.toThrow(
      /reorg deeper than the 4 blocks kept/,
    )
    await store.close()
  })
})
