import { encodeFunctionData, getAddress, parseAbi } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Address, Hex } from '../../core/hex.js'
import { readSafeState } from '../readSafeState.js'
import { type Devnet, startDevnet } from '../startDevnet.js'
import { attackWazirx, setupWazirx, type WazirxSetup } from './wazirx.js'

const balanceOf = parseAbi(['function balanceOf(address) view returns (uint256)'])

describe('WazirX scenario (Safe 1.3.0, DELEGATECALL writes slot 0)', () => {
  let devnet: Devnet
  let setup: WazirxSetup
  beforeAll(async () => {
    devnet = await startDevnet({ accounts: 1 })
    setup = await setupWazirx(devnet)
  })
  afterAll(async () => {
    await devnet.stop()
  })
  const slot0 = async () =>
    getAddress(
      `0x${((await devnet.request('eth_getStorageAt', [setup.safe, `0x${'0'.repeat(64)}`, 'latest'])) as Hex).slice(-40)}`,
    )
  const eth = async (a: Address) =>
    BigInt((await devnet.request('eth_getBalance', [a, 'latest'])) as Hex)
  const token = async (a: Address) =>
    BigInt(
      (await devnet.request('eth_call', [
        {
          to: setup.token,
          data: encodeFunctionData({ abi: balanceOf, functionName: 'balanceOf', args: [a] }),
        },
        'latest',
      ])) as Hex,
    )

  test('before: a 4-of-6 Safe 1.3.0 on the canonical singleton, funded', async () => {
    expect(await slot0()).toBe('0xd9Db270c1B5E3Bd161E8c8503c55cEABeE709552')
    expect(await readSafeState(devnet, setup.safe)).toEqual({
      nonce: 0n,
      threshold: 4,
      owners: setup.owners,
    })
    expect(await eth(setup.safe)).toBe(5000n * 10n ** 18n)
    expect(await token(setup.safe)).toBe(20_000_000n * 10n ** 6n)
  })

  test('after: slot 0 is the backdoor, the nonce moved, ETH and tokens are with the attacker', async () => {
    await attackWazirx(devnet, setup)
    expect(await slot0()).toBe(setup.backdoor)
    expect(await eth(setup.safe)).toBe(0n)
    expect(await token(setup.safe)).toBe(0n)
    expect(await token(setup.attacker)).toBe(20_000_000n * 10n ** 6n)
    expect(await eth(setup.attacker)).toBeGreaterThan(5000n * 10n ** 18n)
  })
})
