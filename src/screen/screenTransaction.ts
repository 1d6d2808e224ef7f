import { BaseError, InputError } from '../core/BaseError.js'
import { riskRank } from './assessRisk.js'
import type { ExposureIndex, RiskLevel, ScreenResult } from './Exposure.js'
import { screenAddress } from './screenAddress.js'

/** Any EIP-1193 style client: a viem client, a devnet provider wrapper, a fetch-based one. */
export type RpcClient = { request(args: { method: string; params?: unknown[] }): Promise<unknown> }

/** keccak256("Transfer(address,address,uint256)"): ERC-20 and ERC-721 Transfer events. */
const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef'

export type TransactionScreen = {
  tx: string
  risk: RiskLevel
  reasons: string[]
  /** Each counterparty of the deposit: who sent it and where token transfers came from. */
  parties: (ScreenResult & { role: 'sender' | 'recipient' | 'token-sender' | 'token-recipient' })[]
}

/**
 * Screens a deposit transaction: its sender, its recipient, and both sides of every token Transfer
 * it emitted. The transaction's risk is that of its riskiest party, with reasons prefixed by who.
 * Reads the transaction and receipt over JSON-RPC (client first, per the house style).
 *
 * @example
 * await screenTransaction(client, index, '0x46deef0f…') // { risk: 'severe', parties: [...] }
 */
export async function screenTransaction(
  client: RpcClient,
  index: ExposureIndex,
  hash: string,
): Promise<TransactionScreen> {
  if (!/^0x[0-9a-fA-F]{64}$/.test(hash))
    throw new InputError('not a 32-byte 0x transaction hash', {
      code: 'INVALID_TX_HASH',
      field: 'tx',
    })
  const tx = (await client.request({ method: 'eth_getTransactionByHash', params: [hash] })) as {
    from: string
    to: string | null
  } | null
  if (!tx)
    throw new BaseError(`transaction ${hash} not found on this chain`, {
      code: 'TX_NOT_FOUND',
      exitCode: 2,
      field: 'tx',
    })
  const receipt = (await client.request({
    method: 'eth_getTransactionReceipt',
    params: [hash],
  })) as {
    logs: { topics: string[] }[]
  } | null
  const parties: TransactionScreen['parties'] = []
  const seen = new Set<string>()
  const add = (address: string, role: TransactionScreen['parties'][number]['role']) => {
    const key = `${address.toLowerCase()}|${role}`
    if (seen.has(key)) return
    seen.add(key)
    parties.push({ ...screenAddress(index, address), role })
  }
  add(tx.from, 'sender')
  if (tx.to) add(tx.to, 'recipient')
  for (const log of receipt?.logs ?? []) {
    if (log.topics[0] !== TRANSFER_TOPIC || log.topics.length < 3) continue
    add(`0x${log.topics[1]!.slice(26)}`, 'token-sender')
    add(`0x${log.topics[2]!.slice(26)}`, 'token-recipient')
  }
  let risk: RiskLevel = 'none'
  const reasons: string[] = []
  for (const p of parties) {
    if (riskRank(p.risk) > riskRank(risk)) risk = p.risk
    for (const r of p.reasons) reasons.push(`${p.role} ${p.address}: ${r}`)
  }
  return { tx: hash.toLowerCase(), risk, reasons, parties }
}
