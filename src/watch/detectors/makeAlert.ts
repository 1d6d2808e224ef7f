import type { BlockData } from '../../chain/followTypes.js'
import type { Alert } from '../../store/StateStore.js'
import { alertId } from '../alertId.js'
import type { DetectorName, WatchState } from '../WatchState.js'

/**
 * Builds an Alert with its stable id for one finding of a detector in a block.
 *
 * @example
 * makeAlert(block, state, { detector: 'outflow', txHash, discriminator: 'eth:0x..', title: '...', details: {} })
 */
export function makeAlert(
  block: BlockData,
  state: WatchState,
  finding: {
    detector: DetectorName
    txHash: string | null
    discriminator: string
    title: string
    details: Record<string, unknown>
  },
): Alert {
  return {
    id: alertId({
      chainId: block.chainId,
      blockHash: block.hash,
      txHash: finding.txHash,
      detector: finding.detector,
      discriminator: finding.discriminator,
    }),
    chainId: block.chainId,
    blockNumber: block.number,
    blockHash: block.hash,
    txHash: finding.txHash,
    detector: finding.detector,
    severity: state.severity[finding.detector],
    title: finding.title,
    details: finding.details,
    state: 'live',
    revision: 0,
    createdAt: state.now,
  }
}

/** `0x` + 40 hex of the address in a 32-byte topic. */
export function topicToAddress(topic: string | undefined): string {
  return `0x${(topic ?? '').slice(-40)}`.toLowerCase()
}

export const TOPICS = {
  // keccak256('Transfer(address,address,uint256)'), ERC-20 and ERC-721
  transfer: '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef',
  // keccak256('Approval(address,address,uint256)')
  approval: '0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925',
  // keccak256('ApprovalForAll(address,address,bool)')
  approvalForAll: '0x17307eab39ab6107e8899845ad3d59bd9653f200f220920489ca2b5937696c31',
} as const
