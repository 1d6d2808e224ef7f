import { createAddressTable, internAddress, parseAddressWords } from './AddressTable.js'
import { assessRisk } from './assessRisk.js'
import type {
  DirectExposure,
  Exposure,
  ExposureIndex,
  HeistInfo,
  IndirectExposure,
  LabelHit,
} from './Exposure.js'

/** One transfer between two addresses, used only to follow exposure indirectly. */
export type ExposureTransfer = { from: string; to: string; token?: string; amount: bigint | string }

/** Everything an index is built from: trace results, labels, and (optionally) onward transfers. */
export type ExposureInput = {
  heists: HeistInfo[]
  direct: (DirectExposure & { address: string })[]
  labels?: (LabelHit & { address: string })[]
  /** Transfers out of directly exposed addresses (and onward), to find indirect exposure. */
  transfers?: ExposureTransfer[]
  /** How many hops indirect exposure is followed. Default 3. */
  hops?: number
  source: string
}

/**
 * Materialises the exposure index. Direct exposure comes straight from the trace (holders, exits,
 * hops on evidence paths); indirect exposure is followed through `transfers` for up to `hops`
 * hops with a haircut: a recipient's taint share is the sender's share times the sender's part of
 * everything the recipient received in that token. Exits (bridges, exchanges) are not followed:
 * their outflows are pooled with everyone else's and would taint half the chain.
 *
 * @example
 * const index = buildExposureIndex({ heists: [{ id: 'bybit', name: 'Bybit' }], direct: [], source: 'test' })
 */
export function buildExposureIndex(input: ExposureInput): ExposureIndex {
  const hops = input.hops ?? 3
  const direct = new Map<string, DirectExposure[]>()
  const labels = new Map<string, LabelHit[]>()
  const words = new Uint32Array(5)
  // Explicit copies rather than `{ address, ...rest }`: at a million entries the rest-spread
  // objects cost seconds of allocation and GC.
  for (const x of input.direct) {
    const key = normalise(x.address, words)
    if (!key) continue
    const d: DirectExposure = {
      heist: x.heist,
      token: x.token,
      holds: x.holds,
      received: x.received,
      share: x.share,
      role: x.role,
    }
    if (x.hops !== undefined) d.hops = x.hops
    push(direct, key, d)
  }
  for (const x of input.labels ?? []) {
    const key = normalise(x.address, words)
    if (!key) continue
    const l: LabelHit = {
      source: x.source,
      name: x.name,
      category: x.category,
      sanctioned: x.sanctioned,
    }
    if (x.heist !== undefined) l.heist = x.heist
    push(labels, key, l)
  }
  const indirect = followIndirect(direct, input.transfers ?? [], hops, words)

  const table = createAddressTable(direct.size + labels.size + indirect.size)
  const entries: Exposure[] = []
  const add = (address: string) => {
    const id = internAddress(table, address)
    if (entries[id] === undefined)
      entries[id] = makeExposure(
        address,
        direct.get(address) ?? [],
        indirect.get(address) ?? [],
        labels.get(address) ?? [],
      )
  }
  for (const address of direct.keys()) add(address)
  for (const address of labels.keys()) add(address)
  for (const address of indirect.keys()) add(address)
  return { table, entries, heists: input.heists, hops, source: input.source }
}

/** Builds one entry with its risk decided. Exported for `updateExposure`. */
export function makeExposure(
  address: string,
  direct: DirectExposure[],
  indirect: IndirectExposure[],
  labels: LabelHit[],
): Exposure {
  const { risk, reasons } = assessRisk(direct, indirect, labels)
  return { address, direct, indirect, labels, risk, reasons }
}

function followIndirect(
  direct: Map<string, DirectExposure[]>,
  transfers: ExposureTransfer[],
  hops: number,
  words: Uint32Array,
): Map<string, IndirectExposure[]> {
  const result = new Map<string, IndirectExposure[]>()
  if (transfers.length === 0 || hops < 1) return result
  const bySender = new Map<string, { to: string; token: string; amount: number }[]>()
  const inflow = new Map<string, number>()
  for (const t of transfers) {
    const from = normalise(t.from, words)
    const to = normalise(t.to, words)
    if (!from || !to || from === to) continue
    const token = (t.token ?? 'native').toLowerCase()
    const amount = Number(t.amount)
    if (!(amount > 0)) continue
    push(bySender, from, { to, token, amount })
    const k = `${to}|${token}`
    inflow.set(k, (inflow.get(k) ?? 0) + amount)
  }
  // Layer 0: directly exposed addresses that pass funds on (not exits), share 1 when unknown.
  let layer = new Map<string, Map<string, number>>()
  for (const [address, list] of direct) {
    for (const d of list) {
      if (d.role === 'exit') continue
      const shares = layer.get(address) ?? new Map<string, number>()
      shares.set(d.heist, Math.max(shares.get(d.heist) ?? 0, d.share > 0 ? d.share : 1))
      layer.set(address, shares)
    }
  }
  const reached = new Set<string>()
  for (let hop = 1; hop <= hops && layer.size > 0; hop++) {
    // recipient -> heist -> token -> { share, via, best contribution }
    const next = new Map<
      string,
      Map<string, Map<string, { share: number; via: string; best: number }>>
    >()
    for (const [sender, shares] of layer) {
      for (const t of bySender.get(sender) ?? []) {
        const total = inflow.get(`${t.to}|${t.token}`)!
        for (const [heist, share] of shares) {
          const contribution = (share * t.amount) / total
          const byHeist = next.get(t.to) ?? new Map()
          next.set(t.to, byHeist)
          const byToken = byHeist.get(heist) ?? new Map()
          byHeist.set(heist, byToken)
          const acc = byToken.get(t.token) ?? { share: 0, via: sender, best: 0 }
          acc.share += contribution
          if (contribution > acc.best) {
            acc.best = contribution
            acc.via = sender
          }
          byToken.set(t.token, acc)
        }
      }
    }
    const nextLayer = new Map<string, Map<string, number>>()
    for (const [address, byHeist] of next) {
      for (const [heist, byToken] of byHeist) {
        const key = `${address}|${heist}`
        if (reached.has(key) || direct.get(address)?.some((d) => d.heist === heist)) continue
        reached.add(key)
        let best = { share: 0, via: '' }
        for (const acc of byToken.values()) if (acc.share > best.share) best = acc
        const share = Math.min(1, best.share)
        push(result, address, { heist, hops: hop, share, via: best.via })
        const shares = nextLayer.get(address) ?? new Map<string, number>()
        shares.set(heist, share)
        nextLayer.set(address, shares)
      }
    }
    layer = nextLayer
  }
  return result
}

function normalise(address: string, words: Uint32Array): string | null {
  return parseAddressWords(address, words) ? address.toLowerCase() : null
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}
