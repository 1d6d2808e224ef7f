import { createPublicClient, decodeAbiParameters, type Hex, http, type PublicClient } from 'viem'
import { BaseError } from '../../core/BaseError.js'
import {
  THORCHAIN_DEPOSIT_TOPIC,
  WETH_DEPOSIT_TOPIC,
  WETH_WITHDRAWAL_TOPIC,
} from '../../store/duckdb/createDuckDbTransferStore.js'
import type {
  ImportResult,
  MemoRecord,
  TransactionRecord,
  TransferStore,
} from '../../store/TransferStore.js'
import type { TransferRecord } from '../TransferRecord.js'

/** ERC-20 `Transfer(address indexed from, address indexed to, uint256 value)`. */
export const ERC20_TRANSFER_TOPIC =
  '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef'

/** A viem public client; any EIP-1193 JSON-RPC node works (debug_* only for internal transfers). */
export type RpcIngestClient = Pick<PublicClient, 'request' | 'getChainId'>

/**
 * A viem client for ingest with a timeout on every call (30 s) and two retries.
 *
 * @example
 * const client = createRpcIngestClient('http://127.0.0.1:8545')
 */
export function createRpcIngestClient(
  url: string,
  options: { timeoutMs?: number } = {},
): RpcIngestClient {
  return createPublicClient({
    transport: http(url, { timeout: options.timeoutMs ?? 30_000, retryCount: 2 }),
  })
}

type RpcTx = {
  hash: Hex
  from: Hex
  to: Hex | null
  value: Hex
  transactionIndex: Hex
  gasPrice?: Hex
}
type RpcBlock = { number: Hex; transactions: RpcTx[] }
type RpcLog = { address: Hex; topics: Hex[]; data: Hex; logIndex: Hex; transactionHash: Hex }
type RpcReceipt = {
  transactionHash: Hex
  gasUsed: Hex
  effectiveGasPrice?: Hex
  status: Hex
  logs: RpcLog[]
  contractAddress: Hex | null
}
type CallFrame = {
  type: string
  from: Hex
  to?: Hex
  value?: Hex
  error?: string
  calls?: CallFrame[]
}

/**
 * Parses one block of JSON-RPC data into transfer store rows (pure): transactions with gas,
 * top-level ETH values of successful transactions, internal ETH transfers from callTracer frames
 * (numbered in pre-order, the top-level call being 0), ERC-20 `Transfer` logs, WETH
 * `Deposit`/`Withdrawal` as mints/burns of the WETH token, and THORChain router memos.
 *
 * @example
 * const rows = parseRpcBlock(chainId, block, receipts, traces)
 */
export function parseRpcBlock(
  chainId: number,
  block: RpcBlock,
  receipts: RpcReceipt[],
  traces: (CallFrame | undefined)[] | undefined,
): { transfers: TransferRecord[]; transactions: TransactionRecord[]; memos: MemoRecord[] } {
  const number = Number(block.number)
  const byHash = new Map(receipts.map((r) => [r.transactionHash.toLowerCase(), r]))
  const transfers: TransferRecord[] = []
  const transactions: TransactionRecord[] = []
  const memos: MemoRecord[] = []
  block.transactions.forEach((tx, i) => {
    const hash = tx.hash.toLowerCase()
    const r = byHash.get(hash)
    const txIndex = Number(tx.transactionIndex)
    const from = tx.from.toLowerCase()
    const to = (tx.to ?? r?.contractAddress ?? '').toLowerCase()
    const ok = r ? Number(r.status) === 1 : true
    const base = { chainId, block: number, txIndex, txHash: hash }
    transactions.push({
      chainId,
      hash,
      block: number,
      txIndex,
      from,
      to,
      value: BigInt(tx.value),
      ...(tx.gasPrice ? { gasPrice: BigInt(tx.gasPrice) } : {}),
      ...(r ? { gasUsed: BigInt(r.gasUsed), status: ok ? 1 : 0 } : {}),
      ...(r?.effectiveGasPrice ? { effectiveGasPrice: BigInt(r.effectiveGasPrice) } : {}),
    })
    if (!ok) return
    if (BigInt(tx.value) > 0n && to)
      transfers.push({
        ...base,
        kind: 'native',
        ordinal: 0,
        from,
        to,
        token: 'ETH',
        amount: BigInt(tx.value),
      })
    const frame = traces?.[i]
    if (frame) {
      let position = 0
      const walk = (f: CallFrame, top: boolean) => {
        const ordinal = position++
        if (f.error) return // a reverted frame moved nothing, nor did its children
        const type = f.type.toUpperCase()
        const value = f.value ? BigInt(f.value) : 0n
        if (
          !top &&
          value > 0n &&
          f.to &&
          (type === 'CALL' || type === 'CREATE' || type === 'CREATE2' || type === 'SELFDESTRUCT')
        )
          transfers.push({
            ...base,
            kind: 'native',
            ordinal,
            from: f.from.toLowerCase(),
            to: f.to.toLowerCase(),
            token: 'ETH',
            amount: value,
          })
        for (const c of f.calls ?? []) walk(c, false)
      }
      walk(frame, true)
    }
    for (const log of r?.logs ?? []) {
      const topic0 = log.topics[0]?.toLowerCase()
      const logIndex = Number(log.logIndex)
      const address = log.address.toLowerCase()
      const topicAddress = (k: number) => `0x${(log.topics[k] ?? '').slice(-40)}`.toLowerCase()
      try {
        if (topic0 === ERC20_TRANSFER_TOPIC && log.topics.length === 3 && log.data.length === 66)
          transfers.push({
            ...base,
            kind: 'log',
            ordinal: logIndex,
            from: topicAddress(1),
            to: topicAddress(2),
            token: address,
            amount: BigInt(log.data),
          })
        else if (
          (topic0 === WETH_DEPOSIT_TOPIC || topic0 === WETH_WITHDRAWAL_TOPIC) &&
          log.topics.length === 2 &&
          log.data.length === 66
        ) {
          const who = topicAddress(1)
          const [f, t] = topic0 === WETH_DEPOSIT_TOPIC ? [address, who] : [who, address]
          transfers.push({
            ...base,
            kind: 'log',
            ordinal: logIndex,
            from: f,
            to: t,
            token: address,
            amount: BigInt(log.data),
          })
        } else if (topic0 === THORCHAIN_DEPOSIT_TOPIC && log.topics.length === 3) {
          const [, memo] = decodeAbiParameters([{ type: 'uint256' }, { type: 'string' }], log.data)
          memos.push({ chainId, txHash: hash, logIndex, memo })
        }
      } catch {
        // Same signature, different layout: not an event we read.
      }
    }
  })
  return { transfers, transactions, memos }
}

type StructLog = { op: string; depth: number; stack?: string[] }

const word = (v: string | undefined): bigint =>
  v === undefined ? 0n : BigInt(v.startsWith('0x') ? v : `0x${v}`)
const wordAddress = (v: string | undefined): Hex =>
  `0x${word(v).toString(16).padStart(64, '0').slice(-40)}`

/**
 * Rebuilds a callTracer-shaped frame tree from the default (struct log) tracer, for nodes that
 * have no callTracer (hardhat/EDR). A call's success is the flag it leaves on the caller's stack;
 * a frame that failed is marked with `error` so that its value (and its children's) is dropped.
 * Value sent by SELFDESTRUCT is not visible in struct logs and is not recovered.
 *
 * @example
 * const frame = callFrameFromStructLogs({ from, to, value }, trace.structLogs)
 */
export function callFrameFromStructLogs(
  tx: { from: Hex; to: Hex | null; value: Hex },
  logs: StructLog[],
): CallFrame {
  const root: CallFrame = {
    type: 'CALL',
    from: tx.from,
    ...(tx.to ? { to: tx.to } : {}),
    value: tx.value,
    calls: [],
  }
  const frames: CallFrame[] = [root]
  const selves: Hex[] = [(tx.to ?? '0x0000000000000000000000000000000000000000') as Hex]
  let pending: { depth: number; frame: CallFrame; self: Hex } | null = null
  for (const log of logs) {
    const d = log.depth
    const stack = log.stack ?? []
    const top = stack[stack.length - 1]
    while (frames.length > d && frames.length > 1) {
      const closed = frames.pop()!
      selves.pop()
      if (word(top) === 0n) closed.error = 'reverted'
      else if (closed.type === 'CREATE' && !closed.to) closed.to = wordAddress(top)
    }
    if (pending) {
      if (d === pending.depth + 1) {
        frames.push(pending.frame)
        selves.push(pending.self)
      } else if (d === pending.depth && word(top) === 0n) pending.frame.error = 'reverted'
      pending = null
    }
    const parent = frames[frames.length - 1]!
    const self = selves[selves.length - 1]!
    const arg = (k: number) => stack[stack.length - 1 - k]
    const op = log.op
    let frame: CallFrame | undefined
    let callee: Hex = self
    if (op === 'CALL') {
      callee = wordAddress(arg(1))
      frame = {
        type: 'CALL',
        from: self,
        to: callee,
        value: `0x${word(arg(2)).toString(16)}`,
        calls: [],
      }
    } else if (op === 'CALLCODE' || op === 'DELEGATECALL') {
      frame = { type: op, from: self, to: wordAddress(arg(1)), calls: [] }
    } else if (op === 'STATICCALL') {
      callee = wordAddress(arg(1))
      frame = { type: op, from: self, to: callee, calls: [] }
    } else if (op === 'CREATE' || op === 'CREATE2') {
      frame = { type: 'CREATE', from: self, value: `0x${word(arg(0)).toString(16)}`, calls: [] }
    }
    if (frame) {
      parent.calls!.push(frame)
      pending = { depth: d, frame, self: callee }
    }
  }
  return root
}

/**
 * Ingests a block range over JSON-RPC into the store, one transactional import per block
 * (idempotent: re-ingesting a block adds nothing). Internal ETH transfers need
 * `debug_traceBlockByNumber` (callTracer) or, failing that, `debug_traceTransaction`; a node with
 * neither gives top-level values only, and a warning says so.
 *
 * @example
 * await ingestBlockRange(createRpcIngestClient(url), store, { fromBlock: 100, toBlock: 120 })
 */
export async function ingestBlockRange(
  client: RpcIngestClient,
  store: TransferStore,
  options: {
    fromBlock: number
    toBlock: number
    traces?: boolean
    onProgress?: (line: string) => void
  },
): Promise<ImportResult & { blocks: number; internalTraces: boolean }> {
  const chainId = await client.getChainId()
  const total: ImportResult = { transfers: 0, transactions: 0, receipts: 0, memos: 0 }
  let traceMode: 'block' | 'tx' | 'structlog' | 'none' = options.traces === false ? 'none' : 'block'
  const req = client.request as (args: { method: string; params: unknown[] }) => Promise<unknown>
  for (let n = options.fromBlock; n <= options.toBlock; n++) {
    const tag = `0x${n.toString(16)}`
    const block = (await req({
      method: 'eth_getBlockByNumber',
      params: [tag, true],
    })) as RpcBlock | null
    if (!block)
      throw new BaseError(`block ${n} not found on the node`, { code: 'RPC_BLOCK_MISSING' })
    let receipts: RpcReceipt[]
    try {
      receipts = (await req({ method: 'eth_getBlockReceipts', params: [tag] })) as RpcReceipt[]
    } catch {
      receipts = []
      for (const tx of block.transactions)
        receipts.push(
          (await req({ method: 'eth_getTransactionReceipt', params: [tx.hash] })) as RpcReceipt,
        )
    }
    let traces: (CallFrame | undefined)[] | undefined
    if (traceMode === 'block' && block.transactions.length > 0) {
      try {
        const result = (await req({
          method: 'debug_traceBlockByNumber',
          params: [tag, { tracer: 'callTracer' }],
        })) as { result?: CallFrame }[] | CallFrame[]
        traces = result.map((x) => ('result' in x && x.result ? x.result : (x as CallFrame)))
      } catch {
        traceMode = 'tx'
      }
    }
    if (traceMode === 'tx' && block.transactions.length > 0) {
      try {
        traces = []
        for (const tx of block.transactions)
          traces.push(
            (await req({
              method: 'debug_traceTransaction',
              params: [tx.hash, { tracer: 'callTracer' }],
            })) as CallFrame,
          )
      } catch {
        traceMode = 'structlog'
        traces = undefined
      }
    }
    if (traceMode === 'structlog' && block.transactions.length > 0) {
      try {
        traces = []
        for (const tx of block.transactions) {
          const t = (await req({
            method: 'debug_traceTransaction',
            params: [tx.hash, { disableStorage: true, disableMemory: true }],
          })) as { structLogs: StructLog[] }
          traces.push(callFrameFromStructLogs(tx, t.structLogs))
        }
      } catch {
        traceMode = 'none'
        traces = undefined
        options.onProgress?.(
          'the node has no debug_traceTransaction: internal ETH transfers are not ingested',
        )
      }
    }
    const rows = parseRpcBlock(chainId, block, receipts, traces)
    const r = await store.importRecords({ ...rows, source: `rpc block ${n}` })
    total.transfers += r.transfers
    total.transactions += r.transactions
    total.receipts += r.receipts
    total.memos += r.memos
    if ((n - options.fromBlock) % 100 === 99 || n === options.toBlock)
      options.onProgress?.(
        `rpc blocks ${options.fromBlock}..${n} of ${options.toBlock}: ${total.transfers} transfers`,
      )
  }
  return {
    ...total,
    blocks: options.toBlock - options.fromBlock + 1,
    internalTraces: traceMode !== 'none',
  }
}
