import {
  type AbiEvent,
  decodeEventLog,
  erc20Abi,
  erc721Abi,
  getAddress,
  parseAbi,
  toEventSelector,
} from 'viem'
import type { Address, Hex } from '../core/hex.js'
import * as safeAbis from '../safe/abi.js'

/** One log of the simulated transaction, decoded when its signature is known. */
export type SimulatedEvent = {
  address: Address
  topics: Hex[]
  data: Hex
  /** e.g. 'Transfer', 'ExecutionSuccess'; null when no known ABI decodes the log. */
  name: string | null
  /** e.g. 'Transfer(address,address,uint256)'. */
  signature: string | null
  /** Decoded arguments by name (addresses checksummed, integers as bigint). */
  args: Record<string, unknown> | null
}

// Events Safe 1.0.0 emitted under names later releases dropped; not in src/safe/abi.ts.
const legacyExtras = parseAbi(['event ExecutionFailed(bytes32 txHash)'])

// WETH-style wrappers emit these; knowing them turns a wrap/unwrap into a readable event.
const wrapperEvents = parseAbi([
  'event Deposit(address indexed dst, uint256 wad)',
  'event Withdrawal(address indexed src, uint256 wad)',
])

/**
 * Every known event, by topic0. One topic can have several shapes (ERC-20 vs ERC-721 Transfer,
 * Safe events that gained `indexed` in 1.4.1); decoding tries each until one fits exactly.
 */
const EVENTS_BY_TOPIC: ReadonlyMap<Hex, readonly AbiEvent[]> = (() => {
  const items: { type: string }[] = [...erc20Abi, ...erc721Abi, ...legacyExtras, ...wrapperEvents]
  for (const abi of Object.values(safeAbis))
    if (Array.isArray(abi)) items.push(...(abi as readonly { type: string }[]))
  const all = items.filter(isEvent)
  const byTopic = new Map<Hex, AbiEvent[]>()
  const seen = new Set<string>()
  for (const event of all) {
    const shape = JSON.stringify(event.inputs.map((input) => [input.type, input.indexed ?? false]))
    const topic = toEventSelector(event)
    if (seen.has(`${topic}${shape}`)) continue
    seen.add(`${topic}${shape}`)
    const list = byTopic.get(topic) ?? []
    list.push(event)
    byTopic.set(topic, list)
  }
  return byTopic
})()

function isEvent(item: { type: string }): item is AbiEvent {
  return item.type === 'event'
}

/**
 * Decodes the logs of a simulated transaction with the ABIs heistguard knows: ERC-20, ERC-721,
 * WETH deposits, every Safe event of every release (src/safe/abi.ts). Unknown logs are kept raw.
 *
 * @example
 * decodeSimulatedEvent({ address: token, topics: [transferTopic, from, to], data: amount }).name
 * // 'Transfer'
 */
export function decodeSimulatedEvent(log: {
  address: Address
  topics: Hex[]
  data: Hex
}): SimulatedEvent {
  const address = getAddress(log.address)
  const raw = { address, topics: log.topics, data: log.data }
  const topic0 = log.topics[0]
  const candidates =
    topic0 === undefined ? undefined : EVENTS_BY_TOPIC.get(topic0.toLowerCase() as Hex)
  for (const event of candidates ?? []) {
    const indexed = event.inputs.filter((input) => input.indexed).length
    if (indexed !== log.topics.length - 1) continue
    try {
      const decoded = decodeEventLog({
        abi: [event],
        topics: log.topics as [Hex, ...Hex[]],
        data: log.data,
        strict: true,
      })
      const args = Array.isArray(decoded.args)
        ? Object.fromEntries(decoded.args.map((value, i) => [String(i), value]))
        : { ...(decoded.args as Record<string, unknown>) }
      return {
        ...raw,
        name: event.name,
        signature: `${event.name}(${event.inputs.map((input) => input.type).join(',')})`,
        args,
      }
    } catch {
      // try the next shape
    }
  }
  return { ...raw, name: null, signature: null, args: null }
}
