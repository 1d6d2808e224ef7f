import { createLabelSet, type Label, type LabelSet } from '../../labels/LabelSet.js'
import type { Devnet } from '../startDevnet.js'
import { BYBIT } from './bybit.js'
import { type BybitGroundTruth, DEVNET_EXCHANGE_HOT_WALLET, THORCHAIN } from './launderBybit.js'

const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef'

/**
 * The labels an analyst would hold for the Bybit devnet laundering: the THORChain-style router
 * (bridge), the exchange hot wallet, the Uniswap V2 router, WETH, and the pairs the LSTs were
 * swapped in. The pairs are not named by the scenario: like an analyst, we read them off the
 * chain as the recipients of the LST Transfer logs in the swap transactions.
 *
 * @example
 * const labels = await bybitDevnetLabels(devnet, truth)
 */
export async function bybitDevnetLabels(
  devnet: Devnet,
  truth: BybitGroundTruth,
): Promise<LabelSet> {
  const label = (address: string, category: Label['category'], name: string): Label => ({
    address: address.toLowerCase(),
    category,
    name,
    source: 'bybit devnet scenario',
  })
  const labels = [
    label(THORCHAIN.router, 'bridge', 'THORChain router'),
    label(DEVNET_EXCHANGE_HOT_WALLET, 'exchange', 'devnet exchange'),
    label(truth.tokens.WETH, 'dex', 'WETH'),
  ]
  const router = truth.addresses['uniswapV2/router02']
  if (router) labels.push(label(router, 'dex', 'Uniswap V2 router'))
  const lsts = new Set(Object.values(BYBIT.tokens).map((a) => a.toLowerCase()))
  const pairs = new Set<string>()
  for (const transfer of truth.transfers.filter((x) => x.step === 'swap')) {
    const receipt = (await devnet.request('eth_getTransactionReceipt', [transfer.txHash])) as {
      logs: { address: string; topics: string[] }[]
    }
    for (const log of receipt.logs)
      if (
        lsts.has(log.address.toLowerCase()) &&
        log.topics[0] === TRANSFER_TOPIC &&
        log.topics.length === 3
      )
        pairs.add(`0x${log.topics[2]!.slice(-40)}`)
  }
  for (const pair of pairs) labels.push(label(pair, 'dex', 'Uniswap V2 pair'))
  return createLabelSet(labels)
}
