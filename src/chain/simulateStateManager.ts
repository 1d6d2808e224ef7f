import type { AccountFields, StateManagerInterface } from '@ethereumjs/common'
import { Account, type Address as EthAddress } from '@ethereumjs/util'
import { bytesToHex, hexToBytes, keccak256 } from 'viem'
import { BaseError } from '../core/BaseError.js'
import type { Address, Hex } from '../core/hex.js'
import { EMPTY_CODE_HASH, type ForkState } from './simulateForkState.js'

/** One level of writes. Keys are lowercase 0x-addresses and 0x-prefixed 32-byte slots. */
export type StateLayer = {
  accounts: Map<string, Account | undefined>
  code: Map<string, Uint8Array>
  storage: Map<string, Map<string, Uint8Array>>
  /** Accounts whose whole storage was wiped in this layer (CREATE over an old address, deletion). */
  cleared: Set<string>
}

/**
 * The EVM's view of a fork: a stack of write layers over a read-only ForkState. Layer 0 holds the
 * simulation's overrides (pre-approved hash, executor funding); layer 1 collects everything the
 * transaction itself writes; the EVM pushes and pops layers above for its call frames. Reads fall
 * through to the fork, so the fork's caches only ever hold the chain's real values and survive
 * the simulation untouched, which is why the "before" side of a diff is read from the fork and
 * never from a layer that was checkpointed and reverted.
 */
export type SimulationStateManager = StateManagerInterface & {
  fork: ForkState
  layers: StateLayer[]
  /** Drops every layer and starts again with an empty override layer. */
  reset(): void
  /** Pins "original storage" (EIP-2200 gas) to what the layers below the current top hold. */
  beginTransaction(): void
}

/**
 * Creates the overlay state manager for `fork`. Plain object, no subclassing: ethereumjs only
 * needs the StateManagerInterface shape.
 *
 * @example
 * const state = createSimulationStateManager(fork)
 * const vm = await createVM({ common, stateManager: state })
 */
export function createSimulationStateManager(fork: ForkState): SimulationStateManager {
  let layers: StateLayer[] = [emptyLayer()]
  // Number of bottom layers that make up the pre-transaction state (see beginTransaction).
  let originalDepth = 1

  const top = () => layers[layers.length - 1]!

  async function readAccount(key: string, depth: number): Promise<Account | undefined> {
    for (let i = depth - 1; i >= 0; i--) {
      const layer = layers[i]!
      if (layer.accounts.has(key)) return copyAccount(layer.accounts.get(key))
    }
    const remote = await fork.getAccount(key as Address)
    if (remote.empty) return undefined
    return new Account(
      remote.nonce,
      remote.balance,
      hexToBytes(remote.storageRoot),
      hexToBytes(remote.codeHash),
    )
  }

  async function readStorage(key: string, slot: string, depth: number): Promise<Uint8Array> {
    for (let i = depth - 1; i >= 0; i--) {
      const layer = layers[i]!
      const value = layer.storage.get(key)?.get(slot)
      if (value !== undefined) return value
      if (layer.cleared.has(key)) return new Uint8Array(0)
    }
    return fork.getStorage(key as Address, slot as Hex)
  }

  async function readCode(key: string): Promise<Uint8Array> {
    for (let i = layers.length - 1; i >= 0; i--) {
      const code = layers[i]!.code.get(key)
      if (code !== undefined) return code
    }
    const account = await readAccount(key, layers.length)
    if (account === undefined || bytesToHex(account.codeHash) === EMPTY_CODE_HASH)
      return new Uint8Array(0)
    return fork.getCode(key as Address)
  }

  const manager: SimulationStateManager = {
    fork,
    get layers() {
      return layers
    },
    reset() {
      layers = [emptyLayer()]
      originalDepth = 1
    },
    beginTransaction() {
      originalDepth = layers.length
    },

    getAccount: (address) => readAccount(address.toString(), layers.length),
    async putAccount(address, account) {
      top().accounts.set(address.toString(), copyAccount(account))
    },
    async deleteAccount(address) {
      const key = address.toString()
      const layer = top()
      layer.accounts.set(key, undefined)
      layer.code.set(key, new Uint8Array(0))
      layer.storage.delete(key)
      layer.cleared.add(key)
    },
    async modifyAccountFields(address: EthAddress, fields: AccountFields) {
      const account = (await manager.getAccount(address)) ?? new Account()
      if (fields.nonce !== undefined) account.nonce = fields.nonce
      if (fields.balance !== undefined) account.balance = fields.balance
      if (fields.storageRoot !== undefined) account.storageRoot = fields.storageRoot
      if (fields.codeHash !== undefined) account.codeHash = fields.codeHash
      if (fields.codeSize !== undefined) account.codeSize = fields.codeSize
      await manager.putAccount(address, account)
    },

    getCode: (address) => readCode(address.toString()),
    async getCodeSize(address) {
      return (await readCode(address.toString())).length
    },
    async putCode(address, value) {
      const key = address.toString()
      top().code.set(key, value)
      const account = (await manager.getAccount(address)) ?? new Account()
      account.codeHash = hexToBytes(keccak256(value))
      account.codeSize = value.length
      await manager.putAccount(address, account)
    },

    getStorage: (address, key) => readStorage(address.toString(), bytesToHex(key), layers.length),
    async putStorage(address, key, value) {
      const account = address.toString()
      const layer = top()
      let slots = layer.storage.get(account)
      if (slots === undefined) {
        slots = new Map()
        layer.storage.set(account, slots)
      }
      slots.set(bytesToHex(key), stripLeadingZeros(value))
    },
    async clearStorage(address) {
      const key = address.toString()
      const layer = top()
      layer.storage.delete(key)
      layer.cleared.add(key)
    },

    async checkpoint() {
      layers.push(emptyLayer())
    },
    async commit() {
      if (layers.length < 2) throw internal('commit without checkpoint')
      const upper = layers.pop()!
      mergeLayer(top(), upper)
    },
    async revert() {
      if (layers.length < 2) throw internal('revert without checkpoint')
      layers.pop()
    },

    originalStorageCache: {
      get: (address, key) => readStorage(address.toString(), bytesToHex(key), originalDepth),
      // runTx clears it at the start and end of each transaction; our originals are positional.
      clear() {},
    },

    clearCaches() {},
    shallowCopy() {
      throw internal('shallowCopy is not supported by the simulation state manager')
    },
    async getStateRoot() {
      // Only pre-Byzantium receipts read a state root; simulations run post-Byzantium forks.
      return new Uint8Array(32)
    },
    async setStateRoot() {
      throw internal('setStateRoot is not supported by the simulation state manager')
    },
    async hasStateRoot() {
      return false
    },
  }
  return manager
}

function emptyLayer(): StateLayer {
  return { accounts: new Map(), code: new Map(), storage: new Map(), cleared: new Set() }
}

/** Folds `upper` (a committed call frame) into `lower`, upper values winning. */
function mergeLayer(lower: StateLayer, upper: StateLayer): void {
  for (const [key, account] of upper.accounts) lower.accounts.set(key, account)
  for (const [key, code] of upper.code) lower.code.set(key, code)
  for (const key of upper.cleared) {
    lower.cleared.add(key)
    lower.storage.delete(key)
  }
  for (const [key, slots] of upper.storage) {
    const target = lower.storage.get(key)
    if (target === undefined) lower.storage.set(key, new Map(slots))
    else for (const [slot, value] of slots) target.set(slot, value)
  }
}

// The EVM mutates accounts it got before putting them back; layers must never share an object.
function copyAccount(account: Account | undefined): Account | undefined {
  if (account === undefined) return undefined
  return new Account(
    account.nonce,
    account.balance,
    account.storageRoot,
    account.codeHash,
    account.codeSize,
    account.version,
  )
}

function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let start = 0
  while (start < bytes.length && bytes[start] === 0) start++
  return start === 0 ? bytes : bytes.subarray(start)
}

function internal(message: string): BaseError {
  return new BaseError(message, { code: 'SIMULATION_INTERNAL' })
}
