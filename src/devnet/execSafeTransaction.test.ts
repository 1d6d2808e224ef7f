import { parseEther, zeroAddress } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Address, Hex } from '../core/hex.js'
import type { SafeTx } from '../safe/types.js'
import { deploySafe } from './deploySafe.js'
import { execSafeTransaction } from './execSafeTransaction.js'
import { type DevnetSafeVersion, installSafeContracts } from './installSafeContracts.js'
import { readSafeState } from './readSafeState.js'
import { type Devnet, startDevnet } from './startDevnet.js'

const VERSIONS: DevnetSafeVersion[] = [
  '1.0.0',
  '1.1.1',
  '1.2.0',
  '1.3.0',
  '1.3.0+L2',
  '1.4.1',
  '1.4.1+L2',
]

const transfer = (to: Address, value: bigint, nonce: bigint): SafeTx => ({
  to,
  value,
  data: '0x',
  operation: 0,
  safeTxGas: 0n,
  baseGas: 0n,
  gasPrice: 0n,
  gasToken: zeroAddress,
  refundReceiver: zeroAddress,
  nonce,
})

describe('deploySafe + execSafeTransaction on every installed version', () => {
  let devnet: Devnet
  beforeAll(async () => {
    devnet = await startDevnet({ accounts: 5 })
    await installSafeContracts(devnet)
  })
  afterAll(async () => {
    await devnet.stop()
  })

  const balance = async (address: Address) =>
    BigInt((await devnet.request('eth_getBalance', [address, 'latest'])) as Hex)

  test.each(VERSIONS)(
    'Safe %s: 2-of-3, signed by keys then by approved hashes',
    async (version) => {
      const [a, b, c, executor] = devnet.accounts as [
        (typeof devnet.accounts)[0],
        (typeof devnet.accounts)[0],
        (typeof devnet.accounts)[0],
        (typeof devnet.accounts)[0],
      ]
      const owners = [a.address, b.address, c.address]
      const safe = await deploySafe(devnet, { version, owners, threshold: 2, saltNonce: 7n })
      expect(await readSafeState(devnet, safe.address)).toEqual({ nonce: 0n, threshold: 2, owners })
      await devnet.request('hardhat_setBalance', [safe.address, '0xde0b6b3a7640000'])
      const recipient = `0x${version.replace(/\D/g, '').padStart(40, 'e')}` as Address

      const first = await execSafeTransaction(devnet, {
        safe,
        tx: transfer(recipient, parseEther('0.25'), 0n),
        signers: [c.privateKey, a.privateKey],
        from: executor.address,
      })
      expect(first.success).toBe(true)
      expect(await balance(recipient)).toBe(parseEther('0.25'))

      const second = await execSafeTransaction(devnet, {
        safe,
        tx: transfer(recipient, parseEther('0.5'), 1n),
        signers: [{ approvedBy: b.address }, { approvedBy: c.address }],
      })
      expect(second.success).toBe(true)
      expect(await balance(recipient)).toBe(parseEther('0.75'))
      expect(await balance(safe.address)).toBe(parseEther('0.25'))
      expect((await readSafeState(devnet, safe.address)).nonce).toBe(2n)
    },
  )

  test('a signature from a non-owner is rejected by the contract (1.3.0: GS026)', async () => {
    const [a, b, , , stranger] = devnet.accounts as Devnet['accounts']
    const safe = await deploySafe(devnet, {
      version: '1.3.0',
      owners: [a!.address, b!.address],
      threshold: 2,
      saltNonce: 99n,
    })
    await expect(
      execSafeTransaction(devnet, {
        safe,
        tx: transfer(a!.address, 0n, 0n),
        signers: [a!.privateKey, stranger!.privateKey],
      }),
    ).rejects.toThrow('GS026')
  })

  test('bad deployment parameters are InputErrors', async () => {
    await expect(
      deploySafe(devnet, { version: '1.3.0', owners: [], threshold: 1 }),
    ).rejects.toThrow('owners: at least one owner is required')
    await expect(
      deploySafe(devnet, { version: '1.3.0', owners: [devnet.accounts[0]!.address], threshold: 2 }),
    ).rejects.toThrow('threshold: threshold must be 1..1, got 2')
  })
})
