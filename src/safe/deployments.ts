import { getAddress } from 'viem'
import type { Address, Hex } from '../core/hex.js'
import { checkAddressField } from './checkSafeFields.js'
import { DEPLOYMENTS_DATA } from './deploymentsData.js'
import type { SafeVersion } from './types.js'

/** What a canonical Safe contract is for. */
export type CanonicalKind =
  | 'singleton'
  | 'singletonL2'
  | 'proxyFactory'
  | 'multiSend'
  | 'multiSendCallOnly'
  | 'signMessageLib'
  | 'createCall'
  | 'safeMigration'
  | 'safeToL2Migration'
  | 'safeToL2Setup'
  | 'fallbackHandler'
  | 'simulateTxAccessor'

/** How an address was deployed: the usual CREATE2 factory, the EIP-155 one, or zkSync. */
export type AddressType = 'canonical' | 'eip155' | 'zksync'

/** One canonical contract at one address, as @safe-global/safe-deployments lists it. */
export type CanonicalContract = {
  /** Release of the contracts, e.g. '1.3.0'. */
  version: string
  /** e.g. 'GnosisSafeL2', 'MultiSendCallOnly', 'CompatibilityFallbackHandler'. */
  contractName: string
  kind: CanonicalKind
  /** For singletons: the version a Safe using it reports, with '+L2' for L2 builds. */
  safeVersion?: SafeVersion
  addressType: AddressType
  /** EIP-55 checksummed. */
  address: Address
  /** keccak256 of the runtime code, where the package records it. */
  codeHash?: Hex
}

/** The compact form deploymentsData.ts is generated in (see deployments.generate.mjs). */
export type DeploymentData = {
  networks: readonly Record<string, AddressType | readonly AddressType[]>[]
  entries: readonly {
    file: string
    version: string
    contractName: string
    kind: string
    released: boolean
    deployments: Partial<Record<AddressType, { address: string; codeHash?: string }>>
    networks: number
  }[]
}

const ALL: readonly (CanonicalContract & {
  chains: Record<string, AddressType | readonly AddressType[]>
})[] = DEPLOYMENTS_DATA.entries.flatMap((entry) =>
  Object.entries(entry.deployments).map(([addressType, d]) => {
    const kind = entry.kind as CanonicalKind
    const contract: CanonicalContract = {
      version: entry.version,
      contractName: entry.contractName,
      kind,
      addressType: addressType as AddressType,
      address: getAddress(d.address),
    }
    if (kind === 'singleton') contract.safeVersion = entry.version as SafeVersion
    if (kind === 'singletonL2') contract.safeVersion = `${entry.version}+L2` as SafeVersion
    if (d.codeHash) contract.codeHash = d.codeHash as Hex
    return { ...contract, chains: DEPLOYMENTS_DATA.networks[entry.networks]! }
  }),
)

const byChain = new Map<string, CanonicalContract[]>()

const strip = ({ chains: _, ...contract }: (typeof ALL)[number]): CanonicalContract => contract

/**
 * Every canonical Safe contract deployed on `chainId`, newest release first within a kind, at
 * the address type(s) the package lists for that chain. Empty for chains it does not know.
 *
 * @example
 * canonicalContracts(1n).find((c) => c.kind === 'multiSendCallOnly' && c.version === '1.3.0')
 */
export function canonicalContracts(chainId: bigint | number): CanonicalContract[] {
  const key = String(chainId)
  let list = byChain.get(key)
  if (list === undefined) {
    list = ALL.filter((c) => {
      const types = c.chains[key]
      return types !== undefined && (types === c.addressType || types.includes(c.addressType))
    }).map(strip)
    byChain.set(key, list)
  }
  return list.map((c) => ({ ...c }))
}

/**
 * Every canonical contract at every address, whatever the chain: for devnets and chains the
 * package does not list yet, where a contract at a canonical address still says something.
 *
 * @example
 * allCanonicalContracts().length // 100+
 */
export function allCanonicalContracts(): CanonicalContract[] {
  return ALL.map(strip)
}

/**
 * Which canonical contract `address` is on `chainId`, or undefined.
 *
 * @example
 * findCanonical(1n, '0x34CfAC646f301356fAa8B21e94227e3583Fe3F5F')
 * // { version: '1.1.1', contractName: 'GnosisSafe', kind: 'singleton', safeVersion: '1.1.1', … }
 */
export function findCanonical(
  chainId: bigint | number,
  address: Address,
): CanonicalContract | undefined {
  checkAddressField(address, 'address')
  const wanted = address.toLowerCase()
  return canonicalContracts(chainId).find((c) => c.address.toLowerCase() === wanted)
}

/**
 * Which canonical contract `address` is on any chain, or undefined.
 *
 * @example
 * findCanonicalOnAnyChain('0x40A2aCCbd92BCA938b02010E17A5b8929b49130D')?.kind // 'multiSendCallOnly'
 */
export function findCanonicalOnAnyChain(address: Address): CanonicalContract | undefined {
  checkAddressField(address, 'address')
  const wanted = address.toLowerCase()
  const found = ALL.find((c) => c.address.toLowerCase() === wanted)
  return found && strip(found)
}

/**
 * True if `address` is a canonical Safe singleton (L1 or L2 build) on `chainId`: what slot 0 of
 * a healthy Safe proxy holds. The Bybit attack replaced it with attacker code.
 *
 * @example
 * isCanonicalSingleton(1n, '0x34CfAC646f301356fAa8B21e94227e3583Fe3F5F') // true
 */
export function isCanonicalSingleton(chainId: bigint | number, address: Address): boolean {
  const found = findCanonical(chainId, address)
  return found?.kind === 'singleton' || found?.kind === 'singletonL2'
}

/**
 * The contracts a Safe may safely DELEGATECALL by default on `chainId`: MultiSendCallOnly,
 * SignMessageLib and SafeMigration of every known release. MultiSend itself is left out on
 * purpose: its inner calls may delegatecall anything.
 *
 * @example
 * defaultDelegatecallAllowlist(1n).map((c) => c.contractName)
 */
export function defaultDelegatecallAllowlist(chainId: bigint | number): CanonicalContract[] {
  return canonicalContracts(chainId).filter(
    (c) =>
      c.kind === 'multiSendCallOnly' || c.kind === 'signMessageLib' || c.kind === 'safeMigration',
  )
}
