import { encodeFunctionData, parseAbi } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Address, Hex } from '../../core/hex.js'
import { readSafeState } from '../readSafeState.js'
import { type Devnet, startDevnet } from '../startDevnet.js'
import { type BenignMonth, runBenignMonth } from './benign.js'

const balanceOf = parseAbi(['function balanceOf(address) view returns (uint256)'])

describe('benign month (MultiSendCallOnly batches to address-book hot wallets, one owner rotation)', () => {
  let devnet: Devnet
  let month: BenignMonth
  beforeAll(async () => {
    devnet = await startDevnet({ accounts: 1, initialDate: new Date('2025-01-01T00:00:00Z') })
    month = await runBenignMonth(devnet, { seed: 7 })
  })
  afterAll(async () => {
    await devnet.stop()
  })

  test('every transfer reached an address-book hot wallet, exactly', async () => {
    const expected = new Map<string, { ETH: bigint; USDC: bigint }>()
    for (const t of month.transactions.flatMap((x) => x.transfers)) {
      const e = expected.get(t.to) ?? { ETH: 0n, USDC: 0n }
      e[t.token] += t.amount
      expected.set(t.to, e)
    }
    for (const [wallet, e] of expected) {
      expect(Object.values(month.addressBook)).toContain(wallet)
      expect(BigInt((await devnet.request('eth_getBalance', [wallet, 'latest'])) as Hex)).toBe(
        e.ETH,
      )
      const data = encodeFunctionData({
        abi: balanceOf,
        functionName: 'balanceOf',
        args: [wallet as Address],
      })
      expect(
        BigInt((await devnet.request('eth_call', [{ to: month.token, data }, 'latest'])) as Hex),
      ).toBe(e.USDC)
    }
  })

  test('batches DELEGATECALL the canonical MultiSendCallOnly; one swapOwner; one tx per day, a month long', async () => {
    const batches = month.transactions.filter((t) => t.kind === 'batch')
    expect(batches.length).toBeGreaterThan(10)
    for (const b of batches)
      expect(b.safeTx).toMatchObject({
        to: '0x9641d764fc13c8B624c04430C7356C1C7C8102e2',
        operation: 1,
      })
    expect(month.transactions.filter((t) => t.kind === 'rotation').map((t) => t.day)).toEqual([15])
    const days = month.transactions.map((t) => t.day)
    expect(new Set(days).size).toBe(days.length)
    const state = await readSafeState(devnet, month.safe)
    expect(state).toEqual({
      nonce: BigInt(month.transactions.length),
      threshold: 3,
      owners: month.ownersAfter,
    })
    expect(month.ownersAfter).not.toEqual(month.ownersBefore)
    expect(month.ownersAfter.slice(0, 4)).toEqual(month.ownersBefore.slice(0, 4))
    const first = month.transactions[0]!
    const last = month.transactions.at(-1)!
    expect(last.timestamp - first.timestamp).toBeGreaterThan(20 * 86_400)
  })
})
