import { describe, expect, it } from 'vitest'
import {
  approvedHashesSlot,
  modulesSlot,
  nameSlot,
  ownersSlot,
  SAFE_STORAGE_SLOTS,
  SENTINEL,
  signedMessagesSlot,
} from './storageSlots.js'

const owner = '0x1F4EB0a903619ac168b19A82F1a6e2e426522211'
const hash = '0xb3476d061aeb8fc1d605a873c483a2402d88a68a9cdd1a8b47655dd55ba004f8'

describe('SAFE_STORAGE_SLOTS', () => {
  it('hashed slots equal the constants in GuardManager.sol / FallbackManager.sol', () => {
    expect(SAFE_STORAGE_SLOTS.guard).toBe(
      '0x4a204f620c8c5ccdca3fd54d003badd85ba500436a431f0cbda4f558c93c34c8',
    )
    expect(SAFE_STORAGE_SLOTS.fallbackHandler).toBe(
      '0x6c9a6c4a39284e37ed1cf53d337577d14212a4870fb976a4366c693b939918d5',
    )
    // ModuleManager.sol 1.5.0: MODULE_GUARD_STORAGE_SLOT
    expect(SAFE_STORAGE_SLOTS.moduleGuard).toBe(
      '0xb104e0b93118902c651344349b610029d694cfdec91c589c91ebafbcd0289947',
    )
    expect(SAFE_STORAGE_SLOTS.threshold).toBe(`0x${'0'.repeat(63)}4`)
  })
})

describe('nameSlot', () => {
  it('names fixed slots from a bigint or short hex', () => {
    expect(nameSlot(0n)).toBe('implementation')
    expect(nameSlot('0x0')).toBe('implementation')
    expect(nameSlot('0x04')).toBe('threshold')
    expect(nameSlot(SAFE_STORAGE_SLOTS.guard)).toBe('guard')
    expect(nameSlot(SAFE_STORAGE_SLOTS.fallbackHandler)).toBe('fallbackHandler')
    expect(nameSlot(9n)).toBeUndefined()
  })
  it('names mapping slots for the hinted keys, and the sentinel always', () => {
    expect(nameSlot(ownersSlot(SENTINEL))).toBe(`owners[${SENTINEL}]`)
    expect(nameSlot(modulesSlot(SENTINEL))).toBe(`modules[${SENTINEL}]`)
    const lower = owner.toLowerCase() as `0x${string}`
    expect(nameSlot(ownersSlot(owner), { addresses: [lower] })).toBe(`owners[${owner}]`)
    expect(nameSlot(approvedHashesSlot(owner, hash), { addresses: [owner], hashes: [hash] })).toBe(
      `approvedHashes[${owner}][${hash}]`,
    )
    expect(nameSlot(signedMessagesSlot(hash), { hashes: [hash] })).toBe(`signedMessages[${hash}]`)
    expect(nameSlot(ownersSlot(owner))).toBeUndefined()
  })
  it('rejects slots that are not 32-byte values', () => {
    expect(() => nameSlot(`0x${'1'.repeat(65)}`)).toThrowError(/^slot: /)
    expect(() => nameSlot(-1n)).toThrowError(/^slot: /)
  })
})
