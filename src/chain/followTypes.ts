/** A transaction as the follower hands it to detectors (addresses lowercase, amounts bigint). */
export type FollowTransaction = {
  hash: string
  from: string
  to: string | null
  value: bigint
  input: string
  nonce: number
  index: number
}

export type FollowLog = {
  address: string
  topics: string[]
  data: string
  logIndex: number
  transactionHash: string
}

export type FollowReceipt = {
  transactionHash: string
  status: 'success' | 'reverted'
  gasUsed: bigint
  effectiveGasPrice: bigint
  logs: FollowLog[]
}

/** An internal call from a call trace (depth >= 1), only for calls that move ETH or may. */
export type InternalCall = {
  txHash: string
  from: string
  to: string
  value: bigint
  callType: string
  depth: number
}

/** Everything detectors see of one block. Storage and balances are read at this block's hash. */
export type BlockData = {
  chainId: number
  number: number
  hash: string
  parentHash: string
  timestamp: number
  transactions: FollowTransaction[]
  receipts: FollowReceipt[]
  /** Internal calls from `debug_traceBlockByHash` (callTracer) or `trace_block`; null when the node has neither. */
  internalCalls: InternalCall[] | null
  /** storage[address][slot] at this block, for the slots the watch config asks to read. */
  storage: Record<string, Record<string, string>>
  /** The same slots at the parent block (the "before" value). */
  parentStorage: Record<string, Record<string, string>>
  /** Balances (wei) at this block and at the parent, for the addresses asked. */
  balances: Record<string, bigint>
  parentBalances: Record<string, bigint>
}

/** Which extra state the follower reads every block, at the block's hash. */
export type StateReads = {
  slots: Array<{ address: string; slot: string }>
  balances: string[]
}
