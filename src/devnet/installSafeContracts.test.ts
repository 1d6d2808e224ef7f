import { decodeFunctionResult, encodeFunctionData, keccak256, parseAbi } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Hex } from '../core/hex.js'
import { findCanonical } from '../safe/deployments.js'
import {
  type InstalledSafeContract,
  installSafeContracts,
  readSafeArtifact,
  safeContractAddress,
} from './installSafeContracts.js'
import { type Devnet, startDevnet } from './startDevnet.js'

const versionAbi = parseAbi([
  'function VERSION() view returns (string)',
  'function NAME() view returns (string)',
])

describe('installSafeContracts', () => {
  let devnet: Devnet
  let installed: InstalledSafeContract[]
  beforeAll(async () => {
    devnet = await startDevnet({ accounts: 1 })
    installed = await installSafeContracts(devnet)
  })
  afterAll(async () => {
    await devnet.stop()
  })

  test('every contract sits at its mainnet address with the code whose hash is reported', async () => {
    expect(installed).toHaveLength(29)
    for (const contract of installed) {
      const code = (await devnet.request('eth_getCode', [contract.address, 'latest'])) as Hex
      expect(keccak256(code), `${contract.version} ${contract.role}`).toBe(contract.codeHash)
      expect(devnet.addresses[`safe-${contract.version}/${contract.role}`]).toBe(contract.address)
    }
  })

  test('code hashes equal @safe-global/safe-deployments except the explained, known cases', () => {
    const mismatches = installed
      .filter((c) => !c.codeHashMatches)
      .map((c) => `${c.version} ${c.role} ${c.name}`)
    expect(mismatches).toEqual([
      '1.0.0 singleton GnosisSafe',
      '1.0.0 proxyFactory ProxyFactory',
      '1.0.0 multiSend MultiSend',
      '1.0.0 createAndAddModules CreateAndAddModules',
      '1.2.0 singleton GnosisSafe',
      '1.3.0 signMessageLib SignMessageLib',
    ])
    for (const c of installed) {
      if (c.codeHashMatches) expect(c.codeHash).toBe(c.expectedCodeHash)
      else
        expect(c.note, `${c.version} ${c.role}`).toMatch(/metadata|not listed in safe-deployments/)
    }
    // The 23 verified ones include the immutable-patched MultiSend and SimulateTxAccessor.
    expect(installed.filter((c) => c.codeHashMatches)).toHaveLength(23)
    expect(installed.find((c) => c.version === '1.3.0' && c.role === 'multiSend')).toMatchObject({
      address: '0xA238CBeb142c10Ef7Ad8442C6D1f9E89e07e7761',
      codeHash: '0x0208282bd262360d0320862c5ac70f375f5ed3b9d89a83a615b4d398415bdc83',
      codeHashMatches: true,
    })
  })

  test('every address listed by src/safe/deployments is a mainnet canonical address there, same code hash', () => {
    const checked = installed.filter((c) => c.expectedCodeHash !== null)
    const unlisted: string[] = []
    for (const c of checked) {
      const canonical = findCanonical(1n, c.address)
      if (!canonical) unlisted.push(`${c.version} ${c.name}`)
      else expect(canonical.codeHash, `${c.version} ${c.name}`).toBe(c.expectedCodeHash)
    }
    // src/safe/deploymentsData.ts leaves these two 1.1.1 assets out; they come from the package.
    expect(unlisted).toEqual(['1.1.1 CreateCall', '1.1.1 CreateAndAddModules'])
  })

  test('the 1.3.0 SignMessageLib differs from mainnet only in its metadata trailer', () => {
    const stripMetadata = (code: Hex) =>
      code.slice(0, -(Number.parseInt(code.slice(-4), 16) * 2 + 4))
    const v130 = readSafeArtifact({
      kind: 'hardhat',
      pkg: 'safe-contracts-1.3.0',
      path: 'examples/libraries/SignMessage.sol/SignMessageLib',
    })
    const v141 = readSafeArtifact({
      kind: 'hardhat',
      pkg: '@safe-global/safe-contracts',
      path: 'libraries/SignMessageLib.sol/SignMessageLib',
    })
    expect(stripMetadata(v130.deployedBytecode)).toBe(stripMetadata(v141.deployedBytecode))
    expect(v130.deployedBytecode).not.toBe(v141.deployedBytecode)
  })

  test('each singleton answers VERSION() with its release', async () => {
    const expected: Record<string, string> = {
      '1.0.0': '1.0.0',
      '1.1.1': '1.1.1',
      '1.2.0': '1.2.0',
      '1.3.0': '1.3.0',
      '1.3.0+L2': '1.3.0',
      '1.4.1': '1.4.1',
      '1.4.1+L2': '1.4.1',
    }
    for (const c of installed.filter((c) => c.role === 'singleton')) {
      const data = encodeFunctionData({ abi: versionAbi, functionName: 'VERSION' })
      const result = (await devnet.request('eth_call', [{ to: c.address, data }, 'latest'])) as Hex
      expect(decodeFunctionResult({ abi: versionAbi, functionName: 'VERSION', data: result })).toBe(
        expected[c.version],
      )
    }
  })

  test('safeContractAddress resolves shared contracts (L2 and 1.2.0)', () => {
    expect(safeContractAddress('1.1.1', 'singleton')).toBe(
      '0x34CfAC646f301356fAa8B21e94227e3583Fe3F5F',
    )
    expect(safeContractAddress('1.3.0+L2', 'singleton')).toBe(
      '0x3E5c63644E683549055b9Be8653de26E0B4CD36E',
    )
    expect(safeContractAddress('1.3.0+L2', 'proxyFactory')).toBe(
      '0xa6B71E26C5e0845f74c812102Ca7114b6a896AB2',
    )
    expect(safeContractAddress('1.2.0', 'proxyFactory')).toBe(
      '0x76E2cFc1F5Fa8F6a5b3fC4c8F4788F0116861F9B',
    )
    expect(() => safeContractAddress('1.0.0', 'multiSendCallOnly')).toThrow(
      'Safe 1.0.0 has no multiSendCallOnly',
    )
  })
})
