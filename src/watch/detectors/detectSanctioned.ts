import type { BlockData } from '../../chain/followTypes.js'
import type { Alert } from '../../store/StateStore.js'
import type { WatchState } from '../WatchState.js'
import { makeAlert, TOPICS, topicToAddress } from './makeAlert.js'

/**
 * Detector `sanctioned`: a watched address interacted with a sanctioned or trace-flagged address
 * (as sender or recipient of a transaction, an internal call, or an ERC-20 transfer).
 *
 * @example
 * detectSanctioned(block, state)
 */
export function detectSanctioned(block: BlockData, state: WatchState): Alert[] {
  if (!state.enabled.sanctioned || state.flagged.size === 0) return []
  const alerts: Alert[] = []
  const seen = new Set<string>()
  const check = (txHash: string, a: string, b: string, where: string) => {
    const pairs: Array<[string, string]> = [
      [a, b],
      [b, a],
    ]
    for (const [mine, other] of pairs) {
      if (!state.watched.has(mine)) continue
      const list = state.flagged.get(other)
      if (!list) continue
      const key = `${txHash}:${mine}:${other}`
      if (seen.has(key)) continue
      seen.add(key)
      alerts.push(
        makeAlert(block, state, {
          detector: 'sanctioned',
          txHash,
          discriminator: `${mine}:${other}`,
          title: `${mine} interacted with ${other} (${list})`,
          details: { watched: mine, counterparty: other, list, where },
        }),
      )
    }
  }
  for (const tx of block.transactions) if (tx.to) check(tx.hash, tx.from, tx.to, 'transaction')
  for (const call of block.internalCalls ?? [])
    check(call.txHash, call.from, call.to, 'internal call')
  for (const receipt of block.receipts) {
    if (receipt.status !== 'success') continue
    for (const log of receipt.logs)
      if (log.topics[0] === TOPICS.transfer && log.topics.length >= 3)
        check(
          receipt.transactionHash,
          topicToAddress(log.topics[1]),
          topicToAddress(log.topics[2]),
          'token transfer',
        )
  }
  return alerts
}
