import type { BlockData } from '../../chain/followTypes.js'
import type { Alert, Intent } from '../../store/StateStore.js'
import type { WatchState } from '../WatchState.js'
import { makeAlert, TOPICS, topicToAddress } from './makeAlert.js'

/** One value leaving a watched address. `token` null = ETH. */
export type Outflow = {
  txHash: string | null
  from: string
  to: string
  token: string | null
  amount: bigint
  /** `tx` top-level value, `internal` from a call trace, `balance` an unexplained ETH balance drop, `erc20` a Transfer log. */
  via: 'tx' | 'internal' | 'balance' | 'erc20'
  discriminator: string
}

/**
 * Lists every outflow from a watched address in a block: ETH sent by a transaction, ETH sent by
 * internal calls (from traces), ERC-20 Transfer logs, and, when the node has no traces, an ETH
 * balance drop larger than what top-level transactions and fees explain (so ETH leaving through
 * an internal call is still seen on nodes without tracing).
 *
 * @example
 * listOutflows(block, state.watched)
 */
export function listOutflows(block: BlockData, watched: ReadonlySet<string>): Outflow[] {
  const out: Outflow[] = []
  const status = new Map(block.receipts.map((r) => [r.transactionHash, r]))
  const explained = new Map<string, bigint>()
  for (const tx of block.transactions) {
    const receipt = status.get(tx.hash)
    if (watched.has(tx.from) && receipt) {
      const fee = receipt.gasUsed * receipt.effectiveGasPrice
      const sent = receipt.status === 'success' ? tx.value : 0n
      explained.set(tx.from, (explained.get(tx.from) ?? 0n) + sent + fee)
    }
    if (receipt?.status !== 'success' || tx.value === 0n || !watched.has(tx.from)) continue
    out.push({
      txHash: tx.hash,
      from: tx.from,
      to: tx.to ?? '',
      token: null,
      amount: tx.value,
      via: 'tx',
      discriminator: `tx:${tx.index}`,
    })
  }
  if (block.internalCalls) {
    block.internalCalls.forEach((call, i) => {
      if (call.value === 0n || !watched.has(call.from)) return
      if (call.callType === 'delegatecall' || call.callType === 'staticcall') return
      out.push({
        txHash: call.txHash,
        from: call.from,
        to: call.to,
        token: null,
        amount: call.value,
        via: 'internal',
        discriminator: `internal:${i}`,
      })
    })
  } else {
    // Without traces, an ETH balance drop that top-level txs and gas do not explain left internally.
    // Incoming ETH in the same block can hide part of a drop; traces are the precise source.
    for (const [address, after] of Object.entries(block.balances)) {
      const before = block.parentBalances[address]
      if (before === undefined || !watched.has(address)) continue
      const unexplained = before - after - (explained.get(address) ?? 0n)
      if (unexplained > 0n)
        out.push({
          txHash: null,
          from: address,
          to: '',
          token: null,
          amount: unexplained,
          via: 'balance',
          discriminator: `balance:${address}`,
        })
    }
  }
  for (const receipt of block.receipts) {
    if (receipt.status !== 'success') continue
    for (const log of receipt.logs) {
      // ERC-20 Transfer has 3 topics and a 32-byte amount; ERC-721 has the token id as 4th topic.
      if (log.topics[0] !== TOPICS.transfer || log.topics.length !== 3) continue
      const from = topicToAddress(log.topics[1])
      if (!watched.has(from)) continue
      const amount = log.data.length >= 66 ? BigInt(log.data.slice(0, 66)) : 0n
      if (amount === 0n) continue
      out.push({
        txHash: receipt.transactionHash,
        from,
        to: topicToAddress(log.topics[2]),
        token: log.address,
        amount,
        via: 'erc20',
        discriminator: `log:${log.logIndex}`,
      })
    }
  }
  return out
}

/**
 * The open intent that covers an outflow: same source, destination and token, amount at most
 * `maxAmount`, block time inside [validFrom, validUntil].
 *
 * @example
 * matchIntent(outflow, state.intents, block.timestamp)
 */
export function matchIntent(
  outflow: Outflow,
  intents: readonly Intent[],
  timestamp: number,
): Intent | undefined {
  return intents.find(
    (intent) =>
      intent.state === 'open' &&
      intent.from.toLowerCase() === outflow.from &&
      intent.to.toLowerCase() === outflow.to &&
      (intent.token?.toLowerCase() ?? null) === outflow.token &&
      outflow.amount <= BigInt(intent.maxAmount) &&
      timestamp >= intent.validFrom &&
      timestamp <= intent.validUntil,
  )
}

/**
 * Detector `outflow`: ETH (top-level and internal) or ERC-20 leaving a watched address. In
 * `unapproved` mode (the default) outflows covered by an open intent are not alerted.
 *
 * @example
 * detectOutflows(block, state) // Alert[]
 */
export function detectOutflows(block: BlockData, state: WatchState): Alert[] {
  if (!state.enabled.outflow) return []
  const alerts: Alert[] = []
  for (const outflow of listOutflows(block, state.watched)) {
    const intent = matchIntent(outflow, state.intents, block.timestamp)
    if (intent && state.outflowMode === 'unapproved') continue
    const what = outflow.token ? `token ${outflow.token}` : 'ETH'
    alerts.push(
      makeAlert(block, state, {
        detector: 'outflow',
        txHash: outflow.txHash,
        discriminator: outflow.discriminator,
        title: `${intent ? 'approved' : 'unapproved'} outflow of ${outflow.amount} ${what} from ${outflow.from}${outflow.to ? ` to ${outflow.to}` : ''}`,
        details: {
          from: outflow.from,
          to: outflow.to || null,
          token: outflow.token,
          amount: outflow.amount.toString(),
          via: outflow.via,
          intent: intent?.id ?? null,
        },
      }),
    )
  }
  return alerts
}
