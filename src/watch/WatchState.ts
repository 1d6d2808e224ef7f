import type { SafeVersion } from '../safe/types.js'
import type { Alert, Intent, Severity, StoredReceipt } from '../store/StateStore.js'

export type DetectorName =
  | 'outflow'
  | 'safe-config'
  | 'approval'
  | 'sanctioned'
  | 'unverified-execution'

export const DETECTOR_NAMES: readonly DetectorName[] = [
  'outflow',
  'safe-config',
  'approval',
  'sanctioned',
  'unverified-execution',
]

/**
 * Everything detectors know besides the block, as plain data. Built by the watch runner from
 * the config and the store before each block; detectors never read anything else.
 */
export type WatchState = {
  chainId: number
  /** Watched addresses, lowercase (Safes included). */
  watched: ReadonlySet<string>
  /** Watched Safes, lowercase, with their version when known (needed to hash pre-1.3.0 txs). */
  safes: ReadonlyMap<string, { version: SafeVersion | null }>
  knownSpenders: ReadonlySet<string>
  /** Sanctioned or trace-flagged addresses, lowercase, with the list that named them. */
  flagged: ReadonlyMap<string, string>
  intents: readonly Intent[]
  /** Receipts by lowercase safeTxHash (only for the hashes in this block). */
  receipts: ReadonlyMap<string, readonly StoredReceipt[]>
  /** Independent receipts required per executed Safe transaction; 0 disables the check. */
  receiptsRequired: number
  /** Signers whose receipts count; empty = any valid receipt counts. */
  trustedReceiptSigners: ReadonlySet<string>
  enabled: Readonly<Record<DetectorName, boolean>>
  severity: Readonly<Record<DetectorName, Severity>>
  /** `unapproved`: only outflows no open intent covers; `all`: every outflow. */
  outflowMode: 'unapproved' | 'all'
  /** Wall-clock ms stamped on new alerts (createdAt); not part of the id. */
  now: number
}

export type Detector = (
  block: import('../chain/followTypes.js').BlockData,
  state: WatchState,
) => Alert[]
