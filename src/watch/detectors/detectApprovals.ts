import type { BlockData } from '../../chain/followTypes.js'
import type { Alert } from '../../store/StateStore.js'
import type { WatchState } from '../WatchState.js'
import { makeAlert, TOPICS, topicToAddress } from './makeAlert.js'

/**
 * Detector `approval`: a watched address approved an unknown spender: ERC-20 Approval (also what
 * an EIP-2612 permit emits) with a non-zero amount, or ApprovalForAll(true) for NFTs.
 *
 * @example
 * detectApprovals(block, state)
 */
export function detectApprovals(block: BlockData, state: WatchState): Alert[] {
  if (!state.enabled.approval) return []
  const alerts: Alert[] = []
  for (const receipt of block.receipts) {
    if (receipt.status !== 'success') continue
    for (const log of receipt.logs) {
      const topic = log.topics[0]
      if (topic !== TOPICS.approval && topic !== TOPICS.approvalForAll) continue
      if (log.topics.length < 3) continue
      const owner = topicToAddress(log.topics[1])
      const spender = topicToAddress(log.topics[2])
      if (!state.watched.has(owner) || state.knownSpenders.has(spender)) continue
      const amount =
        topic === TOPICS.approval && log.topics.length === 3 && log.data.length >= 66
          ? BigInt(log.data.slice(0, 66))
          : null
      if (topic === TOPICS.approval && amount === 0n) continue // revocation
      if (topic === TOPICS.approvalForAll && BigInt(log.data.slice(0, 66) || '0x0') === 0n) continue
      alerts.push(
        makeAlert(block, state, {
          detector: 'approval',
          txHash: receipt.transactionHash,
          discriminator: `log:${log.logIndex}`,
          title: `${owner} approved unknown spender ${spender} on ${log.address}`,
          details: {
            owner,
            spender,
            token: log.address,
            amount: amount?.toString() ?? null,
            kind: topic === TOPICS.approval ? 'approval' : 'approvalForAll',
          },
        }),
      )
    }
  }
  return alerts
}
