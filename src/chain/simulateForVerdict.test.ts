import { createServer } from 'node:net'
import {
  concat,
  encodeFunctionData,
  getAddress,
  numberToHex,
  pad,
  parseAbi,
  parseEther,
  zeroAddress,
} from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Address } from '../core/hex.js'
import { deploySafe } from '../devnet/deploySafe.js'
import { installSafeContracts, safeContractAddress } from '../devnet/installSafeContracts.js'
import { type Devnet, startDevnet } from '../devnet/startDevnet.js'
import type { SafeContext, SafeTx } from '../safe/types.js'
import { simulateForVerdict } from './simulateForVerdict.js'

const changeMasterCopyAbi = parseAbi(['function changeMasterCopy(address _masterCopy)'])
const multiSendAbi = parseAbi(['function multiSend(bytes transactions)'])

function safeTx(fields: Partial<SafeTx> & { to: Address }): SafeTx {
  return {
    value: 0n,
    data: '0x',
    operation: 0,
    safeTxGas: 0n,
    baseGas: 0n,
    gasPrice: 0n,
    gasToken: zeroAddress,
    refundReceiver: zeroAddress,
    nonce: 0n,
    ...fields,
  }
}

describe('simulateForVerdict', () => {
  let devnet: Devnet
  let context: SafeContext
  beforeAll(async () => {
    devnet = await startDevnet()
    await installSafeContracts(devnet)
    const owners = devnet.accounts.slice(1, 3).map((a) => a.address)
    const safe = (await deploySafe(devnet, { version: '1.1.1', owners, threshold: 2 })).address
    await devnet.request('eth_sendTransaction', [
      { from: devnet.accounts[0]!.address, to: safe, value: numberToHex(parseEther('3')) },
    ])
    context = { chainId: 31337n, safe, version: '1.1.1' }
  })
  afterAll(async () => {
    await devnet?.stop()
  })

  test('changeMasterCopy to the canonical 1.2.0 singleton is an upgrade: high, warn, not block', async () => {
    const singleton = safeContractAddress('1.2.0', 'singleton')
    const data = encodeFunctionData({
      abi: changeMasterCopyAbi,
      functionName: 'changeMasterCopy',
      args: [singleton],
    })
    const { simulation, findings } = await simulateForVerdict(
      devnet.url,
      context,
      safeTx({ to: context.safe, data }),
    )
    expect(simulation.storageWrites.map((w) => w.name)).toEqual(['nonce', 'implementation'])
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({
      rule: 'simulation-implementation-changed',
      severity: 'high',
      effect: 'warn',
      newImplementation: getAddress(singleton),
    })
    expect(findings[0]!.message).toBe(
      `Upgrades the Safe's implementation (slot 0) from ${getAddress(safeContractAddress('1.1.1', 'singleton'))} to the canonical Safe 1.2.0 singleton ${getAddress(singleton)} through changeMasterCopy.`,
    )
    // JSON-ready for the Verdict: no bigint anywhere.
    expect(JSON.parse(JSON.stringify({ simulation, findings })).simulation.gasUsed).toBe(
      simulation.gasUsed,
    )
  })

  test('changeMasterCopy to a contract that is not a canonical singleton: critical, block', async () => {
    const multiSend = getAddress(safeContractAddress('1.1.1', 'multiSend'))
    const data = encodeFunctionData({
      abi: changeMasterCopyAbi,
      functionName: 'changeMasterCopy',
      args: [multiSend],
    })
    const { findings } = await simulateForVerdict(
      devnet.url,
      context,
      safeTx({ to: context.safe, data }),
    )
    expect(findings.map((f) => [f.rule, f.severity, f.effect])).toEqual([
      ['simulation-implementation-changed', 'critical', 'block'],
    ])
    expect(findings[0]!.message).toContain(
      `to ${multiSend}, which is not a canonical Safe singleton`,
    )
  })

  test('a MultiSend batch: the call tree shows the DELEGATECALL and each inner CALL', async () => {
    const multiSend = getAddress(safeContractAddress('1.1.1', 'multiSend'))
    const a = getAddress('0x000000000000000000000000000000000000aaaa')
    const b = getAddress('0x000000000000000000000000000000000000bbbb')
    const entry = (to: Address, value: bigint) =>
      concat(['0x00', to, pad(numberToHex(value)), pad('0x0'), '0x'])
    const data = encodeFunctionData({
      abi: multiSendAbi,
      functionName: 'multiSend',
      args: [concat([entry(a, parseEther('0.25')), entry(b, parseEther('0.5'))])],
    })
    const { simulation, findings } = await simulateForVerdict(
      devnet.url,
      context,
      safeTx({ to: multiSend, data, operation: 1 }),
    )
    const top = simulation.callTree
    expect([top.type, top.to, top.selector]).toEqual(['CALL', context.safe, '0x6a761202'])
    const singletonFrame = top.calls[0]!
    expect(singletonFrame.type).toBe('DELEGATECALL')
    const batch = singletonFrame.calls.find((c) => c.to === multiSend)!
    expect([batch.type, batch.from, batch.selector]).toEqual([
      'DELEGATECALL',
      context.safe,
      '0x8d80ff0a',
    ])
    expect(batch.calls.map((c) => [c.type, c.from, c.to, c.value, c.selector, c.success])).toEqual([
      ['CALL', context.safe, a, parseEther('0.25').toString(), null, true],
      ['CALL', context.safe, b, parseEther('0.5').toString(), null, true],
    ])
    expect(simulation.balanceChanges.map((c) => [c.address, c.delta])).toEqual([
      [context.safe, (-parseEther('0.75')).toString()],
      [a, parseEther('0.25').toString()],
      [b, parseEther('0.5').toString()],
    ])
    expect(findings.map((f) => f.rule)).toEqual(['simulation-outflows'])
  })

  test('an unreachable RPC URL fails at once with RPC_UNREACHABLE', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer()
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number }
        server.close(() => resolve(port))
      })
    })
    await expect(
      simulateForVerdict(`http://127.0.0.1:${port}`, context, safeTx({ to: context.safe })),
    ).rejects.toMatchObject({
      code: 'RPC_UNREACHABLE',
      message: `eth_chainId to http://127.0.0.1:${port}: cannot connect (ECONNREFUSED)`,
    })
  })

  test('a blackholed RPC (accepts, never answers) fails with RPC_TIMEOUT, never hangs', async () => {
    const sockets = new Set<import('node:net').Socket>()
    const server = createServer((socket) => {
      sockets.add(socket)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    try {
      await expect(
        simulateForVerdict(
          `http://127.0.0.1:${port}/v3/0123456789abcdef0123456789abcdef`,
          context,
          safeTx({ to: context.safe }),
          {
            timeoutMs: 400,
          },
        ),
      ).rejects.toMatchObject({
        code: 'RPC_TIMEOUT',
        message: `eth_chainId to http://127.0.0.1:${port}/…: no answer within 400 ms`,
      })
    } finally {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })

  test('the wrong chain is an InputError naming --rpc', async () => {
    await expect(
      simulateForVerdict(devnet.url, { ...context, chainId: 1n }, safeTx({ to: context.safe })),
    ).rejects.toMatchObject({ code: 'RPC_WRONG_CHAIN', exitCode: 2, field: '--rpc' })
  })
})
