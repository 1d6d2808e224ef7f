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
import type { Address, Hex } from '../core/hex.js'
import { deploySafe } from '../devnet/deploySafe.js'
import { execSafeTransaction } from '../devnet/execSafeTransaction.js'
import { installSafeContracts } from '../devnet/installSafeContracts.js'
import { type Devnet, startDevnet } from '../devnet/startDevnet.js'
import { safeAbi } from '../safe/abi.js'
import { SAFE_STORAGE_SLOTS } from '../safe/storageSlots.js'
import type { SafeTx } from '../safe/types.js'
import { createHttpRpcClient } from './createHttpRpcClient.js'
import type { RpcClient } from './RpcClient.js'
import { simulateSafeTx } from './simulateSafeTx.js'
import { simulationToJson } from './simulateToJson.js'

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
})
