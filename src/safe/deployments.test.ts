import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import rootPackage from '../../package.json' with { type: 'json' }
import {
  allCanonicalContracts,
  canonicalContracts,
  defaultDelegatecallAllowlist,
  findCanonical,
  findCanonicalOnAnyChain,
  isCanonicalSingleton,
} from './deployments.js'
import { SAFE_DEPLOYMENTS_VERSION } from './deploymentsData.js'

const root = 'node_modules/@safe-global/safe-deployments'
type Json = {
  version: string
  contractName: string
  deployments: Record<string, { address: string; codeHash?: string }>
  networkAddresses: Record<string, string | string[]>
}
const files: Json[] = readdirSync(`${root}/dist/assets`).flatMap((dir) =>
  readdirSync(`${root}/dist/assets/${dir}`).map(
    (name) => JSON.parse(readFileSync(`${root}/dist/assets/${dir}/${name}`, 'utf8')) as Json,
  ),
)

describe('deployments data', () => {
  it('comes from the pinned, installed @safe-global/safe-deployments', () => {
    const installed = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')).version
    expect(SAFE_DEPLOYMENTS_VERSION).toBe(installed)
    expect(rootPackage.dependencies['@safe-global/safe-deployments']).toBe(SAFE_DEPLOYMENTS_VERSION)
  })
  it('lists exactly the package entries, chain by chain and address type by address type', () => {
    const expected = new Set<string>()
    const chains = new Set<string>()
    for (const f of files)
      for (const [chain, types] of Object.entries(f.networkAddresses))
        for (const type of [types].flat()) {
          chains.add(chain)
          const d = f.deployments[type]!
          expected.add(`${chain} ${f.version} ${f.contractName} ${type} ${d.address} ${d.codeHash}`)
        }
    const actual = new Set<string>()
    for (const chain of chains)
      for (const c of canonicalContracts(BigInt(chain)))
        actual.add(
          `${chain} ${c.version} ${c.contractName} ${c.addressType} ${c.address} ${c.codeHash}`,
        )
    expect(actual.size).toBe(expected.size)
    expect([...actual].sort()).toEqual([...expected].sort())
  })
})

describe('findCanonical', () => {
  it('knows the Bybit singleton (Safe 1.1.1) on mainnet', () => {
    expect(findCanonical(1n, '0x34cfac646f301356faa8b21e94227e3583fe3f5f')).toEqual({
      version: '1.1.1',
      contractName: 'GnosisSafe',
      kind: 'singleton',
      safeVersion: '1.1.1',
      addressType: 'canonical',
      address: '0x34CfAC646f301356fAa8B21e94227e3583Fe3F5F',
      codeHash: '0x56b8be58b5ad629a621593a2e5e5e8e9a28408dc06e95597497b303902772e45',
    })
    expect(isCanonicalSingleton(1n, '0x34CfAC646f301356fAa8B21e94227e3583Fe3F5F')).toBe(true)
    // The attacker's contract that Bybit's slot 0 was set to.
    expect(isCanonicalSingleton(1n, '0xbDd077f651EBe7f7b3cE16fe5F2b025BE2969516')).toBe(false)
  })
  it('tells L2 singletons and their Safe version, and the eip155 address type', () => {
    expect(findCanonical(10, '0x3E5c63644E683549055b9Be8653de26E0B4CD36E')?.safeVersion).toBe(
      '1.3.0+L2',
    )
    expect(findCanonical(1, '0x69f4D1788e39c87893C980c06EdF4b7f686e2938')).toMatchObject({
      kind: 'singleton',
      addressType: 'eip155',
      version: '1.3.0',
    })
  })
  it('returns undefined for an unknown chain but finds the address on any chain', () => {
    expect(canonicalContracts(31337n)).toEqual([])
    expect(findCanonical(31337n, '0x34CfAC646f301356fAa8B21e94227e3583Fe3F5F')).toBeUndefined()
    expect(findCanonicalOnAnyChain('0x34CfAC646f301356fAa8B21e94227e3583Fe3F5F')?.version).toBe(
      '1.1.1',
    )
    expect(allCanonicalContracts().length).toBeGreaterThan(files.length)
  })
})

describe('defaultDelegatecallAllowlist', () => {
  it('holds MultiSendCallOnly, SignMessageLib and SafeMigration, never MultiSend', () => {
    const list = defaultDelegatecallAllowlist(1n)
    expect(new Set(list.map((c) => c.kind))).toEqual(
      new Set(['multiSendCallOnly', 'signMessageLib', 'safeMigration']),
    )
    expect(list.map((c) => `${c.version} ${c.contractName} ${c.address}`)).toContain(
      '1.3.0 MultiSendCallOnly 0x40A2aCCbd92BCA938b02010E17A5b8929b49130D',
    )
  })
})
