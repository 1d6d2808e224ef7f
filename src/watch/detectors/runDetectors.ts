import type { BlockData } from '../../chain/followTypes.js'
import type { Alert } from '../../store/StateStore.js'
import type { WatchState } from '../WatchState.js'
import { detectApprovals } from './detectApprovals.js'
import { detectOutflows } from './detectOutflows.js'
import { detectSafeChanges } from './detectSafeChanges.js'
import { detectSanctioned } from './detectSanctioned.js'
import { detectUnverifiedExecutions } from './detectUnverifiedExecutions.js'

/**
 * Runs every enabled detector on one block. Pure: same block and state, same alerts (same ids),
 * which is what makes replay after a crash or a reorg exact.
 *
 * @example
 * const alerts = runDetectors(block, state)
 */
export function runDetectors(block: BlockData, state: WatchState): Alert[] {
  const alerts = [
    ...detectSafeChanges(block, state),
    ...detectOutflows(block, state),
    ...detectApprovals(block, state),
    ...detectSanctioned(block, state),
    ...detectUnverifiedExecutions(block, state),
  ]
  // Ids are unique by construction; keep the first if two detectors ever collide.
  const seen = new Set<string>()
  return alerts.filter((a) => !seen.has(a.id) && seen.add(a.id))
}
