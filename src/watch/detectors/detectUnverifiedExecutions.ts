import { decodeFunctionData, toEventSelector, toFunctionSelector } from 'viem'
import type { BlockData } from '../../chain/followTypes.js'
import type { Address, Hex } from '../../core/hex.js'
import { safeAbi } from '../../safe/abi.js'
import { hashSafeTx } from '../../safe/hashSafeTx.js'
import { SAFE_STORAGE_SLOTS } from '../../safe/storageSlots.js'
import type { Operation } from '../../safe/types.js'
import type { Alert } from '../../store/StateStore.js'
import type { WatchState } from '../WatchState.js'
import { makeAlert } from './makeAlert.js'

const EXECUTION_SUCCESS = toEventSelector('ExecutionSuccess(bytes32,uint256)')
const EXECUTION_FAILURE = toEventSelector('ExecutionFailure(bytes32,uint256)')
// Safe 1.0.0 reports a failed inner call with this event instead.
const EXECUTION_FAILED = toEventSelector('ExecutionFailed(bytes32)')
const EXEC_TRANSACTION = toFunctionSelector(
  'execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)',
)
const NONCE_SLOT = SAFE_STORAGE_SLOTS.nonce.toLowerCase()

/** A Safe transaction executed in a block, with how its safeTxHash was learnt. */
export type SafeExecution = {
  safe: string
  safeTxHash: string
  txHash: string
  success: boolean
  source: 'event' | 'calldata'
}

/**
 * The safeTxHashes watched Safes executed in a block. From ExecutionSuccess/ExecutionFailure
 * events (the hash is in the event data or, in 1.4.1+, an indexed topic); for a top-level
 * execTransaction with no such event (old versions), the hash is recomputed from the calldata,
 * the Safe's version and its nonce at the parent block.
 *
 * @example
 * safeExecutions(block, state.safes)
 */
export function safeExecutions(
  block: BlockData,
  safes: WatchState['safes'],
  chainId: number = block.chainId,
): SafeExecution[] {
  const out: SafeExecution[] = []
  const covered = new Set<string>()
  for (const receipt of block.receipts) {
    for (const log of receipt.logs) {
      if (!safes.has(log.address)) continue
      const topic = log.topics[0]
      if (topic !== EXECUTION_SUCCESS && topic !== EXECUTION_FAILURE && topic !== EXECUTION_FAILED)
        continue
      const hash = log.topics.length >= 2 ? log.topics[1]! : log.data.slice(0, 66)
      if (hash.length !== 66) continue
      out.push({
        safe: log.address,
        safeTxHash: hash.toLowerCase(),
        txHash: receipt.transactionHash,
        success: topic === EXECUTION_SUCCESS,
        source: 'event',
      })
      covered.add(`${receipt.transactionHash}:${log.address}`)
    }
  }
  const status = new Map(block.receipts.map((r) => [r.transactionHash, r.status]))
  for (const tx of block.transactions) {
    if (!tx.to || !safes.has(tx.to) || covered.has(`${tx.hash}:${tx.to}`)) continue
    if (!tx.input.startsWith(EXEC_TRANSACTION) || status.get(tx.hash) !== 'success') continue
    const version = safes.get(tx.to)?.version
    const nonceWord = block.parentStorage[tx.to]?.[NONCE_SLOT]
    if (!version || nonceWord === undefined) continue
    try {
      const { args } = decodeFunctionData({ abi: safeAbi, data: tx.input as Hex }) as {
        args: readonly unknown[]
      }
      const [to, value, data, operation, safeTxGas, baseGas, gasPrice, gasToken, refundReceiver] =
        args as [Address, bigint, Hex, number, bigint, bigint, bigint, Address, Address]
      const { safeTxHash } = hashSafeTx(
        { chainId: BigInt(chainId), safe: tx.to as Address, version },
        {
          to,
          value,
          data,
          operation: operation as Operation,
          safeTxGas,
          baseGas,
          gasPrice,
          gasToken,
          refundReceiver,
          nonce: BigInt(nonceWord),
        },
      )
      out.push({
        safe: tx.to,
        safeTxHash: safeTxHash.toLowerCase(),
        txHash: tx.hash,
        success: true,
        source: 'calldata',
      })
    } catch {
      // Undecodable calldata cannot have executed successfully as execTransaction; nothing to hash.
    }
  }
  return out
}

/**
 * Detector `unverified-execution`: a watched Safe executed a transaction with fewer than k
 * independent verification receipts (distinct signers, trusted ones if configured), or with a
 * receipt whose verdict was `block`.
 *
 * @example
 * detectUnverifiedExecutions(block, state)
 */
export function detectUnverifiedExecutions(block: BlockData, state: WatchState): Alert[] {
  if (!state.enabled['unverified-execution'] || state.receiptsRequired <= 0) return []
  const alerts: Alert[] = []
  for (const execution of safeExecutions(block, state.safes)) {
    const receipts = (state.receipts.get(execution.safeTxHash) ?? []).filter(
      (r) =>
        state.trustedReceiptSigners.size === 0 ||
        state.trustedReceiptSigners.has(r.signer.toLowerCase()),
    )
    const signers = new Set(receipts.map((r) => r.signer.toLowerCase()))
    const blocked = receipts.filter((r) => r.verdict === 'block').map((r) => r.signer)
    if (signers.size >= state.receiptsRequired && blocked.length === 0) continue
    const reason =
      blocked.length > 0
        ? `a verifier's verdict was block (${blocked.join(', ')})`
        : `${signers.size} of ${state.receiptsRequired} required verification receipts`
    alerts.push(
      makeAlert(block, state, {
        detector: 'unverified-execution',
        txHash: execution.txHash,
        discriminator: `${execution.safe}:${execution.safeTxHash}`,
        title: `Safe ${execution.safe} executed ${execution.safeTxHash} with ${reason}`,
        details: {
          ...execution,
          receipts: signers.size,
          required: state.receiptsRequired,
          blockedBy: blocked,
        },
      }),
    )
  }
  return alerts
}
