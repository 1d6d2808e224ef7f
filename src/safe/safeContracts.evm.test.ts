// Oracle test: the real Safe bytecode of every installed release (1.0.0, 1.1.1, 1.2.0, 1.3.0,
// 1.3.0 L2, 1.4.1, 1.4.1 L2) runs in @ethereumjs/vm, a real EVM. The contracts' own
// getTransactionHash, domainSeparator, checkSignatures and storage must agree with our hashes,
// storage-slot layout and signature parsing.
import { readFileSync } from 'node:fs'
import { createAddressFromString } from '@ethereumjs/util'
import { createVM, type VM } from '@ethereumjs/vm'
import fc from 'fast-check'
import {
  bytesToHex,
  concat,
  decodeFunctionResult,
  encodeAbiParameters,
  encodeFunctionData,
  getAddress,
  hashMessage,
  hexToBigInt,
  hexToBytes,
  numberToHex,
  pad,
} from 'viem'
import { privateKeyToAccount, sign } from 'viem/accounts'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Address, Hex } from '../core/hex.js'
import { compatibilityFallbackHandlerAbi, safeAbi, safeLegacyAbi } from './abi.js'
import { preValidatedSignature } from './approveHash.js'
import { encodeSafeSignatures } from './encodeSafeSignatures.js'
import { hashSafeTx } from './hashSafeTx.js'
import { nestedContractSignature } from './nestedContractSignature.js'
import { parseSignatures } from './parseSignatures.js'
import { safeVersionFeatures } from './safeVersionFeatures.js'
import {
  approvedHashesSlot,
  modulesSlot,
  ownersSlot,
  SAFE_STORAGE_SLOTS,
  SENTINEL,
} from './storageSlots.js'
import type { SafeTx, SafeVersion } from './types.js'

const nm = 'node_modules'
const RELEASES: { version: SafeVersion; singleton: string; proxy: string }[] = [
  {
    version: '1.0.0',
    singleton: `${nm}/safe-contracts-1.0.0/build/contracts/GnosisSafe.json`,
    proxy: `${nm}/safe-contracts-1.0.0/build/contracts/Proxy.json`,
  },
  {
    version: '1.1.1',
    singleton: `${nm}/safe-contracts-1.1.1/build/contracts/GnosisSafe.json`,
    proxy: `${nm}/safe-contracts-1.1.1/build/contracts/Proxy.json`,
  },
  {
    version: '1.2.0',
    singleton: `${nm}/safe-contracts-1.2.0/build/contracts/GnosisSafe.json`,
    proxy: `${nm}/safe-contracts-1.2.0/build/contracts/GnosisSafeProxy.json`,
  },
  {
    version: '1.3.0',
    singleton: `${nm}/safe-contracts-1.3.0/build/artifacts/contracts/GnosisSafe.sol/GnosisSafe.json`,
    proxy: `${nm}/safe-contracts-1.3.0/build/artifacts/contracts/proxies/GnosisSafeProxy.sol/GnosisSafeProxy.json`,
  },
  {
    version: '1.3.0+L2',
    singleton: `${nm}/safe-contracts-1.3.0/build/artifacts/contracts/GnosisSafeL2.sol/GnosisSafeL2.json`,
    proxy: `${nm}/safe-contracts-1.3.0/build/artifacts/contracts/proxies/GnosisSafeProxy.sol/GnosisSafeProxy.json`,
  },
  {
    version: '1.4.1',
    singleton: `${nm}/@safe-global/safe-contracts/build/artifacts/contracts/Safe.sol/Safe.json`,
    proxy: `${nm}/@safe-global/safe-contracts/build/artifacts/contracts/proxies/SafeProxy.sol/SafeProxy.json`,
  },
  {
    version: '1.4.1+L2',
    singleton: `${nm}/@safe-global/safe-contracts/build/artifacts/contracts/SafeL2.sol/SafeL2.json`,
    proxy: `${nm}/@safe-global/safe-contracts/build/artifacts/contracts/proxies/SafeProxy.sol/SafeProxy.json`,
  },
]

const bytecode = (file: string): Hex => JSON.parse(readFileSync(file, 'utf8')).bytecode as Hex
const DEPLOYER = '0x00000000000000000000000000000000000d0e00'
const HANDLER = '0x00000000000000000000000000000000000ba5e1'
const KEYS = [
  '0x0000000000000000000000000000000000000000000000000000000000000a11',
  '0x0000000000000000000000000000000000000000000000000000000000000b22',
  '0x0000000000000000000000000000000000000000000000000000000000000c33',
] as const
const OWNERS = KEYS.map((k) => privateKeyToAccount(k).address).sort((a, b) =>
  hexToBigInt(a) < hexToBigInt(b) ? -1 : 1,
)
const keyOf = (owner: Address) => KEYS.find((k) => privateKeyToAccount(k).address === owner)!

async function call(vm: VM, from: Address, to: Address | undefined, data: Hex) {
  const result = await vm.evm.runCall({
    caller: createAddressFromString(from),
    ...(to ? { to: createAddressFromString(to) } : {}),
    data: hexToBytes(data),
    gasLimit: 30_000_000n,
    skipBalance: true,
  })
  return {
    reverted: result.execResult.exceptionError !== undefined,
    returnValue: bytesToHex(result.execResult.returnValue),
    created: result.createdAddress ? getAddress(result.createdAddress.toString()) : undefined,
  }
}

async function storage(vm: VM, address: Address, slot: Hex): Promise<bigint> {
  const value = await vm.stateManager.getStorage(createAddressFromString(address), hexToBytes(slot))
  return value.length === 0 ? 0n : hexToBigInt(bytesToHex(value))
}

type Deployed = { vm: VM; singleton: Address; safe: Address }

async function deploy(release: (typeof RELEASES)[number]): Promise<Deployed> {
  const vm = await createVM()
  return { vm, ...(await deployInto(vm, release, OWNERS, 3n, HANDLER)) }
}

const NO_ADDRESS = '0x0000000000000000000000000000000000000000'

async function deployInto(
  vm: VM,
  release: (typeof RELEASES)[number],
  owners: readonly Address[],
  threshold: bigint,
  handler: Address,
): Promise<{ singleton: Address; safe: Address }> {
  const singleton = (await call(vm, DEPLOYER, undefined, bytecode(release.singleton))).created!
  const proxyCode = concat([
    bytecode(release.proxy),
    encodeAbiParameters([{ type: 'address' }], [singleton]),
  ])
  const safe = (await call(vm, DEPLOYER, undefined, proxyCode)).created!
  const setup =
    release.version === '1.0.0'
      ? encodeFunctionData({
          abi: safeLegacyAbi,
          functionName: 'setup',
          args: [owners, threshold, NO_ADDRESS, '0x', NO_ADDRESS, 0n, NO_ADDRESS],
        })
      : encodeFunctionData({
          abi: safeAbi,
          functionName: 'setup',
          args: [owners, threshold, NO_ADDRESS, '0x', handler, NO_ADDRESS, 0n, NO_ADDRESS],
        })
  const result = await call(vm, DEPLOYER, safe, setup)
  expect(result.reverted).toBe(false)
  return { singleton, safe }
}

async function contractTxHash(d: Deployed, tx: SafeTx): Promise<Hex> {
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
  const r = await call(d.vm, DEPLOYER, d.safe, data)
  return decodeFunctionResult({
    abi: safeAbi,
    functionName: 'getTransactionHash',
    data: r.returnValue,
  })
}

const addr = fc
  .uint8Array({ minLength: 20, maxLength: 20 })
  .map((b) => `0x${Buffer.from(b).toString('hex')}` as Address)
const uint = fc.bigInt({ min: 0n, max: (1n << 256n) - 1n })
const randomTx: fc.Arbitrary<SafeTx> = fc.record({
  to: addr,
  value: uint,
  data: fc.uint8Array({ maxLength: 200 }).map((b) => `0x${Buffer.from(b).toString('hex')}` as Hex),
  operation: fc.constantFrom(0 as const, 1 as const),
  safeTxGas: uint,
  baseGas: uint,
  gasPrice: uint,
  gasToken: addr,
  refundReceiver: addr,
  nonce: uint,
})

for (const release of RELEASES) {
  describe(`Safe ${release.version} bytecode`, () => {
    let d: Deployed
    const ctx = () => ({ chainId: 1n, safe: d.safe, version: release.version })
    beforeAll(async () => {
      d = await deploy(release)
    })

    it('lays out storage as SAFE_STORAGE_SLOTS says', async () => {
      const s = (slot: Hex) => storage(d.vm, d.safe, slot)
      expect(await s(SAFE_STORAGE_SLOTS.singleton)).toBe(hexToBigInt(d.singleton))
      expect(await s(SAFE_STORAGE_SLOTS.ownerCount)).toBe(3n)
      expect(await s(SAFE_STORAGE_SLOTS.threshold)).toBe(3n)
      expect(await s(SAFE_STORAGE_SLOTS.nonce)).toBe(0n)
      expect(await s(ownersSlot(SENTINEL))).toBe(hexToBigInt(OWNERS[0]!))
      expect(await s(ownersSlot(OWNERS[0]!))).toBe(hexToBigInt(OWNERS[1]!))
      expect(await s(ownersSlot(OWNERS[2]!))).toBe(1n)
      expect(await s(modulesSlot(SENTINEL))).toBe(1n)
      const features = safeVersionFeatures(release.version)
      expect(await s(SAFE_STORAGE_SLOTS.domainSeparator)).toBe(
        features.domainSeparatorInStorage
          ? hexToBigInt(hashSafeTx(ctx(), zeroTx()).domainHash)
          : 0n,
      )
      expect(await s(SAFE_STORAGE_SLOTS.fallbackHandler)).toBe(
        features.hasFallbackHandler ? hexToBigInt(HANDLER) : 0n,
      )
    })

    it('domainSeparator() and getTransactionHash() equal hashSafeTx on random transactions', async () => {
      const r = await call(
        d.vm,
        DEPLOYER,
        d.safe,
        encodeFunctionData({ abi: safeAbi, functionName: 'domainSeparator' }),
      )
      expect(r.returnValue).toBe(hashSafeTx(ctx(), zeroTx()).domainHash)
      await fc.assert(
        fc.asyncProperty(randomTx, async (tx) => {
          expect(await contractTxHash(d, tx)).toBe(hashSafeTx(ctx(), tx).safeTxHash)
        }),
        { numRuns: 25 },
      )
    })

    it('accepts the signatures parseSignatures reads (ECDSA + eth_sign + approved hash), and approveHash writes the slot we compute', async () => {
      const tx: SafeTx = {
        ...zeroTx(),
        to: d.safe,
        data: encodeFunctionData({ abi: safeAbi, functionName: 'changeThreshold', args: [2n] }),
      }
      const { safeTxHash } = hashSafeTx(ctx(), tx)
      const [o0, o1, o2] = OWNERS as [Address, Address, Address]
      // Threshold 3, so the Safe checks all three (it reads only `threshold` entries).
      // o2 approves on chain; o0 signs ECDSA; o1 signs eth_sign (v + 4). Ascending owner order.
      const approve = await call(
        d.vm,
        o2,
        d.safe,
        encodeFunctionData({ abi: safeAbi, functionName: 'approveHash', args: [safeTxHash] }),
      )
      expect(approve.reverted).toBe(false)
      expect(await storage(d.vm, d.safe, approvedHashesSlot(o2, safeTxHash))).toBe(1n)
      const ecdsa = await sign({ hash: safeTxHash, privateKey: keyOf(o0), to: 'hex' })
      const raw = await sign({
        hash: hashMessage({ raw: safeTxHash }),
        privateKey: keyOf(o1),
        to: 'hex',
      })
      const ethSign = concat([
        raw.slice(0, -2) as Hex,
        numberToHex(Number.parseInt(raw.slice(-2), 16) + 4, { size: 1 }),
      ])
      // Safe 1.0.0 has no eth_sign branch: there o1 signs plain ECDSA too.
      const ethSignOk = safeVersionFeatures(release.version).hasEthSignSignatures
      const second = ethSignOk
        ? ethSign
        : await sign({ hash: safeTxHash, privateKey: keyOf(o1), to: 'hex' })
      const signatures = concat([ecdsa, second, preValidatedSignature(o2)])
      const options = { count: 3, version: release.version }
      const parsed = await parseSignatures(signatures, safeTxHash, options)
      expect(parsed.map((p) => [p.type, p.signer])).toEqual([
        ['ecdsa', o0],
        [ethSignOk ? 'eth_sign' : 'ecdsa', o1],
        ['approved-hash', o2],
      ])
      if (!ethSignOk)
        await expect(
          parseSignatures(concat([ecdsa, ethSign, preValidatedSignature(o2)]), safeTxHash, options),
        ).rejects.toThrowError(/v=3[12] \(eth_sign\) is not accepted by Safe 1\.0\.0/)
      const exec = await call(
        d.vm,
        DEPLOYER,
        d.safe,
        encodeFunctionData({
          abi: safeAbi,
          functionName: 'execTransaction',
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
            signatures,
          ],
        }),
      )
      expect(exec.reverted).toBe(false)
      expect(await storage(d.vm, d.safe, SAFE_STORAGE_SLOTS.threshold)).toBe(2n)
      expect(await storage(d.vm, d.safe, SAFE_STORAGE_SLOTS.nonce)).toBe(1n)
      // Before 1.3.0 an on-chain approval is spent by the execution that uses it.
      expect(await storage(d.vm, d.safe, approvedHashesSlot(o2, safeTxHash))).toBe(
        safeVersionFeatures(release.version).consumesApprovedHashes ? 0n : 1n,
      )
      // The slot-0 write the Bybit attack made: pad check that slot 0 still holds the singleton.
      expect(await storage(d.vm, d.safe, SAFE_STORAGE_SLOTS.singleton)).toBe(
        hexToBigInt(pad(d.singleton)),
      )
    })
  })
}

const HANDLERS: Partial<Record<SafeVersion, string>> = {
  '1.3.0': `${nm}/safe-contracts-1.3.0/build/artifacts/contracts/handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json`,
  '1.4.1': `${nm}/@safe-global/safe-contracts/build/artifacts/contracts/handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json`,
}

// A Safe owned by another Safe: the child signs the parent's transaction with an EIP-1271
// contract signature (v = 0), validated by the child's CompatibilityFallbackHandler over
// SafeMessage(parent's encoded transaction data) in the child's domain.
for (const version of ['1.3.0', '1.4.1'] as const) {
  describe(`Safe ${version} nested owner, contract signature`, () => {
    it('execTransaction accepts encodeSafeSignatures output; nestedContractSignature gives what the child signs', async () => {
      const release = RELEASES.find((r) => r.version === version)!
      const vm = await createVM()
      const handler = (await call(vm, DEPLOYER, undefined, bytecode(HANDLERS[version]!))).created!
      const [o0, o1, o2] = OWNERS as [Address, Address, Address]
      const child = (await deployInto(vm, release, [o1, o2], 2n, handler)).safe
      const parent = (await deployInto(vm, release, [o0, child], 2n, handler)).safe
      const tx: SafeTx = {
        ...zeroTx(),
        to: parent,
        data: encodeFunctionData({ abi: safeAbi, functionName: 'changeThreshold', args: [1n] }),
      }
      const flow = nestedContractSignature({ chainId: 1n, safe: parent, version }, tx, {
        chainId: 1n,
        safe: child,
        version,
      })
      const parentHashes = flow.parent
      const txHashData = flow.parentTxData
      const childHash = flow.child
      const getMessageHash = await call(
        vm,
        DEPLOYER,
        handler,
        encodeFunctionData({
          abi: compatibilityFallbackHandlerAbi,
          functionName: 'getMessageHashForSafe',
          args: [child, txHashData],
        }),
      )
      expect(getMessageHash.returnValue).toBe(childHash.safeMessageHash)
      const childSignatures = encodeSafeSignatures(
        await Promise.all(
          [o2, o1].map(async (o) => ({
            type: 'ecdsa' as const,
            signer: o,
            signature: await sign({
              hash: childHash.safeMessageHash,
              privateKey: keyOf(o),
              to: 'hex',
            }),
          })),
        ),
      )
      const signatures = encodeSafeSignatures([
        { type: 'contract', signer: child, data: childSignatures },
        {
          type: 'ecdsa',
          signer: o0,
          signature: await sign({
            hash: parentHashes.safeTxHash,
            privateKey: keyOf(o0),
            to: 'hex',
          }),
        },
      ])
      const parsed = await parseSignatures(signatures, parentHashes.safeTxHash, { version })
      expect(parsed.map((p) => p.signer).sort()).toEqual([o0, child].sort())
      expect(parsed.find((p) => p.type === 'contract')?.data).toBe(childSignatures)
      const exec = await call(
        vm,
        DEPLOYER,
        parent,
        encodeFunctionData({
          abi: safeAbi,
          functionName: 'execTransaction',
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
            signatures,
          ],
        }),
      )
      expect(exec.reverted).toBe(false)
      expect(await storage(vm, parent, SAFE_STORAGE_SLOTS.threshold)).toBe(1n)
    })
  })
}

function zeroTx(): SafeTx {
  const zero = '0x0000000000000000000000000000000000000000'
  return {
    to: zero,
    value: 0n,
    data: '0x',
    operation: 0,
    safeTxGas: 0n,
    baseGas: 0n,
    gasPrice: 0n,
    gasToken: zero,
    refundReceiver: zero,
    nonce: 0n,
  }
}
