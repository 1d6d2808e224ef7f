import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Devnet, startDevnet } from '../src/devnet/startDevnet.js'
import { buildExposureIndex } from '../src/screen/buildExposureIndex.js'
import { screenTransaction } from '../src/screen/screenTransaction.js'

// Screening a deposit transaction reads it over JSON-RPC from a real local node.
let devnet: Devnet
beforeAll(async () => {
  devnet = await startDevnet({ port: 0 })
})
afterAll(async () => {
  await devnet?.stop()
})

describe('screenTransaction', () => {
  test('a deposit from an address holding stolen funds is severe, naming the sender', async () => {
    const [thief, exchange] = devnet.accounts
    const index = buildExposureIndex({
      heists: [{ id: 'bybit', name: 'Bybit' }],
      direct: [
        {
          address: thief!.address,
          heist: 'bybit',
          token: 'native',
          holds: '7',
          received: '7',
          share: 1,
          role: 'holder',
        },
      ],
      source: 'test',
    })
    const hash = (await devnet.request('eth_sendTransaction', [
      { from: thief!.address, to: exchange!.address, value: '0x1' },
    ])) as string
    const client = {
      request: ({ method, params }: { method: string; params?: unknown[] }) =>
        devnet.request(method, params),
    }
    const result = await screenTransaction(client, index, hash)
    expect(result.risk).toBe('severe')
    expect(result.parties.map((p) => [p.role, p.address, p.risk])).toEqual([
      ['sender', thief!.address.toLowerCase(), 'severe'],
      ['recipient', exchange!.address.toLowerCase(), 'none'],
    ])
    expect(result.reasons).toEqual([
      `sender ${thief!.address.toLowerCase()}: holds 7 wei of bybit-tainted funds (100% of its balance)`,
    ])
    await expect(screenTransaction(client, index, `0x${'00'.repeat(32)}`)).rejects.toThrowError(
      'tx: transaction 0x0000000000000000000000000000000000000000000000000000000000000000 not found on this chain',
    )
    await expect(screenTransaction(client, index, '0x12')).rejects.toThrowError(
      'tx: not a 32-byte 0x transaction hash',
    )
  })
})
