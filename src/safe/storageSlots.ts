import { encodeAbiParameters, getAddress, keccak256, numberToHex, stringToHex } from 'viem'
import { InputError } from '../core/BaseError.js'
import type { Address, Hex } from '../core/hex.js'
import { checkAddressField, checkBytes32Field } from './checkSafeFields.js'

const slot = (n: number): Hex => numberToHex(n, { size: 32 })

/**
 * The storage layout of a Safe proxy, identical from 1.0.0 to 1.5.0 (checked in
 * storageSlots.test.ts against a real Safe setup on an EVM). Sequential slots come from the
 * inheritance order Singleton/MasterCopy → ModuleManager → OwnerManager → Safe; the guard,
 * fallback handler and module guard live at hashed slots so they never collide.
 */
export const SAFE_STORAGE_SLOTS = {
  /** The singleton (master copy) the proxy delegatecalls: what the Bybit attacker overwrote. */
  singleton: slot(0),
  /** `mapping(address => address) modules`, a linked list starting at SENTINEL. */
  modules: slot(1),
  /** `mapping(address => address) owners`, a linked list starting at SENTINEL. */
  owners: slot(2),
  ownerCount: slot(3),
  threshold: slot(4),
  nonce: slot(5),
  /** Cached domain separator before 1.3.0; unused (`_deprecatedDomainSeparator`) after. */
  domainSeparator: slot(6),
  /** `mapping(bytes32 => uint256) signedMessages`. */
  signedMessages: slot(7),
  /** `mapping(address => mapping(bytes32 => uint256)) approvedHashes`. */
  approvedHashes: slot(8),
  /** keccak256("guard_manager.guard.address"), 1.3.0+. */
  guard: keccak256(stringToHex('guard_manager.guard.address')),
  /** keccak256("fallback_manager.handler.address"), 1.1.0+. */
  fallbackHandler: keccak256(stringToHex('fallback_manager.handler.address')),
  /** keccak256("module_manager.module_guard.address"), 1.5.0+. */
  moduleGuard: keccak256(stringToHex('module_manager.module_guard.address')),
} as const

/** Head and tail of the owners and modules linked lists (`SENTINEL_OWNERS`, `SENTINEL_MODULES`). */
export const SENTINEL: Address = '0x0000000000000000000000000000000000000001'

/** Storage slot of `mapping[key]` for a mapping declared at `mappingSlot` (Solidity layout). */
function mappingSlot(key: Hex, keyType: 'address' | 'bytes32', mappingSlot: Hex): Hex {
  return keccak256(
    encodeAbiParameters([{ type: keyType }, { type: 'bytes32' }], [key, mappingSlot]),
  )
}

/**
 * Slot of `owners[owner]`: holds the next owner in the list (SENTINEL for the last).
 *
 * @example
 * ownersSlot(SENTINEL) // slot that holds the first owner
 */
export function ownersSlot(owner: Address): Hex {
  checkAddressField(owner, 'owner')
  return mappingSlot(owner, 'address', SAFE_STORAGE_SLOTS.owners)
}

/**
 * Slot of `modules[module]`: the next module in the list; non-zero means enabled.
 *
 * @example
 * modulesSlot(SENTINEL) // slot that holds the first module
 */
export function modulesSlot(module: Address): Hex {
  checkAddressField(module, 'module')
  return mappingSlot(module, 'address', SAFE_STORAGE_SLOTS.modules)
}

/**
 * Slot of `approvedHashes[owner][hash]`: 1 once the owner called `approveHash(hash)`.
 *
 * @example
 * approvedHashesSlot('0x1F4EB0a903619ac168b19A82F1a6e2e426522211', safeTxHash)
 */
export function approvedHashesSlot(owner: Address, hash: Hex): Hex {
  checkAddressField(owner, 'owner')
  checkBytes32Field(hash, 'hash')
  return mappingSlot(
    hash,
    'bytes32',
    mappingSlot(owner, 'address', SAFE_STORAGE_SLOTS.approvedHashes),
  )
}

/**
 * Slot of `signedMessages[hash]`: non-zero once the Safe signed the message on chain.
 *
 * @example
 * signedMessagesSlot(safeMessageHash)
 */
export function signedMessagesSlot(hash: Hex): Hex {
  checkBytes32Field(hash, 'hash')
  return mappingSlot(hash, 'bytes32', SAFE_STORAGE_SLOTS.signedMessages)
}

/** What may appear as mapping keys of the slots to name: owners, modules, hashes. */
export type NameSlotHints = {
  /** Owners, modules, signers, anything that may key `owners`, `modules`, `approvedHashes`. */
  addresses?: readonly Address[]
  /** safeTxHashes and message hashes that may key `approvedHashes` and `signedMessages`. */
  hashes?: readonly Hex[]
}

const FIXED_NAMES: ReadonlyMap<string, string> = new Map([
  [SAFE_STORAGE_SLOTS.singleton, 'implementation'],
  [SAFE_STORAGE_SLOTS.modules, 'modules'],
  [SAFE_STORAGE_SLOTS.owners, 'owners'],
  [SAFE_STORAGE_SLOTS.ownerCount, 'ownerCount'],
  [SAFE_STORAGE_SLOTS.threshold, 'threshold'],
  [SAFE_STORAGE_SLOTS.nonce, 'nonce'],
  [SAFE_STORAGE_SLOTS.domainSeparator, 'domainSeparator'],
  [SAFE_STORAGE_SLOTS.signedMessages, 'signedMessages'],
  [SAFE_STORAGE_SLOTS.approvedHashes, 'approvedHashes'],
  [SAFE_STORAGE_SLOTS.guard, 'guard'],
  [SAFE_STORAGE_SLOTS.fallbackHandler, 'fallbackHandler'],
  [SAFE_STORAGE_SLOTS.moduleGuard, 'moduleGuard'],
])

/**
 * Names a raw storage slot of a Safe: 'implementation', 'threshold', 'owners[0x…]',
 * 'approvedHashes[0x…][0x…]', …; undefined if it is none of them. A mapping slot is a hash, so
 * it can only be named for keys passed in `hints` (SENTINEL is always tried).
 *
 * @example
 * nameSlot('0x0') // 'implementation'
 * nameSlot(ownersSlot(owner), { addresses: [owner] }) // 'owners[0x…]'
 */
export function nameSlot(slot: Hex | bigint, hints: NameSlotHints = {}): string | undefined {
  const key = normaliseSlot(slot)
  const fixed = FIXED_NAMES.get(key)
  if (fixed !== undefined) return fixed
  const addresses = [SENTINEL, ...(hints.addresses ?? [])].map((a) => getAddress(a))
  const hashes = (hints.hashes ?? []).map((h) => h.toLowerCase() as Hex)
  for (const address of addresses) {
    if (ownersSlot(address) === key) return `owners[${address}]`
    if (modulesSlot(address) === key) return `modules[${address}]`
  }
  for (const hash of hashes) if (signedMessagesSlot(hash) === key) return `signedMessages[${hash}]`
  for (const address of addresses)
    for (const hash of hashes)
      if (approvedHashesSlot(address, hash) === key) return `approvedHashes[${address}][${hash}]`
  return undefined
}

function normaliseSlot(slot: Hex | bigint): string {
  if (typeof slot === 'bigint') {
    if (slot < 0n || slot >= 1n << 256n)
      throw new InputError('storage slot out of range', { code: 'INVALID_SLOT', field: 'slot' })
    return numberToHex(slot, { size: 32 })
  }
  if (typeof slot !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(slot))
    throw new InputError('expected a storage slot of at most 32 bytes', {
      code: 'INVALID_SLOT',
      field: 'slot',
    })
  return numberToHex(BigInt(slot), { size: 32 })
}
