import { toEventSelector } from 'viem'
import type { BlockData, StateReads } from '../../chain/followTypes.js'
import { modulesSlot, ownersSlot, SAFE_STORAGE_SLOTS, SENTINEL } from '../../safe/storageSlots.js'
import type { Alert } from '../../store/StateStore.js'
import type { WatchState } from '../WatchState.js'
import { makeAlert } from './makeAlert.js'

/**
 * The Safe storage read every block. The implementation slot (Bybit) and guard/fallback slots
 * can change through a delegatecall with no event at all; owner and module lists are linked
 * lists, so their heads and the counters catch additions and removals without events.
 */
export const SAFE_WATCHED_SLOTS: ReadonlyArray<{ field: string; slot: string }> = [
  { field: 'implementation', slot: SAFE_STORAGE_SLOTS.singleton },
  { field: 'ownerCount', slot: SAFE_STORAGE_SLOTS.ownerCount },
  { field: 'threshold', slot: SAFE_STORAGE_SLOTS.threshold },
  { field: 'guard', slot: SAFE_STORAGE_SLOTS.guard },
  { field: 'fallbackHandler', slot: SAFE_STORAGE_SLOTS.fallbackHandler },
  { field: 'moduleGuard', slot: SAFE_STORAGE_SLOTS.moduleGuard },
  { field: 'ownersHead', slot: ownersSlot(SENTINEL) },
  { field: 'modulesHead', slot: modulesSlot(SENTINEL) },
  // Read for hashing pre-1.3.0 executions; a nonce change alone is never alerted.
  { field: 'nonce', slot: SAFE_STORAGE_SLOTS.nonce },
].map(({ field, slot }) => ({ field, slot: slot.toLowerCase() }))

/**
 * The state reads the follower must do for these Safes (slots above, plus the ETH balance so
 * internal outflows are seen on nodes without traces).
 *
 * @example
 * safeStateReads(['0x1db9...'])
 */
export function safeStateReads(
  safes: readonly string[],
  balances: readonly string[] = safes,
): StateReads {
  return {
    slots: safes.flatMap((address) => SAFE_WATCHED_SLOTS.map(({ slot }) => ({ address, slot }))),
    balances: [...balances],
  }
}

const EVENT_FIELDS: Record<string, string> = {
  [toEventSelector('AddedOwner(address)')]: 'owners',
  [toEventSelector('RemovedOwner(address)')]: 'owners',
  [toEventSelector('ChangedThreshold(uint256)')]: 'threshold',
  [toEventSelector('EnabledModule(address)')]: 'modules',
  [toEventSelector('DisabledModule(address)')]: 'modules',
  [toEventSelector('ChangedGuard(address)')]: 'guard',
  [toEventSelector('ChangedModuleGuard(address)')]: 'moduleGuard',
  [toEventSelector('ChangedFallbackHandler(address)')]: 'fallbackHandler',
  [toEventSelector('ChangedMasterCopy(address)')]: 'implementation',
}

const STORAGE_TO_EVENT_FIELD: Record<string, string> = {
  implementation: 'implementation',
  ownerCount: 'owners',
  ownersHead: 'owners',
  threshold: 'threshold',
  guard: 'guard',
  moduleGuard: 'moduleGuard',
  fallbackHandler: 'fallbackHandler',
  modulesHead: 'modules',
}

/**
 * Detector `safe-config`: a watched Safe's implementation, owners, threshold, modules, guard or
 * fallback handler changed. Primary source: the storage slots read at this block and its parent
 * (works when no event is emitted, as in Bybit). Events cover what storage heads cannot see (an
 * owner swapped in the middle of the list). One alert per Safe and field per block.
 *
 * @example
 * detectSafeChanges(block, state)
 */
export function detectSafeChanges(block: BlockData, state: WatchState): Alert[] {
  if (!state.enabled['safe-config']) return []
  const alerts: Alert[] = []
  for (const safe of state.safes.keys()) {
    const after = block.storage[safe]
    const before = block.parentStorage[safe]
    const flagged = new Set<string>()
    const culprit = block.transactions.find((tx) => tx.to === safe)?.hash ?? touchingTx(block, safe)
    if (after && before) {
      for (const { field, slot } of SAFE_WATCHED_SLOTS) {
        if (field === 'nonce') continue
        const a = after[slot]
        const b = before[slot]
        if (a === undefined || b === undefined || a === b) continue
        flagged.add(STORAGE_TO_EVENT_FIELD[field]!)
        alerts.push(
          makeAlert(block, state, {
            detector: 'safe-config',
            txHash: culprit,
            discriminator: `${safe}:${field}`,
            title: `Safe ${safe}: ${field} changed from ${shortWord(b)} to ${shortWord(a)}`,
            details: { safe, field, slot, before: b, after: a, source: 'storage' },
          }),
        )
      }
    }
    for (const receipt of block.receipts) {
      if (receipt.status !== 'success') continue
      for (const log of receipt.logs) {
        if (log.address !== safe) continue
        const field = EVENT_FIELDS[log.topics[0] ?? '']
        if (!field || flagged.has(field)) continue
        flagged.add(field)
        alerts.push(
          makeAlert(block, state, {
            detector: 'safe-config',
            txHash: receipt.transactionHash,
            discriminator: `${safe}:${field}:event`,
            title: `Safe ${safe}: ${field} changed (event)`,
            details: { safe, field, source: 'event', topics: log.topics, data: log.data },
          }),
        )
      }
    }
  }
  return alerts
}

function touchingTx(block: BlockData, address: string): string | null {
  for (const receipt of block.receipts)
    if (receipt.logs.some((l) => l.address === address)) return receipt.transactionHash
  return null
}

/** Addresses stored in a word are shown as addresses, numbers as decimals. */
function shortWord(word: string): string {
  const value = BigInt(word)
  if (value > 0xffffffffn) return `0x${value.toString(16).padStart(40, '0')}`
  return value.toString()
}
