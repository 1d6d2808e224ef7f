import type { Address } from '../core/hex.js'
import {
  allCanonicalContracts,
  type CanonicalContract,
  canonicalContracts,
  defaultDelegatecallAllowlist,
} from '../safe/deployments.js'

/**
 * What verify needs to know about canonical Safe contracts on one chain, looked up in
 * `src/safe/deployments.ts` (the one source of truth) and indexed once per chain.
 */
export type CanonicalFacts = {
  /** e.g. `MultiSendCallOnly 1.3.0`, or undefined for a non-canonical address. */
  nameOf: (address: Address) => string | undefined
  isSingleton: (address: Address) => boolean
  /** The default DELEGATECALL allowlist (canonical MultiSendCallOnly, SignMessageLib, SafeMigration). */
  defaultAllowlist: () => readonly Address[]
}

const cache = new Map<string, CanonicalFacts>()

/**
 * Canonical-contract facts for one chain. A chain the deployments package does not list (a
 * devnet, a new L2) falls back to every canonical address on any chain: the same bytecode sits at
 * the same CREATE2 address everywhere.
 *
 * @example
 * canonicalFacts(1n).nameOf('0x40A2aCCbd92BCA938b02010E17A5b8929b49130D') // 'MultiSendCallOnly 1.3.0'
 */
export function canonicalFacts(chainId: bigint): CanonicalFacts {
  const key = String(chainId)
  const cached = cache.get(key)
  if (cached) return cached
  let contracts = canonicalContracts(chainId)
  let allowlist = defaultDelegatecallAllowlist(chainId).map((c) => c.address)
  if (contracts.length === 0) {
    contracts = allCanonicalContracts()
    allowlist = contracts
      .filter(
        (c) =>
          c.kind === 'multiSendCallOnly' ||
          c.kind === 'signMessageLib' ||
          c.kind === 'safeMigration',
      )
      .map((c) => c.address)
  }
  const byAddress = new Map<string, CanonicalContract>()
  for (const contract of contracts) {
    const address = contract.address.toLowerCase()
    if (!byAddress.has(address)) byAddress.set(address, contract)
  }
  const facts: CanonicalFacts = {
    nameOf: (address) => {
      const found = byAddress.get(address.toLowerCase())
      return found ? `${found.contractName} ${found.version}` : undefined
    },
    isSingleton: (address) => {
      const kind = byAddress.get(address.toLowerCase())?.kind
      return kind === 'singleton' || kind === 'singletonL2'
    },
    defaultAllowlist: () => allowlist,
  }
  cache.set(key, facts)
  return facts
}
