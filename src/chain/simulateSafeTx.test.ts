import { createServer, type Socket } from 'node:net'
import {
  encodeFunctionData,
  getAddress,
  numberToHex,
  pad,
  parseAbi,
  parseEther,
  zeroAddress,
} from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { InputError } from '../core/BaseError.js'
import type { Address, Hex } from '../core/hex.js'
import { deploySafe } from '../devnet/deploySafe.js'
import { devnetContract } from '../devnet/devnetContract.js'
import { execSafeTransaction } from '../devnet/execSafeTransaction.js'
import { installSafeContracts, safeContractAddress } from '../devnet/installSafeContracts.js'
import { type Devnet, startDevnet } from '../devnet/startDevnet.js'
import { safeAbi } from '../safe/abi.js'
import { SAFE_STORAGE_SLOTS } from '../safe/storageSlots.js'
import type { SafeTx } from '../safe/types.js'
import { createHttpRpcClient } from './createHttpRpcClient.js'
import type { RpcClient } from './RpcClient.js'
import { simulateSafeTx } from './simulateSafeTx.js'
import { simulationToJson } from './simulateToJson.js'
import { simulationFindings } from './simulationFindings.js'

const word = (value: bigint | Address) =>
  typeof value === 'bigint' ? numberToHex(value, { size: 32 }) : pad(value.toLowerCase() as Hex)

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

describe('simulateSafeTx on a Safe 1.3.0', () => {
  let devnet: Devnet
  let client: RpcClient
  let safe: Address
  let owners: Address[]
  const recipient = getAddress('0x00000000000000000000000000000000000a11ce')

  beforeAll(async () => {
    devnet = await startDevnet()
    await installSafeContracts(devnet)
    owners = devnet.accounts.slice(1, 4).map((a) => a.address)
    safe = (await deploySafe(devnet, { version: '1.3.0', owners, threshold: 2 })).address
    // A real transfer (mined) rather than setBalance: the fork reads mined state only.
    await devnet.request('eth_sendTransaction', [
      { from: devnet.accounts[0]!.address, to: safe, value: numberToHex(parseEther('5')) },
    ])
    client = createHttpRpcClient(devnet.url, { timeoutMs: 10_000 })
  })
  afterAll(async () => {
    await devnet?.stop()
  })

  test('a benign ETH transfer: balances move, only the nonce is written', async () => {
    const tx = safeTx({ to: recipient, value: parseEther('1.5') })
    const simulation = await simulateSafeTx(client, { safe, tx, version: '1.3.0', chainId: 31337n })
    expect(simulation.revert).toBe(null)
    expect(simulation.executionFailure).toBe(null)
    expect(simulation.success).toBe(true)
    expect(simulation.versionMismatch).toBe(null)
    expect(simulation.safeState).toMatchObject({ version: '1.3.0', threshold: 2n, nonce: 0n })
    expect(simulation.storageWrites).toEqual([
      {
        address: safe,
        slot: SAFE_STORAGE_SLOTS.nonce,
        name: 'nonce',
        before: word(0n),
        after: word(1n),
      },
    ])
    const eth = simulation.balanceChanges.map(({ address, delta }) => [address, delta])
    expect(eth).toEqual([
      [safe, -parseEther('1.5')],
      [recipient, parseEther('1.5')],
    ])
    expect(simulation.events.map((e) => e.name)).toEqual(['ExecutionSuccess'])
    expect(simulation.callTree).toMatchObject({
      type: 'CALL',
      to: safe,
      selector: '0x6a761202',
      success: true,
    })
    expect(simulation.callTree.calls[0]).toMatchObject({ type: 'DELEGATECALL', from: safe })
    JSON.stringify(simulationToJson(simulation))
  })

  test('the devnet itself is untouched, and the executed transaction matches the simulation', async () => {
    const tx = safeTx({ to: recipient, value: parseEther('1.5') })
    const before = await devnet.request('eth_getBalance', [safe, 'latest'])
    await simulateSafeTx(client, { safe, tx })
    expect(await devnet.request('eth_getBalance', [safe, 'latest'])).toBe(before)
    await execSafeTransaction(devnet, {
      safe: { address: safe, version: '1.3.0' },
      tx,
      signers: [devnet.accounts[1]!.privateKey, devnet.accounts[2]!.privateKey],
    })
    expect(BigInt((await devnet.request('eth_getBalance', [recipient, 'latest'])) as Hex)).toBe(
      parseEther('1.5'),
    )
  })

  const tokenAbi = parseAbi([
    'function init(string name, string symbol, uint8 decimals, address minter)',
    'function mint(address to, uint256 amount)',
    'function transfer(address to, uint256 amount) returns (bool)',
    'function approve(address spender, uint256 amount) returns (bool)',
  ])
  const token = getAddress('0x00000000000000000000000000000000000d0c70')

  test('an ERC-20 transfer: token balance changes from Transfer events, with symbol and decimals', async () => {
    const from = devnet.accounts[0]!.address
    await devnet.request('hardhat_setCode', [token, devnetContract('DevToken').deployedBytecode])
    const send = (data: Hex) => devnet.request('eth_sendTransaction', [{ from, to: token, data }])
    await send(
      encodeFunctionData({ abi: tokenAbi, functionName: 'init', args: ['Dev', 'DEV', 6, from] }),
    )
    await send(
      encodeFunctionData({ abi: tokenAbi, functionName: 'mint', args: [safe, 1_000_000_000n] }),
    )
    const nonce = (await simulateSafeTx(client, { safe, tx: safeTx({ to: recipient }) })).safeState
      .nonce
    const tx = safeTx({
      to: token,
      data: encodeFunctionData({
        abi: tokenAbi,
        functionName: 'transfer',
        args: [recipient, 250_500_000n],
      }),
      nonce,
    })
    const simulation = await simulateSafeTx(client, { safe, tx })
    expect(simulation.success).toBe(true)
    expect(simulation.balanceChanges).toEqual([
      {
        address: safe,
        token,
        symbol: 'DEV',
        decimals: 6,
        before: null,
        after: null,
        delta: -250_500_000n,
      },
      {
        address: recipient,
        token,
        symbol: 'DEV',
        decimals: 6,
        before: null,
        after: null,
        delta: 250_500_000n,
      },
    ])
    expect(simulation.events.map((e) => [e.name, e.address])).toEqual([
      ['Transfer', token],
      ['ExecutionSuccess', safe],
    ])
    expect(simulation.storageWrites.map((w) => [w.address, w.name])).toEqual([
      [safe, 'nonce'],
      [token, null],
      [token, null],
    ])
    expect(simulationFindings(simulation)).toEqual([
      {
        rule: 'simulation-outflows',
        severity: 'info',
        effect: 'pass',
        message: `The Safe sends out 250.5 DEV; received by ${recipient} (+250.5 DEV).`,
        outflows: [{ token, symbol: 'DEV', amount: '250500000' }],
      },
    ])
  })

  test('a SafeTx that reverts reports GS013 with its meaning', async () => {
    const simulation = await simulateSafeTx(client, {
      safe,
      tx: safeTx({ to: recipient, value: parseEther('1000'), nonce: 1n }),
    })
    expect(simulation.executed).toBe(false)
    expect(simulation.success).toBe(false)
    expect(simulation.revert).toEqual({
      kind: 'error',
      reason: 'GS013',
      safeCode: 'GS013',
      safeMeaning: 'the Safe transaction failed and safeTxGas and gasPrice were 0',
      message: 'GS013: the Safe transaction failed and safeTxGas and gasPrice were 0',
    })
    expect(simulation.storageWrites).toEqual([])
    expect(simulationFindings(simulation).map((f) => [f.rule, f.effect])).toEqual([
      ['simulation-reverted', 'warn'],
    ])
  })

  test('an inner call that fails with safeTxGas set: ExecutionFailure with the inner reason, nonce used', async () => {
    const data = encodeFunctionData({
      abi: safeAbi,
      functionName: 'addOwnerWithThreshold',
      args: [owners[0]!, 1n],
    })
    const simulation = await simulateSafeTx(client, {
      safe,
      tx: safeTx({ to: safe, data, safeTxGas: 200_000n, nonce: 1n }),
    })
    expect(simulation.executed).toBe(true)
    expect(simulation.success).toBe(false)
    expect(simulation.executionFailure?.reason?.message).toBe('GS204: address is already an owner')
    expect(simulation.events.map((e) => e.name)).toEqual(['ExecutionFailure'])
    expect(simulation.storageWrites.map((w) => w.name)).toEqual(['nonce'])
    expect(simulationFindings(simulation)[0]).toMatchObject({
      rule: 'simulation-call-failed',
      message:
        "The Safe's call would fail (GS204: address is already an owner): the Safe emits ExecutionFailure, uses nonce 1 and does nothing else.",
    })
  })

  test('adding an owner and lowering the threshold: named writes and high findings, no block', async () => {
    const newOwner = getAddress('0x000000000000000000000000000000000000bEEF')
    const data = encodeFunctionData({
      abi: safeAbi,
      functionName: 'addOwnerWithThreshold',
      args: [newOwner, 1n],
    })
    const simulation = await simulateSafeTx(client, {
      safe,
      tx: safeTx({ to: safe, data, nonce: 1n }),
    })
    expect(simulation.success).toBe(true)
    expect(simulation.storageWrites.map((w) => w.name)).toEqual([
      'nonce',
      `owners[${newOwner}]`,
      'owners[0x0000000000000000000000000000000000000001]',
      'ownerCount',
      'threshold',
    ])
    const findings = simulationFindings(simulation)
    expect(findings.map((f) => [f.rule, f.severity, f.effect])).toEqual([
      ['simulation-owners-changed', 'high', 'warn'],
      ['simulation-threshold-changed', 'high', 'warn'],
    ])
    expect(findings[0]!.message).toBe(`Changes the Safe's owners: adds owner ${newOwner}.`)
    expect(findings[1]!.message).toBe('Changes the signature threshold from 2 to 1.')
    expect(simulation.events.map((e) => e.name)).toEqual([
      'AddedOwner',
      'ChangedThreshold',
      'ExecutionSuccess',
    ])
  })

  test('a node without eth_getProof: accounts come from eth_getBalance/getTransactionCount/getCode', async () => {
    const methods = new Set<string>()
    // The devnet itself answers "method not supported" (-32004) for the renamed method.
    const noProof: RpcClient = {
      request: (method, params) => {
        methods.add(method)
        return client.request(
          method === 'eth_getProof' ? 'eth_getProofUnsupported' : method,
          params,
        )
      },
    }
    const tx = safeTx({ to: recipient, value: parseEther('0.5'), nonce: 1n })
    const viaProof = await simulateSafeTx(client, { safe, tx })
    const without = await simulateSafeTx(noProof, { safe, tx })
    expect(methods).toEqual(
      new Set([
        'eth_chainId',
        'eth_getBlockByNumber',
        'eth_getProof',
        'eth_getBalance',
        'eth_getTransactionCount',
        'eth_getCode',
        'eth_getStorageAt',
      ]),
    )
    expect(without.storageWrites).toEqual(viaProof.storageWrites)
    expect(without.balanceChanges).toEqual(viaProof.balanceChanges)
    expect(without.gasUsed).toBe(viaProof.gasUsed)
  })

  test('module, guard and fallback handler changes are named and reported high', async () => {
    const target = getAddress('0x000000000000000000000000000000000000f00d')
    const run = async (functionName: 'enableModule' | 'setGuard' | 'setFallbackHandler') => {
      const data = encodeFunctionData({ abi: safeAbi, functionName, args: [target] })
      const simulation = await simulateSafeTx(client, {
        safe,
        tx: safeTx({ to: safe, data, nonce: 1n }),
      })
      return {
        names: simulation.storageWrites.map((w) => w.name),
        findings: simulationFindings(simulation).map((f) => [
          f.rule,
          f.severity,
          f.effect,
          f.message,
        ]),
      }
    }
    expect(await run('enableModule')).toEqual({
      names: ['nonce', `modules[${target}]`, 'modules[0x0000000000000000000000000000000000000001]'],
      findings: [
        [
          'simulation-modules-changed',
          'high',
          'warn',
          `Changes the Safe's modules: enables module ${target}; an enabled module can move funds without any owner signature.`,
        ],
      ],
    })
    expect(await run('setGuard')).toEqual({
      names: ['nonce', 'guard'],
      findings: [
        [
          'simulation-guard-changed',
          'high',
          'warn',
          `Changes the Safe's transaction guard from none to ${target}.`,
        ],
      ],
    })
    const handler = getAddress(safeContractAddress('1.3.0', 'fallbackHandler'))
    expect(await run('setFallbackHandler')).toEqual({
      names: ['nonce', 'fallbackHandler'],
      findings: [
        [
          'simulation-fallback-handler-changed',
          'high',
          'warn',
          `Changes the Safe's fallback handler from ${handler} to ${target}.`,
        ],
      ],
    })
  })

  test('a DELEGATECALL that writes storage outside the Safe layout blocks; a queued nonce is noted', async () => {
    // DevToken.approve run in the Safe's context writes allowance[safe][spender]: a slot no Safe has.
    const data = encodeFunctionData({
      abi: tokenAbi,
      functionName: 'approve',
      args: [recipient, 5n],
    })
    const simulation = await simulateSafeTx(client, {
      safe,
      tx: safeTx({ to: token, data, operation: 1, nonce: 4n }),
    })
    expect(simulation.storageWrites.map((w) => w.name)).toEqual(['nonce', null])
    expect(simulation.storageWrites[0]).toMatchObject({ before: word(4n), after: word(5n) })
    expect(simulation.overrides.map((o) => o.name)).toContain('nonce')
    expect(simulationFindings(simulation).map((f) => [f.rule, f.severity, f.effect])).toEqual([
      ['simulation-unknown-safe-storage-written', 'high', 'block'],
      ['simulation-nonce-queued', 'info', 'pass'],
    ])
  })

  test('not a Safe, wrong chain, missing block, bad input: clear errors', async () => {
    const tx = safeTx({ to: recipient })
    const eoa = devnet.accounts[7]!.address
    await expect(simulateSafeTx(client, { safe: eoa, tx })).rejects.toMatchObject({
      code: 'SAFE_NO_CODE',
      exitCode: 2,
    })
    await expect(simulateSafeTx(client, { safe: token, tx })).rejects.toThrow(
      /^safe: 0x00000000000000000000000000000000000d0c70 on chain 31337 at block \d+ is not a Safe \(no singleton in slot 0 or no threshold\)$/,
    )
    const singleton = safeContractAddress('1.3.0', 'singleton')
    await expect(simulateSafeTx(client, { safe: singleton, tx })).rejects.toMatchObject({
      code: 'NOT_A_SAFE',
    })
    await expect(simulateSafeTx(client, { safe, tx, chainId: 1n })).rejects.toThrow(
      '--rpc: the RPC endpoint serves chain 31337, the transaction is for chain 1',
    )
    await expect(
      simulateSafeTx(client, { safe, tx, blockNumber: 10n ** 9n }),
    ).rejects.toMatchObject({
      code: 'BLOCK_NOT_FOUND',
    })
    await expect(
      simulateSafeTx(client, { safe, tx: { ...tx, to: '0x1234' as Address } }),
    ).rejects.toThrow(InputError)
  })

  test('a node that stops answering in the middle of the EVM run: the RPC_TIMEOUT surfaces, no hang', async () => {
    const sockets = new Set<Socket>()
    const hole = createServer((socket) => {
      sockets.add(socket)
    })
    await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve))
    const { port } = hole.address() as { port: number }
    const dead = createHttpRpcClient(`http://127.0.0.1:${port}`, { timeoutMs: 300 })
    // Code is first fetched by the EVM itself (the Safe's VERSION() call), deep inside a frame.
    const flaky: RpcClient = {
      request: (method, params) =>
        (method === 'eth_getCode' ? dead : client).request(method, params),
    }
    try {
      await expect(
        simulateSafeTx(flaky, { safe, tx: safeTx({ to: recipient }) }),
      ).rejects.toMatchObject({
        code: 'RPC_TIMEOUT',
        message: `eth_getCode to http://127.0.0.1:${port}: no answer within 300 ms`,
      })
    } finally {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => hole.close(() => resolve()))
    }
  })
})
