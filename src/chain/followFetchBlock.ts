import { BaseError } from '../core/BaseError.js'
import { type RequestClient, RpcResponseError } from './createFailoverRpcClient.js'
import type {
  BlockData,
  FollowLog,
  FollowReceipt,
  FollowTransaction,
  InternalCall,
  StateReads,
} from './followTypes.js'

/** What the node can do, learnt on first use and kept for the follower's lifetime. */
export type NodeCapabilities = {
  blockReceipts?: boolean
  traces?: 'debug' | 'parity' | 'none'
}

type RawBlock = {
  number: string
  hash: string
  parentHash: string
  timestamp: string
  transactions: Array<{
    hash: string
    from: string
    to: string | null
    value: string
    input: string
    nonce: string
    transactionIndex: string
  }>
}

/** A fetched block whose receipts do not belong to it: the chain moved under us; retry later. */
export class BlockInconsistentError extends BaseError {
  constructor(number: number) {
    super(`block ${number} changed while it was being read (reorg in progress)`, {
      code: 'BLOCK_INCONSISTENT',
    })
  }
}

/**
 * Reads a block header with its transactions; null when the node does not have it (yet).
 *
 * @example
 * const header = await fetchBlockHeader(client, 100)
 */
export async function fetchBlockHeader(
  client: RequestClient,
  number: number,
): Promise<RawBlock | null> {
  const block = (await client.request('eth_getBlockByNumber', [
    toHex(number),
    true,
  ])) as RawBlock | null
  if (block && Number(block.number) !== number)
    throw new BaseError(`node answered block ${Number(block.number)} for ${number}`, {
      code: 'RPC_WRONG_BLOCK',
    })
  return block
}

/**
 * Completes a header into BlockData: receipts (eth_getBlockReceipts or one call per
 * transaction), call traces when the node has them, and the configured storage slots and
 * balances read at the block hash (EIP-1898) so that a reorg cannot mix two branches.
 * `parent` supplies the parent's reads when the caller already has them.
 *
 * @example
 * const data = await followFetchBlock(client, header, { chainId: 1, reads, capabilities: {} })
 */
export async function followFetchBlock(
  client: RequestClient,
  block: RawBlock,
  options: {
    chainId: number
    reads: StateReads
    capabilities: NodeCapabilities
    parent?: Pick<BlockData, 'hash' | 'storage' | 'balances'>
    /** Leave parent reads empty; the caller fills them with `fillParentReads` once the parent is known. */
    deferParent?: boolean
    wantTraces?: boolean
  },
): Promise<BlockData> {
  const number = Number(block.number)
  const transactions: FollowTransaction[] = block.transactions.map((tx) => ({
    hash: tx.hash,
    from: tx.from.toLowerCase(),
    to: tx.to ? tx.to.toLowerCase() : null,
    value: BigInt(tx.value),
    input: tx.input,
    nonce: Number(tx.nonce),
    index: Number(tx.transactionIndex),
  }))
  const parentKnown =
    options.parent && options.parent.hash === block.parentHash
      ? options.parent
      : options.deferParent
        ? { hash: block.parentHash, storage: {}, balances: {} }
        : undefined
  const [receipts, internalCalls, storage, balances, parentStorage, parentBalances] =
    await Promise.all([
      fetchReceipts(client, block, options.capabilities),
      options.wantTraces === false
        ? Promise.resolve(null)
        : fetchTraces(client, block, options.capabilities),
      readSlots(client, options.reads, block.hash),
      readBalances(client, options.reads, block.hash),
      parentKnown
        ? Promise.resolve(parentKnown.storage)
        : readSlots(client, options.reads, block.parentHash),
      parentKnown
        ? Promise.resolve(parentKnown.balances)
        : readBalances(client, options.reads, block.parentHash),
    ])
  return {
    chainId: options.chainId,
    number,
    hash: block.hash,
    parentHash: block.parentHash,
    timestamp: Number(block.timestamp),
    transactions,
    receipts,
    internalCalls,
    storage,
    parentStorage,
    balances,
    parentBalances,
  }
}

/**
 * Fills a block's parent reads from the block processed before it when that is its parent,
 * otherwise reads them from the node at the parent hash.
 *
 * @example
 * await fillParentReads(client, block, reads, previous)
 */
export async function fillParentReads(
  client: RequestClient,
  block: BlockData,
  reads: StateReads,
  previous: Pick<BlockData, 'hash' | 'storage' | 'balances'> | undefined,
): Promise<void> {
  if (previous && previous.hash === block.parentHash) {
    block.parentStorage = previous.storage
    block.parentBalances = previous.balances
    return
  }
  const [storage, balances] = await Promise.all([
    readSlots(client, reads, block.parentHash),
    readBalances(client, reads, block.parentHash),
  ])
  block.parentStorage = storage
  block.parentBalances = balances
}

type RawReceipt = {
  transactionHash: string
  blockHash: string
  status: string
  gasUsed: string
  effectiveGasPrice?: string
  logs: Array<{
    address: string
    topics: string[]
    data: string
    logIndex: string
    transactionHash: string
  }>
}

async function fetchReceipts(
  client: RequestClient,
  block: RawBlock,
  capabilities: NodeCapabilities,
): Promise<FollowReceipt[]> {
  if (block.transactions.length === 0) return []
  let raw: RawReceipt[] | null = null
  if (capabilities.blockReceipts !== false) {
    try {
      raw = (await client.request('eth_getBlockReceipts', [block.hash])) as RawReceipt[] | null
      if (Array.isArray(raw)) capabilities.blockReceipts = true
    } catch (error) {
      if (capabilities.blockReceipts === true || !isUnsupported(error)) throw error
      capabilities.blockReceipts = false
    }
  }
  if (!raw)
    raw = (await mapLimit(
      block.transactions,
      16,
      (tx) => client.request('eth_getTransactionReceipt', [tx.hash]) as Promise<RawReceipt | null>,
    )) as RawReceipt[]
  if (raw.length !== block.transactions.length)
    throw new BlockInconsistentError(Number(block.number))
  return raw.map((receipt) => {
    if (!receipt || receipt.blockHash !== block.hash)
      throw new BlockInconsistentError(Number(block.number))
    return {
      transactionHash: receipt.transactionHash,
      status: receipt.status === '0x1' ? 'success' : 'reverted',
      gasUsed: BigInt(receipt.gasUsed),
      effectiveGasPrice: BigInt(receipt.effectiveGasPrice ?? '0x0'),
      logs: receipt.logs.map(
        (log): FollowLog => ({
          address: log.address.toLowerCase(),
          topics: log.topics.map((t) => t.toLowerCase()),
          data: log.data,
          logIndex: Number(log.logIndex),
          transactionHash: log.transactionHash,
        }),
      ),
    }
  })
}

type CallFrame = {
  type: string
  from: string
  to?: string
  value?: string
  calls?: CallFrame[]
  error?: string
}

async function fetchTraces(
  client: RequestClient,
  block: RawBlock,
  capabilities: NodeCapabilities,
): Promise<InternalCall[] | null> {
  if (capabilities.traces === 'none') return null
  if (block.transactions.length === 0) return capabilities.traces ? [] : null
  if (capabilities.traces !== 'parity') {
    try {
      const result = (await client.request('debug_traceBlockByHash', [
        block.hash,
        { tracer: 'callTracer' },
      ])) as Array<{
        txHash?: string
        result: CallFrame
      }>
      capabilities.traces = 'debug'
      return flattenCallTraces(
        result.map((r, i) => ({
          txHash: r.txHash ?? block.transactions[i]!.hash,
          frame: r.result,
        })),
      )
    } catch (error) {
      if (capabilities.traces === 'debug' || !isUnsupported(error)) throw error
    }
  }
  try {
    const result = (await client.request('trace_block', [block.number])) as Array<{
      type: string
      action: {
        from?: string
        to?: string
        value?: string
        callType?: string
        address?: string
        refundAddress?: string
        balance?: string
      }
      transactionHash: string
      traceAddress: number[]
      error?: string
    }>
    capabilities.traces = 'parity'
    const calls: InternalCall[] = []
    for (const t of result) {
      if (t.traceAddress.length === 0 || t.error) continue
      if (t.type === 'suicide') {
        calls.push({
          txHash: t.transactionHash,
          from: String(t.action.address).toLowerCase(),
          to: String(t.action.refundAddress).toLowerCase(),
          value: BigInt(t.action.balance ?? '0x0'),
          callType: 'selfdestruct',
          depth: t.traceAddress.length,
        })
        continue
      }
      if (!t.action.from || !t.action.to) continue
      calls.push({
        txHash: t.transactionHash,
        from: t.action.from.toLowerCase(),
        to: t.action.to.toLowerCase(),
        value: BigInt(t.action.value ?? '0x0'),
        callType: t.action.callType ?? t.type,
        depth: t.traceAddress.length,
      })
    }
    return calls
  } catch (error) {
    if (capabilities.traces === 'parity' || !isUnsupported(error)) throw error
    capabilities.traces = 'none'
    return null
  }
}

/**
 * Flattens geth callTracer frames into internal calls (depth >= 1). Reverted frames and their
 * children are dropped: their value transfers did not happen.
 *
 * @example
 * flattenCallTraces([{ txHash: '0x..', frame: { type: 'CALL', from: '0xa', to: '0xb', calls: [...] } }])
 */
export function flattenCallTraces(
  traces: Array<{ txHash: string; frame: CallFrame }>,
): InternalCall[] {
  const out: InternalCall[] = []
  const walk = (txHash: string, frame: CallFrame, depth: number) => {
    if (frame.error) return
    if (depth > 0 && frame.to)
      out.push({
        txHash,
        from: frame.from.toLowerCase(),
        to: frame.to.toLowerCase(),
        value: BigInt(frame.value ?? '0x0'),
        callType: frame.type.toLowerCase(),
        depth,
      })
    for (const child of frame.calls ?? []) walk(txHash, child, depth + 1)
  }
  for (const trace of traces) walk(trace.txHash, trace.frame, 0)
  return out
}

async function readSlots(
  client: RequestClient,
  reads: StateReads,
  blockHash: string,
): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {}
  const values = await mapLimit(
    reads.slots,
    16,
    ({ address, slot }) =>
      client.request('eth_getStorageAt', [address, slot, { blockHash }]) as Promise<string>,
  )
  reads.slots.forEach(({ address, slot }, i) => {
    if (!out[address]) out[address] = {}
    const byAddress = out[address]
    byAddress[slot] = String(values[i]).toLowerCase()
  })
  return out
}

async function readBalances(
  client: RequestClient,
  reads: StateReads,
  blockHash: string,
): Promise<Record<string, bigint>> {
  const values = await mapLimit(
    reads.balances,
    16,
    (address) => client.request('eth_getBalance', [address, { blockHash }]) as Promise<string>,
  )
  const out: Record<string, bigint> = {}
  reads.balances.forEach((address, i) => {
    out[address] = BigInt(values[i]!)
  })
  return out
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

/** A node's "I do not have this method" answer, as opposed to a transient failure. */
function isUnsupported(error: unknown): boolean {
  if (!(error instanceof RpcResponseError)) return false
  return (
    error.rpcCode === -32601 ||
    error.rpcCode === -32004 ||
    (/method/i.test(error.shortMessage) &&
      /not supported|does not exist|not available|not found|unsupported|not implemented/i.test(
        error.shortMessage,
      ))
  )
}

export function toHex(n: number): string {
  return `0x${n.toString(16)}`
}
