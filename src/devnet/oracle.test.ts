// Oracle test: the Safe contracts themselves are the specification of the EIP-712 hashes. For every
// supported version, random SafeTxs hashed by src/safe/hashSafeTx.ts must equal what the deployed
// singleton's `getTransactionHash` returns through a real proxy, and the domain hash must equal
// its `domainSeparator()`.
import fc from 'fast-check'
import { bytesToHex, decodeFunctionResult, encodeFunctionData, getAddress } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Address, Hex } from '../core/hex.js'
import { safeAbi } from '../safe/abi.js'
import { hashSafeTx } from '../safe/hashSafeTx.js'
import type { SafeTx } from '../safe/types.js'
import { deploySafe } from './deploySafe.js'
import { type DevnetSafeVersion, installSafeContracts } from './installSafeContracts.js'
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
const UINT256_MAX = 2n ** 256n - 1n

const address = fc
  .uint8Array({ minLength: 20, maxLength: 20 })
  .map((b) => getAddress(bytesToHex(b)) as Address)
const uint256 = fc.oneof(
  fc.bigInt({ min: 0n, max: UINT256_MAX }),
  fc.constantFrom(0n, 1n, UINT256_MAX),
)
const safeTx: fc.Arbitrary<SafeTx> = fc.record({
  to: address,
  value: uint256,
  data: fc.uint8Array({ maxLength: 300 }).map((b) => bytesToHex(b) as Hex),
  operation: fc.constantFrom(0 as const, 1 as const),
  safeTxGas: uint256,
  baseGas: uint256,
  gasPrice: uint256,
  gasToken: address,
  refundReceiver: address,
  nonce: uint256,
})

describe('hashSafeTx equals the deployed contracts (oracle)', () => {
  let devnet: Devnet
  const safes = new Map<DevnetSafeVersion, Address>()
  beforeAll(async () => {
    devnet = await startDevnet({ accounts: 2 })
    await installSafeContracts(devnet)
    for (const version of VERSIONS) {
      const safe = await deploySafe(devnet, {
        version,
        owners: devnet.accounts.map((a) => a.address),
        threshold: 1,
      })
      safes.set(version, safe.address)
    }
  })
  afterAll(async () => {
    await devnet.stop()
  })

  const call = async (to: Address, data: Hex) =>
    (await devnet.request('eth_call', [{ to, data }, 'latest'])) as Hex

  test.each(VERSIONS)(
    'Safe %s: domainSeparator() and getTransactionHash() for 50 random SafeTxs',
    async (version) => {
      const safe = safes.get(version) as Address
      const context = { chainId: BigInt(devnet.chainId), safe, version }
      const domain = await call(
        safe,
        encodeFunctionData({ abi: safeAbi, functionName: 'domainSeparator' }),
      )
      expect(domain).toBe(hashSafeTx(context, (await fc.sample(safeTx, 1))[0] as SafeTx).domainHash)
      await fc.assert(
        fc.asyncProperty(safeTx, async (tx) => {
          const data = encodeFunctionData({
            abi: safeAbi,
            functionName: 'getTransactionHash',
            args: [
              tx.to,
              tx.value,
              tx.data,
              tx.operation,
              tx.safeTxGas,
              tx.baseGas,
              tx.gasPrice,
              tx.gasToken,
              tx.refundReceiver,
              tx.nonce,
            ],
          })
          const onChain = decodeFunctionResult({
            abi: safeAbi,
            functionName: 'getTransactionHash',
            data: await call(safe, data),
          })
          expect(hashSafeTx(context, tx).safeTxHash).toBe(onChain)
        }),
        { numRuns: 50 },
      )
    },
  )

  test('the devnet chain id really enters the 1.3.0+ domain and not the 1.1.1 one', async () => {
    const tx = (await fc.sample(safeTx, 1))[0] as SafeTx
    const v130 = safes.get('1.3.0') as Address
    const v111 = safes.get('1.1.1') as Address
    expect(hashSafeTx({ chainId: 1n, safe: v130, version: '1.3.0' }, tx).domainHash).not.toBe(
      hashSafeTx({ chainId: 31337n, safe: v130, version: '1.3.0' }, tx).domainHash,
    )
    expect(hashSafeTx({ chainId: 1n, safe: v111, version: '1.1.1' }, tx).domainHash).toBe(
      await call(v111, encodeFunctionData({ abi: safeAbi, functionName: 'domainSeparator' })),
    )
  })
})
