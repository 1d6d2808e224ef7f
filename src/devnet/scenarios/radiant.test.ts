import { decodeFunctionResult, encodeFunctionData, getAddress, parseAbi } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Address, Hex } from '../../core/hex.js'
import { readSafeState } from '../readSafeState.js'
import { type Devnet, startDevnet } from '../startDevnet.js'
import { attackRadiant, type RadiantSetup, setupRadiant } from './radiant.js'

const ownerAbi = parseAbi(['function owner() view returns (address)'])

describe('Radiant scenario (plain CALL transferOwnership)', () => {
  let devnet: Devnet
  let setup: RadiantSetup
  beforeAll(async () => {
    devnet = await startDevnet({ accounts: 1 })
    setup = await setupRadiant(devnet)
  })
  afterAll(async () => {
    await devnet.stop()
  })
  const owner = async () =>
    decodeFunctionResult({
      abi: ownerAbi,
      functionName: 'owner',
      data: (await devnet.request('eth_call', [
        { to: setup.vault, data: encodeFunctionData({ abi: ownerAbi, functionName: 'owner' }) },
        'latest',
      ])) as Hex,
    })
  const eth = async (a: Address) =>
    BigInt((await devnet.request('eth_getBalance', [a, 'latest'])) as Hex)
  const slot0 = async () =>
    getAddress(
      `0x${((await devnet.request('eth_getStorageAt', [setup.safe, `0x${'0'.repeat(64)}`, 'latest'])) as Hex).slice(-40)}`,
    )

  test('before: the Safe (3-of-11) owns the vault, which holds 2,000 ETH', async () => {
    expect(await owner()).toBe(setup.safe)
    expect(await eth(setup.vault)).toBe(2000n * 10n ** 18n)
    expect((await readSafeState(devnet, setup.safe)).threshold).toBe(3)
    expect(setup.safeTx.operation).toBe(0)
  })

  test('after: the attacker owns the vault and drained it; the Safe itself is untouched', async () => {
    await attackRadiant(devnet, setup)
    expect(await owner()).toBe(setup.attacker)
    expect(await eth(setup.vault)).toBe(0n)
    expect(await slot0()).toBe('0xd9Db270c1B5E3Bd161E8c8503c55cEABeE709552')
    expect(await readSafeState(devnet, setup.safe)).toEqual({
      nonce: 1n,
      threshold: 3,
      owners: setup.owners,
    })
  })
})
