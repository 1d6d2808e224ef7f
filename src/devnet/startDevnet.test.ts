import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { BaseError, InputError } from '../core/BaseError.js'
import { type Devnet, startDevnet } from './startDevnet.js'

const requireCjs = createRequire(import.meta.url)

async function rpc(url: string, method: string, params: unknown[] = []) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  return (await response.json()) as { result?: unknown; error?: { message: string } }
}

describe('startDevnet', () => {
  let devnet: Devnet
  beforeAll(async () => {
    devnet = await startDevnet({ port: 0, accounts: 3 })
  })
  afterAll(async () => {
    await devnet.stop()
  })

  test('serves JSON-RPC over HTTP on 127.0.0.1 with the chain id and funded test accounts', async () => {
    expect(devnet.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(await rpc(devnet.url, 'eth_chainId')).toMatchObject({ result: '0x7a69' })
    // hardhat's documented default accounts for the public "test ... junk" mnemonic
    expect(devnet.accounts.map((a) => a.address)).toEqual([
      '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
      '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
    ])
    expect(devnet.accounts[0]?.privateKey).toBe(
      '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
    )
    expect(await devnet.request('eth_getBalance', [devnet.accounts[2]?.address, 'latest'])).toBe(
      '0x21e19e0c9bab2400000',
    )
    expect(await rpc(devnet.url, 'web3_clientVersion')).toMatchObject({
      result: 'HardhatNetwork/2.29.1/@nomicfoundation/edr/0.3.8',
    })
  })

  test('cheat methods, eth_getProof and debug_traceTransaction work', async () => {
    const target = '0x00000000000000000000000000000000000000aa'
    // runtime code: PUSH1 0x2a PUSH1 0 SSTORE STOP (stores 42 in slot 0 on any call)
    await devnet.request('hardhat_setCode', [target, '0x602a60005500'])
    await devnet.request('hardhat_setBalance', [target, '0x64'])
    const sender = '0x1111111111111111111111111111111111111111'
    await devnet.request('hardhat_impersonateAccount', [sender])
    await devnet.request('hardhat_setBalance', [sender, '0xde0b6b3a7640000'])
    const hash = (await devnet.request('eth_sendTransaction', [
      { from: sender, to: target, gas: '0x186a0' },
    ])) as string
    const receipt = (await devnet.request('eth_getTransactionReceipt', [hash])) as {
      status: string
    }
    expect(receipt.status).toBe('0x1')
    expect(await devnet.request('eth_getStorageAt', [target, '0x0', 'latest'])).toBe(
      '0x000000000000000000000000000000000000000000000000000000000000002a',
    )
    const trace = (await devnet.request('debug_traceTransaction', [hash])) as {
      structLogs: { op: string }[]
    }
    expect(trace.structLogs.map((log) => log.op)).toEqual(['PUSH1', 'PUSH1', 'SSTORE', 'STOP'])
    // EDR wants storage keys as full 32-byte words ('0x0' is rejected with "Odd number of digits")
    const slot0 = `0x${'00'.repeat(32)}`
    const proof = (await devnet.request('eth_getProof', [target, [slot0], 'latest'])) as {
      balance: string
      storageProof: { value: string }[]
    }
    expect(proof.balance).toBe('0x64')
    expect(proof.storageProof[0]?.value).toBe('0x2a')
    const before = BigInt((await devnet.request('eth_blockNumber')) as string)
    await devnet.request('evm_mine')
    expect(BigInt((await devnet.request('eth_blockNumber')) as string)).toBe(before + 1n)
  })

  test('debug_traceBlockByNumber is not implemented by EDR (callers must trace per transaction)', async () => {
    await expect(devnet.request('debug_traceBlockByNumber', ['latest', {}])).rejects.toThrow(
      'debug_traceBlockByNumber: Method debug_traceBlockByNumber is not supported',
    )
  })

  test('the same port speaks JSON-RPC over WebSocket, including eth_subscribe newHeads', async () => {
    const WebSocket = requireCjs('ws') as new (
      url: string,
    ) => {
      on(event: string, listener: (data: unknown) => void): void
      send(data: string): void
      close(): void
    }
    const ws = new WebSocket(devnet.wsUrl)
    const messages: { id?: number; result?: unknown; params?: { result: { number: string } } }[] =
      []
    const waitFor = (predicate: () => boolean) =>
      new Promise<void>((resolve) => {
        const poll = () => (predicate() ? resolve() : setTimeout(poll, 5))
        poll()
      })
    ws.on('message', (data) => messages.push(JSON.parse(String(data))))
    await new Promise((resolve) => ws.on('open', resolve))
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }))
    ws.send(
      JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'eth_subscribe', params: ['newHeads'] }),
    )
    await waitFor(() => messages.some((m) => m.id === 2))
    expect(messages.find((m) => m.id === 1)?.result).toBe('0x7a69')
    await devnet.request('evm_mine')
    await waitFor(() => messages.some((m) => m.params !== undefined))
    const head = messages.find((m) => m.params !== undefined)
    expect(head?.params?.result.number).toBe(await devnet.request('eth_blockNumber'))
    ws.close()
  })

  test('a port already in use is a DEVNET_LISTEN error, not a hang', async () => {
    const port = Number(new URL(devnet.url).port)
    const error = await startDevnet({ port, accounts: 1 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BaseError)
    expect((error as BaseError).code).toBe('DEVNET_LISTEN')
    expect((error as BaseError).toLine()).toBe(
      `--port: cannot listen on 127.0.0.1:${port}: EADDRINUSE`,
    )
  })

  test('bad options are InputErrors naming the field', async () => {
    await expect(startDevnet({ port: 70000 })).rejects.toThrow(InputError)
    await expect(startDevnet({ port: 70000 })).rejects.toThrow(
      '--port: port must be an integer in 0..65535, got 70000',
    )
    await expect(startDevnet({ accounts: 0 })).rejects.toThrow(
      'accounts: accounts must be 1..100, got 0',
    )
  })
})
