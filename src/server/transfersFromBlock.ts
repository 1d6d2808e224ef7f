import type { BlockData } from '../chain/followTypes.js'
import type { TransferRecord } from '../trace/TransferRecord.js'

/** keccak256("Transfer(address,address,uint256)"). */
const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef'

/**
 * The value movements of one block the watcher followed, as transfer rows for the taint tracker:
 * gas fees, ETH sent by successful transactions and by their internal calls (when the node gave a
 * call trace), and ERC-20 `Transfer` logs. Same rows as trace's JSON-RPC ingest (parseRpcBlock)
 * gives for these kinds; WETH Deposit/Withdrawal and bridge memos are not read here.
 *
 * @example
 * tripwire.applyBlock(transfersFromBlock(block))
 */
export function transfersFromBlock(block: BlockData): TransferRecord[] {
  const receipts = new Map(block.receipts.map((r) => [r.transactionHash.toLowerCase(), r]))
  const calls = new Map<string, BlockData['internalCalls'] & object>()
  for (const c of block.internalCalls ?? []) {
    const key = c.txHash.toLowerCase()
    const list = calls.get(key)
    if (list) list.push(c)
    else calls.set(key, [c])
  }
  const out: TransferRecord[] = []
  for (const tx of block.transactions) {
    const hash = tx.hash.toLowerCase()
    const receipt = receipts.get(hash)
    const base = { chainId: block.chainId, block: block.number, txIndex: tx.index, txHash: hash }
    const from = tx.from.toLowerCase()
    if (receipt) {
      const fee = receipt.gasUsed * receipt.effectiveGasPrice
      if (fee > 0n)
        out.push({ ...base, kind: 'gas', ordinal: 0, from, to: '', token: 'ETH', amount: fee })
      if (receipt.status !== 'success') continue
    }
    if (tx.value > 0n && tx.to)
      out.push({
        ...base,
        kind: 'native',
        ordinal: 0,
        from,
        to: tx.to.toLowerCase(),
        token: 'ETH',
        amount: tx.value,
      })
    for (const [i, c] of (calls.get(hash) ?? []).entries())
      if (c.value > 0n && c.to)
        out.push({
          ...base,
          kind: 'native',
          ordinal: i + 1,
          from: c.from.toLowerCase(),
          to: c.to.toLowerCase(),
          token: 'ETH',
          amount: c.value,
        })
    for (const log of receipt?.logs ?? []) {
      if (log.topics[0]?.toLowerCase() !== TRANSFER_TOPIC || log.topics.length !== 3) continue
      if (log.data.length !== 66) continue // ERC-721 puts the id in a topic: not an amount
      out.push({
        ...base,
        kind: 'log',
        ordinal: log.logIndex,
        from: `0x${log.topics[1]!.slice(-40)}`.toLowerCase(),
        to: `0x${log.topics[2]!.slice(-40)}`.toLowerCase(),
        token: log.address.toLowerCase(),
        amount: BigInt(log.data),
      })
    }
  }
  return out
}
