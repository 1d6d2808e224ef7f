import { encodeFunctionData, getAddress, parseAbi } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Address, Hex } from '../../core/hex.js'
import { safeAbi } from '../../safe/abi.js'
import { readSafeState } from '../readSafeState.js'
import { type Devnet, startDevnet } from '../startDevnet.js'
import {
  BYBIT,
  BYBIT_GENESIS_DATE,
  type BybitSetup,
  type BybitTheftResult,
  executeBybitTheft,
  setupBybit,
} from './bybit.js'

const erc20 = parseAbi([
  'function balanceOf(address) view returns (uint256)',
  'function symbol() view returns (string)',
])

describe('Bybit scenario', () => {
  let devnet: Devnet
  let setup: BybitSetup
  beforeAll(async () => {
    devnet = await startDevnet({ initialDate: BYBIT_GENESIS_DATE, accounts: 2 })
    setup = await setupBybit(devnet)
  })
  afterAll(async () => {
    await devnet.stop()
  })

  const call = async (to: Address, data: Hex) =>
    (await devnet.request('eth_call', [{ to, data }, 'latest'])) as Hex
  const ethBalance = async (a: Address) =>
    BigInt((await devnet.request('eth_getBalance', [a, 'latest'])) as Hex)
  const tokenBalance = async (token: Address, holder: Address) =>
    BigInt(
      await call(
        token,
        encodeFunctionData({ abi: erc20, functionName: 'balanceOf', args: [holder] }),
      ),
    )
  const slot0 = async () =>
    getAddress(
      `0x${((await devnet.request('eth_getStorageAt', [BYBIT.safe, `0x${'0'.repeat(64)}`, 'latest'])) as Hex).slice(-40)}`,
    )

  let theft: BybitTheftResult

  test('setupBybit: the cold wallet before the theft (1.1.1 proxy, owners, threshold 3, nonce 71, balances)', async () => {
    expect(await slot0()).toBe('0x34CfAC646f301356fAa8B21e94227e3583Fe3F5F')
    expect(await readSafeState(devnet, BYBIT.safe)).toEqual({
      nonce: 71n,
      threshold: 3,
      owners: BYBIT.owners,
    })
    // The contract's own hash of the real SafeTx equals the mainnet safeTxHash: signatures will verify.
    const { safeTx } = setup
    const onChainHash = await call(
      BYBIT.safe,
      encodeFunctionData({
        abi: safeAbi,
        functionName: 'getTransactionHash',
        args: [
          safeTx.to,
          safeTx.value,
          safeTx.data,
          safeTx.operation,
          safeTx.safeTxGas,
          safeTx.baseGas,
          safeTx.gasPrice,
          safeTx.gasToken,
          safeTx.refundReceiver,
          safeTx.nonce,
        ],
      }),
    )
    expect(onChainHash).toBe('0xb3476d061aeb8fc1d605a873c483a2402d88a68a9cdd1a8b47655dd55ba004f8')
    expect(setup.safeTxHash).toBe(onChainHash)
    expect(await ethBalance(BYBIT.safe)).toBe(401_346_768_800_000_000_000_000n)
    expect(await tokenBalance(BYBIT.tokens.stETH, BYBIT.safe)).toBe(90_375_547_900_000_000_000_000n)
    expect(await tokenBalance(BYBIT.tokens.mETH, BYBIT.safe)).toBe(8_000n * 10n ** 18n)
    expect(await tokenBalance(BYBIT.tokens.cmETH, BYBIT.safe)).toBe(15_000n * 10n ** 18n)
    expect(
      await call(BYBIT.tokens.stETH, encodeFunctionData({ abi: erc20, functionName: 'symbol' })),
    ).toContain(
      '7374455448', // "stETH"
    )
  })

  test('executeBybitTheft: the real signatures verify, slot 0 becomes the backdoor, sweeps 13 blocks later empty the Safe', async () => {
    theft = await executeBybitTheft(devnet)
    expect(await slot0()).toBe('0xbDd077f651EBe7f7b3cE16fe5F2b025BE2969516')
    expect(theft.sweepBlock - theft.execBlock).toBe(13n)
    expect(await ethBalance(BYBIT.safe)).toBe(0n)
    for (const token of Object.values(BYBIT.tokens))
      expect(await tokenBalance(token, BYBIT.safe)).toBe(0n)
    expect(await ethBalance(BYBIT.exploiter1)).toBe(401_346_768_800_000_000_000_000n)
    expect(await tokenBalance(BYBIT.tokens.stETH, BYBIT.exploiter1)).toBe(
      90_375_547_900_000_000_000_000n,
    )
    expect(await tokenBalance(BYBIT.tokens.mETH, BYBIT.lstHolder)).toBe(8_000n * 10n ** 18n)
    expect(await tokenBalance(BYBIT.tokens.cmETH, BYBIT.cmethHolder)).toBe(15_000n * 10n ** 18n)
    expect(theft.stolen).toEqual({
      eth: 401_346_768_800_000_000_000_000n,
      stETH: 90_375_547_900_000_000_000_000n,
      mETH: 8_000n * 10n ** 18n,
      cmETH: 15_000n * 10n ** 18n,
    })
    // The nonce was consumed and the threshold owners are unchanged: nothing but slot 0 announced it.
    const exec = (await devnet.request('eth_getTransactionByHash', [
      theft.execTransactionHash,
    ])) as { from: string; to: string }
    expect(getAddress(exec.from)).toBe(BYBIT.attacker)
    expect(getAddress(exec.to)).toBe(BYBIT.safe)
    const block = (await devnet.request('eth_getBlockByNumber', [
      `0x${theft.execBlock.toString(16)}`,
      false,
    ])) as { timestamp: Hex }
    expect(new Date(Number(BigInt(block.timestamp)) * 1000).toISOString()).toBe(
      '2025-02-21T14:13:35.000Z',
    )
  })

  test('debug_traceTransaction shows what no event announced: a DELEGATECALL whose SSTORE writes the backdoor into slot 0', async () => {
    const trace = (await devnet.request('debug_traceTransaction', [theft.execTransactionHash])) as {
      failed: boolean
      structLogs: { op: string; depth: number; stack?: string[] }[]
    }
    expect(trace.failed).toBe(false)
    const word = (x: string | undefined) => BigInt(`0x${(x ?? '0').replace(/^0x/, '')}`)
    const writes = trace.structLogs
      .filter((l) => l.op === 'SSTORE')
      .map((l) => ({ depth: l.depth, key: word(l.stack?.at(-1)), value: word(l.stack?.at(-2)) }))
    // depth 1 proxy, 2 singleton (delegatecall), 3 trojan (the SafeTx's DELEGATECALL)
    expect(writes).toContainEqual({ depth: 3, key: 0n, value: BigInt(BYBIT.backdoor) })
    expect(trace.structLogs.filter((l) => l.op === 'DELEGATECALL').map((l) => l.depth)).toEqual([
      1, 2,
    ])
    const receipt = (await devnet.request('eth_getTransactionReceipt', [
      theft.execTransactionHash,
    ])) as { logs: { topics: Hex[] }[] }
    // Only the Safe's own ExecutionSuccess event: nothing says "implementation changed".
    expect(receipt.logs).toHaveLength(1)
  })

  test('the backdoor refuses anyone but the attacker', async () => {
    const [account] = devnet.accounts
    const data = encodeFunctionData({
      abi: parseAbi(['function sweepETH(address)']),
      functionName: 'sweepETH',
      args: [account!.address],
    })
    await expect(
      devnet.request('eth_sendTransaction', [{ from: account!.address, to: BYBIT.safe, data }]),
    ).rejects.toThrow('not attacker')
  })
})
