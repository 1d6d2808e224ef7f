import { encodeFunctionData, getAddress, numberToHex, parseEther, zeroAddress } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Hex } from '../core/hex.js'
import { deploySafe } from '../devnet/deploySafe.js'
import { execSafeTransaction } from '../devnet/execSafeTransaction.js'
import { type DevnetSafeVersion, installSafeContracts } from '../devnet/installSafeContracts.js'
import { type Devnet, startDevnet } from '../devnet/startDevnet.js'
import { safeAbi } from '../safe/abi.js'
import { SENTINEL } from '../safe/storageSlots.js'
import type { SafeTx } from '../safe/types.js'
import { createHttpRpcClient } from './createHttpRpcClient.js'
import type { RpcClient } from './RpcClient.js'
import { decodeSimulatedEvent } from './simulateDecodeEvents.js'
import { simulateSafeTx } from './simulateSafeTx.js'

const VERSIONS: DevnetSafeVersion[] = [
  '1.0.0',
  '1.1.1',
  '1.2.0',
  '1.3.0',
  '1.3.0+L2',
  '1.4.1',
  '1.4.1+L2',
]

/**
 * Oracle: for every Safe release, what the simulation predicts (no keys, pre-approved hashes)
 * equals what the real execTransaction (ECDSA signatures, another sender) then does on the node:
 * every storage slot it reports ends with the predicted value, every balance too, and the same
 * events come out of the same contracts.
 */
describe('simulation equals execution, every Safe version', () => {
  let devnet: Devnet
  let client: RpcClient
  beforeAll(async () => {
    devnet = await startDevnet()
    await installSafeContracts(devnet)
    client = createHttpRpcClient(devnet.url, { timeoutMs: 10_000 })
  })
  afterAll(async () => {
    await devnet?.stop()
  })

  test.each(VERSIONS)(
    'Safe %s: add an owner, raise the threshold, pay out ETH',
    async (version) => {
      const keys = devnet.accounts.slice(1, 4)
      const safe = (
        await deploySafe(devnet, {
          version,
          owners: keys.map((a) => a.address),
          threshold: 2,
          saltNonce: BigInt(VERSIONS.indexOf(version)),
        })
      ).address
      await devnet.request('eth_sendTransaction', [
        { from: devnet.accounts[0]!.address, to: safe, value: numberToHex(parseEther('2')) },
      ])
      const newOwner = getAddress('0x00000000000000000000000000000000000c0ffe')
      const payee = getAddress(
        `0x${'00'.repeat(19)}${(0x40 + VERSIONS.indexOf(version)).toString(16)}`,
      )
      const base: Omit<SafeTx, 'to' | 'data' | 'nonce' | 'value'> = {
        operation: 0,
        safeTxGas: 0n,
        baseGas: 0n,
        gasPrice: 0n,
        gasToken: zeroAddress,
        refundReceiver: zeroAddress,
      }
      const txs: SafeTx[] = [
        {
          ...base,
          to: safe,
          value: 0n,
          nonce: 0n,
          data: encodeFunctionData({
            abi: safeAbi,
            functionName: 'addOwnerWithThreshold',
            args: [newOwner, 3n],
          }),
        },
        { ...base, to: payee, value: parseEther('0.75'), data: '0x', nonce: 1n },
      ]
      for (const [i, tx] of txs.entries()) {
        const simulation = await simulateSafeTx(client, { safe, tx })
        expect(simulation.success).toBe(true)
        if (i === 0)
          expect(simulation.storageWrites.map((w) => w.name).sort()).toEqual(
            [
              'nonce',
              'ownerCount',
              `owners[${newOwner}]`,
              `owners[${SENTINEL}]`,
              'threshold',
            ].sort(),
          )
        else
          expect(simulation.balanceChanges.map((c) => [c.address, c.delta])).toEqual([
            [safe, -parseEther('0.75')],
            [payee, parseEther('0.75')],
          ])
        const signers = keys.slice(0, i === 0 ? 2 : 3).map((a) => a.privateKey)
        const executed = await execSafeTransaction(devnet, {
          safe: { address: safe, version },
          tx,
          signers,
        })
        expect(executed.safeTxHash).toBe(simulation.safeTxHash)
        for (const write of simulation.storageWrites)
          expect(
            await devnet.request('eth_getStorageAt', [write.address, write.slot, 'latest']),
            `${version} ${write.name ?? write.slot}`,
          ).toBe(write.after)
        for (const change of simulation.balanceChanges)
          expect(
            BigInt((await devnet.request('eth_getBalance', [change.address, 'latest'])) as Hex),
          ).toBe(change.after)
        const receipt = (await devnet.request('eth_getTransactionReceipt', [
          executed.transactionHash,
        ])) as { logs: { address: Hex; topics: Hex[]; data: Hex }[] }
        const real = receipt.logs.map((log) => decodeSimulatedEvent(log))
        expect(simulation.events.map((e) => [e.address, e.name])).toEqual(
          real.map((e) => [e.address, e.name]),
        )
      }
      const names = (await simulateSafeTx(client, { safe, tx: { ...txs[1]!, nonce: 2n } }))
        .safeState
      expect(names.threshold).toBe(3n)
    },
  )
})
