import { bytesToHex, getAddress, numberToHex } from 'viem'
import type { Address, Hex } from '../core/hex.js'
import { type NameSlotHints, nameSlot } from '../safe/storageSlots.js'
import { EMPTY_CODE_HASH } from './simulateForkState.js'
import type { SimulationStateManager, StateLayer } from './simulateStateManager.js'

/** One storage slot the transaction changed. Values are 32-byte words. */
export type StorageWrite = {
  address: Address
  slot: Hex
  /** The Safe's name for the slot ('implementation', 'threshold', 'owners[0x…]'…), else null. */
  name: string | null
  before: Hex
  after: Hex
}

/** ETH (token null) or ERC-20 balance change of one address. */
export type BalanceChange = {
  address: Address
  /** null for ETH; the ERC-20 contract otherwise. */
  token: Address | null
  symbol: string | null
  decimals: number | null
  /** Known for ETH (read from the fork before, from the simulated state after); null for tokens. */
  before: bigint | null
  after: bigint | null
  /** Positive: the address gained. */
  delta: bigint
}

/** Runtime code that appeared, changed or disappeared. */
export type CodeChange = {
  address: Address
  beforeCodeHash: Hex
  /** The empty-code hash when the code was removed. */
  afterCodeHash: Hex
}

export type StateDiff = {
  storageWrites: StorageWrite[]
  /** Accounts whose whole storage was wiped (re-creation at an old address). */
  storageCleared: Address[]
  ethChanges: BalanceChange[]
  codeChanges: CodeChange[]
}

export type ComputeStateDiffParameters = {
  /** Index of the layer that holds the transaction's own writes (above the override layer). */
  layer: number
  /** The Safe: its slots get names. */
  safe: Address
  /** Mapping keys nameSlot may try (owners, modules, hashes seen in the transaction). */
  hints: NameSlotHints
  /** `address:slot` keys written by the simulation set-up itself (pre-approved hashes). */
  hiddenSlots: ReadonlySet<string>
  /** Added to an address's simulated balance before comparing: minus the executor's funding, plus its gas fee. */
  balanceAdjustments: ReadonlyMap<string, bigint>
}

const ZERO_WORD: Hex = `0x${'0'.repeat(64)}`

/**
 * Compares the transaction's write layer with the state it started from. "Before" is read
 * through the layers below (the override layer, then the fork's cache of real chain values),
 * never from a layer that was checkpointed and reverted, so reverted frames leave no trace
 * and unchanged rewrites (x := x) are dropped.
 *
 * @example
 * const diff = await computeStateDiff(state, { layer: 1, safe, hints, hiddenSlots, balanceAdjustments })
 * diff.storageWrites.find((w) => w.name === 'implementation')?.after
 */
export async function computeStateDiff(
  state: SimulationStateManager,
  parameters: ComputeStateDiffParameters,
): Promise<StateDiff> {
  const written = state.layers[parameters.layer]
  if (written === undefined)
    return { storageWrites: [], storageCleared: [], ethChanges: [], codeChanges: [] }
  const below = state.layers.slice(0, parameters.layer)
  const safeKey = parameters.safe.toLowerCase()

  const storageWrites: StorageWrite[] = []
  for (const [account, slots] of written.storage) {
    for (const [slot, value] of slots) {
      if (parameters.hiddenSlots.has(`${account}:${slot}`)) continue
      const before = written.cleared.has(account)
        ? new Uint8Array(0)
        : await storageBefore(state, below, account, slot)
      const beforeWord = word(before)
      const afterWord = word(value)
      if (beforeWord === afterWord) continue
      storageWrites.push({
        address: getAddress(account),
        slot: slot as Hex,
        name: account === safeKey ? (nameSlot(slot as Hex, parameters.hints) ?? null) : null,
        before: beforeWord,
        after: afterWord,
      })
    }
  }

  const ethChanges: BalanceChange[] = []
  const codeChanges: CodeChange[] = []
  for (const [account, after] of written.accounts) {
    const previous = await accountBefore(state, account)
    const beforeBalance = previous.balance
    const afterBalance = (after?.balance ?? 0n) + (parameters.balanceAdjustments.get(account) ?? 0n)
    if (afterBalance !== beforeBalance)
      ethChanges.push({
        address: getAddress(account),
        token: null,
        symbol: 'ETH',
        decimals: 18,
        before: beforeBalance,
        after: afterBalance,
        delta: afterBalance - beforeBalance,
      })
    const afterCodeHash = after === undefined ? EMPTY_CODE_HASH : bytesToHex(after.codeHash)
    if (afterCodeHash !== previous.codeHash)
      codeChanges.push({
        address: getAddress(account),
        beforeCodeHash: previous.codeHash,
        afterCodeHash,
      })
  }

  return {
    storageWrites,
    storageCleared: [...written.cleared].map((account) => getAddress(account)),
    ethChanges,
    codeChanges,
  }
}

async function storageBefore(
  state: SimulationStateManager,
  below: StateLayer[],
  account: string,
  slot: string,
): Promise<Uint8Array> {
  for (let i = below.length - 1; i >= 0; i--) {
    const layer = below[i]!
    const value = layer.storage.get(account)?.get(slot)
    if (value !== undefined) return value
    if (layer.cleared.has(account)) return new Uint8Array(0)
  }
  return state.fork.getStorage(account as Address, slot as Hex)
}

/**
 * Accounts are compared with the fork itself: the only account the set-up overrides is the
 * executor's balance, and `balanceAdjustments` takes that funding back out.
 */
async function accountBefore(
  state: SimulationStateManager,
  account: string,
): Promise<{ balance: bigint; codeHash: Hex }> {
  const remote = await state.fork.getAccount(account as Address)
  return { balance: remote.balance, codeHash: remote.codeHash }
}

function word(value: Uint8Array): Hex {
  return value.length === 0 ? ZERO_WORD : numberToHex(BigInt(bytesToHex(value)), { size: 32 })
}
