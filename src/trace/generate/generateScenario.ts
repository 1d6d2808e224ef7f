import type { TransferRecord } from '../TransferRecord.js'
import { createPrng, type Prng } from './prng.js'

/**
 * A synthetic laundering dataset, generated as a stream of transactions (pure: the caller
 * decides where records go). Background traffic never touches laundering wallets, so the ground
 * truth can be computed from the heist transactions alone at any scale; laundering reaches the
 * background world only through labelled places (pools, WETH, bridge, mixer, exchange hot
 * wallets) and through the launderers' own exchange deposit addresses.
 */
export type ScenarioParameters = {
  transfers: number
  heists: number
  seed: number
  chainId?: number
}

export type GeneratedTx = {
  hash: string
  block: number
  txIndex: number
  from: string
  to: string
  /** Top-level ETH value. */
  value: bigint
  gasUsed: bigint
  gasPrice: bigint
  records: TransferRecord[]
  /** THORChain-style memo of a bridge deposit, if any. */
  memo?: string
  /** True for laundering and theft transactions (the ones the reference needs). */
  heist: boolean
}

export type ScenarioLabel = { address: string; category: string; name: string }

export type ScenarioCase = { heists: { id: string; thefts?: string[]; sources?: string[] }[] }

export type Scenario = {
  labels: ScenarioLabel[]
  caseFile: ScenarioCase
  tokens: { symbol: string; address: string; freezable: boolean }[]
  /** `heistOnly` mode: the number of transaction slots (laundering and background together). */
  slots?: number
}

/**
 * `heistOnly`: emit only the laundering transactions and leave background traffic to the caller
 * (the bulk Parquet writer generates it in SQL). Every transaction then sits at a fixed slot:
 * hash counter `slot + 1`, block `BULK_FIRST_BLOCK + floor(slot / BULK_TX_PER_BLOCK)`, index
 * `slot % BULK_TX_PER_BLOCK`, so the caller can fill the free slots without coordination.
 */
export type ScenarioOptions = { heistOnly?: boolean }

export const BULK_FIRST_BLOCK = 20_000_000
export const BULK_TX_PER_BLOCK = 100
/** Average records (transfers plus the gas row) per background transaction (see backgroundTx). */
export const BULK_RECORDS_PER_TX = 2.1

export const TOKENS = {
  USDT: '0xdac17f958d2ee523a2206206994597c13d831ec7',
  USDC: '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48',
  DAI: '0x6b175474e89094c44da98b954eedeac495271d0f',
  WETH: '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2',
} as const

const ETH = 10n ** 18n

function address(role: number, i: number): string {
  return `0x${role.toString(16).padStart(2, '0')}${i.toString(16).padStart(38, '0')}`
}

/**
 * Generates a scenario, calling `emit` for every transaction in time order.
 *
 * @example
 * const scenario = generateScenario({ transfers: 1000, heists: 2, seed: 1 }, (tx) => txs.push(tx))
 */
export function generateScenario(
  params: ScenarioParameters,
  emit: (tx: GeneratedTx) => void,
  options: ScenarioOptions = {},
): Scenario {
  const heistOnly = options.heistOnly === true
  const rng = createPrng(params.seed)
  const chainId = params.chainId ?? 1
  const K = Math.max(1, params.heists)
  const pools = { USDT: address(0xd0, 1), DAI: address(0xd0, 2) }
  const bridge = address(0xb0, 1)
  const mixer = address(0xe0, 1)
  const exchanges = [
    { hot: address(0xc0, 1), name: 'Exchange One (sim)' },
    { hot: address(0xc0, 2), name: 'Exchange Two (sim)' },
  ]
  const labels: ScenarioLabel[] = [
    { address: pools.USDT, category: 'dex', name: 'ETH/USDT pool (sim)' },
    { address: pools.DAI, category: 'dex', name: 'ETH/DAI pool (sim)' },
    { address: TOKENS.WETH, category: 'dex', name: 'WETH' },
    { address: bridge, category: 'bridge', name: 'THORChain router (sim)' },
    { address: mixer, category: 'mixer', name: 'Mixer (sim)' },
    { address: TOKENS.USDT, category: 'freezable-token', name: 'Tether USD' },
    { address: TOKENS.USDC, category: 'freezable-token', name: 'USD Coin' },
    ...exchanges.map((e) => ({ address: e.hot, category: 'exchange', name: e.name })),
  ]
  const users = Math.max(50, Math.floor(params.transfers / 20))
  // Power-law degrees: user index = floor(users * u^3) puts most traffic on a few hubs.
  const user = () => address(0x10, Math.floor(users * rng.next() ** 3))
  const bgDeposit = () => address(0xde, rng.int(Math.max(10, Math.floor(users / 10))))

  // 1. Plan the laundering (causal order), as lists of transfers per transaction.
  type Plan = {
    from: string
    to: string
    value: bigint
    transfers: Omit<TransferRecord, 'chainId' | 'block' | 'txIndex' | 'txHash'>[]
    memo?: string
  }
  const plans: Plan[][] = []
  const caseFile: ScenarioCase = { heists: [] }
  let walletCounter = 0
  const wallet = () => address(0xaa, ++walletCounter)
  const heistPlans: Plan[][] = []
  const sharedBlend = K >= 2 ? wallet() : undefined
  const theftIndexes: number[] = []
  for (let h = 0; h < K; h++) {
    const plan: Plan[] = []
    const victim = address(0xf0, h + 1)
    const attacker = address(0xa0, h + 1)
    const relay = address(0xa1, h + 1)
    const funder = address(0xa2, h + 1)
    labels.push({ address: victim, category: 'victim', name: `victim ${h + 1}` })
    labels.push({ address: attacker, category: 'attacker', name: `attacker ${h + 1}` })
    const stolen = rng.bigint(1000n, 50000n) * ETH
    // Theft: victim -> attacker -> relay inside one transaction (both transfers are stolen funds;
    // the second must not count twice).
    plan.push({
      from: attacker,
      to: victim,
      value: 0n,
      transfers: [
        { kind: 'native', ordinal: 1, from: victim, to: attacker, token: 'ETH', amount: stolen },
        { kind: 'native', ordinal: 2, from: attacker, to: relay, token: 'ETH', amount: stolen },
      ],
    })
    const stolenUsdt = rng.int(2) === 0 ? rng.bigint(1_000_000n, 50_000_000n) * 10n ** 6n : 0n
    if (stolenUsdt > 0n)
      plan.push({
        from: attacker,
        to: TOKENS.USDT,
        value: 0n,
        transfers: [
          {
            kind: 'log',
            ordinal: 0,
            from: victim,
            to: attacker,
            token: TOKENS.USDT,
            amount: stolenUsdt,
          },
        ],
      })
    let remaining = stolen
    const splits = 3 + rng.int(6)
    const eth = (from: string, to: string, amount: bigint, memo?: string): Plan => ({
      from,
      to,
      value: amount,
      transfers: [{ kind: 'native', ordinal: 0, from, to, token: 'ETH', amount }],
      ...(memo ? { memo } : {}),
    })
    const token = (from: string, to: string, tok: string, amount: bigint): Plan => ({
      from,
      to: tok,
      value: 0n,
      transfers: [{ kind: 'log', ordinal: 0, from, to, token: tok, amount }],
    })
    for (let s = 0; s < splits; s++) {
      const w = wallet()
      const amount = (remaining * BigInt(1 + rng.int(40))) / 100n
      remaining -= amount
      plan.push(eth(relay, w, amount))
      // Clean gas money from the launderer's own funder blends into the wallet.
      plan.push(eth(funder, w, rng.bigint(1n, 100n) * 10n ** 16n))
      let held = amount
      const route = rng.int(7)
      if (route === 0) {
        // Peel chain: peel a little into an exchange deposit address at each hop.
        let cur = w
        for (let hop = 0; hop < 2 + rng.int(4); hop++) {
          const ex = rng.pick(exchanges)
          const dep = address(0xdd, h * 100 + s * 10 + hop)
          const peel = held / BigInt(5 + rng.int(10))
          plan.push(eth(cur, dep, peel))
          // The exchange sweeps the deposit address (and pays the gas for it).
          plan.push({
            from: ex.hot,
            to: dep,
            value: 0n,
            transfers: [
              { kind: 'native', ordinal: 1, from: dep, to: ex.hot, token: 'ETH', amount: peel },
            ],
          })
          const next = wallet()
          held -= peel
          const fwd = held - held / 50n
          plan.push(eth(cur, next, fwd))
          held = fwd
          cur = next
        }
      } else if (route === 1 || route === 2) {
        // Swap ETH -> USDT (or DAI) at a pool, then move part of it on.
        const sym = route === 1 ? 'USDT' : 'DAI'
        const pool = pools[sym]
        const x = held / 2n
        const y = sym === 'USDT' ? (x * 3000n * 10n ** 6n) / ETH : x * 3000n
        // Half the swaps name another wallet as the recipient (Uniswap's `to`).
        const recipient = rng.int(2) === 0 ? w : wallet()
        plan.push({
          from: w,
          to: pool,
          value: x,
          transfers: [
            { kind: 'native', ordinal: 0, from: w, to: pool, token: 'ETH', amount: x },
            { kind: 'log', ordinal: 3, from: pool, to: recipient, token: TOKENS[sym], amount: y },
          ],
        })
        const holder = wallet()
        plan.push(token(recipient, holder, TOKENS[sym], y / 2n))
        if (rng.int(2) === 0) {
          const dep = address(0xdd, h * 100 + s * 10 + 9)
          plan.push(token(holder, dep, TOKENS[sym], y / 4n))
        }
      } else if (route === 3) {
        const x = held - held / 10n
        plan.push(
          eth(w, bridge, x, `=:BTC.BTC:bc1q${(params.seed * 1000 + h * 10 + s).toString(36)}sim`),
        )
      } else if (route === 4) {
        plan.push(eth(w, mixer, held / 3n))
      } else if (route === 5) {
        // Wrap: ETH in, WETH back in the same transaction (Deposit read as a transfer).
        const x = held / 2n
        plan.push({
          from: w,
          to: TOKENS.WETH,
          value: x,
          transfers: [
            { kind: 'native', ordinal: 0, from: w, to: TOKENS.WETH, token: 'ETH', amount: x },
            { kind: 'log', ordinal: 0, from: TOKENS.WETH, to: w, token: TOKENS.WETH, amount: x },
          ],
        })
      } else if (sharedBlend) {
        // Blending: wallets of different heists pay into one shared wallet.
        plan.push(eth(w, sharedBlend, held / 2n))
      }
    }
    heistPlans.push(plan)
    caseFile.heists.push({ id: `heist-${h + 1}` })
    theftIndexes.push(0)
  }
  if (sharedBlend) {
    const out = wallet()
    const tail: Plan[] = [
      { from: sharedBlend, to: out, value: 0n, transfers: [] },
      { from: sharedBlend, to: bridge, value: 0n, transfers: [] },
    ]
    plans.push(tail)
  }

  // 2. Interleave laundering transactions with background traffic.
  const heistTxCount = heistPlans.reduce((n, p) => n + p.length, 0) + (sharedBlend ? 2 : 0)
  const estTransfersPerTx = 2.2
  const totalTx = Math.max(
    heistTxCount + 10,
    Math.ceil(params.transfers / (heistOnly ? BULK_RECORDS_PER_TX : estTransfersPerTx)),
  )
  let slot = 0
  const txPerBlock = 100
  let emitted = 0
  let txCounter = 0
  let block = 20_000_000
  let txIndex = 0
  const queues = heistPlans.map((p) => [...p])
  let blendHeld = 0n
  const blendTail = plans[0]
  const nextHash = () =>
    `0x${(++txCounter).toString(16).padStart(8, '0')}${params.seed.toString(16).padStart(8, '0').slice(-8)}${'5'.repeat(48)}`
  const gas = (r: Prng) => ({
    gasUsed: BigInt(21000 + r.int(180000)),
    gasPrice: BigInt(1 + r.int(50)) * 10n ** 9n,
  })
  const sendTx = (plan: Plan, heist: boolean) => {
    if (heistOnly) {
      txCounter = slot
      block = BULK_FIRST_BLOCK + Math.floor(slot / BULK_TX_PER_BLOCK)
      txIndex = slot % BULK_TX_PER_BLOCK
    }
    slot++
    const hash = nextHash()
    const g = gas(rng)
    const records: TransferRecord[] = plan.transfers.map((t) => ({
      ...t,
      chainId,
      block,
      txIndex,
      txHash: hash,
    }))
    records.push({
      kind: 'gas',
      ordinal: 0,
      from: plan.from,
      to: '',
      token: 'ETH',
      amount: g.gasUsed * g.gasPrice,
      chainId,
      block,
      txIndex,
      txHash: hash,
    })
    emitted += records.length
    emit({
      hash,
      block,
      txIndex,
      from: plan.from,
      to: plan.to,
      value: plan.value,
      ...g,
      records,
      ...(plan.memo ? { memo: plan.memo } : {}),
      heist,
    })
    txIndex++
    if (txIndex >= txPerBlock || rng.int(txPerBlock) === 0) {
      block++
      txIndex = 0
    }
    return hash
  }
  const heistEvery = Math.max(1, Math.floor(totalTx / (heistTxCount + 1)))
  let sinceHeist = 0
  const pending = () =>
    queues.some((q) => q.length > 0) || (blendTail !== undefined && blendTail.length > 0)
  while ((heistOnly ? slot < totalTx : emitted < params.transfers) || pending()) {
    if (pending() && sinceHeist >= heistEvery * rng.next() * 2) {
      sinceHeist = 0
      // Take the next step of a random heist still in flight; blending tail goes last.
      const live = queues.map((q, i) => (q.length > 0 ? i : -1)).filter((i) => i >= 0)
      if (live.length > 0) {
        const h = rng.pick(live)
        const plan = queues[h]!.shift()!
        const hash = sendTx(plan, true)
        if (theftIndexes[h] === 0) {
          theftIndexes[h] = 1
          const entry = caseFile.heists[h]!
          // Every third heist is given as an address@block source instead of a theft tx.
          if (h % 3 === 2) entry.sources = [`${address(0xa1, h + 1)}@${block + 1}`]
          else entry.thefts = [hash]
        }
        if (sharedBlend && plan.transfers.some((t) => t.to === sharedBlend))
          blendHeld += plan.transfers.find((t) => t.to === sharedBlend)!.amount
      } else if (blendTail && blendTail.length > 0) {
        const step = blendTail.shift()!
        const amount = step.to === bridge ? blendHeld : blendHeld / 3n
        if (amount > 0n) {
          blendHeld -= amount
          sendTx(
            {
              ...step,
              value: amount,
              transfers: [
                { kind: 'native', ordinal: 0, from: step.from, to: step.to, token: 'ETH', amount },
              ],
              ...(step.to === bridge ? { memo: '=:BTC.BTC:bc1qblendsim' } : {}),
            },
            true,
          )
        }
      }
      continue
    }
    sinceHeist++
    if (heistOnly) slot++
    else sendTx(backgroundTx(), false)
  }
  return {
    ...(heistOnly ? { slots: slot } : {}),
    labels,
    caseFile,
    tokens: [
      { symbol: 'USDT', address: TOKENS.USDT, freezable: true },
      { symbol: 'USDC', address: TOKENS.USDC, freezable: true },
      { symbol: 'DAI', address: TOKENS.DAI, freezable: false },
      { symbol: 'WETH', address: TOKENS.WETH, freezable: false },
    ],
  }

  function backgroundTx(): Plan {
    const r = rng.next()
    const from = user()
    if (r < 0.55) {
      let to = user()
      if (to === from) to = address(0x10, users + 1)
      const amount = rng.bigint(1n, 10000n) * 10n ** 15n
      return {
        from,
        to,
        value: amount,
        transfers: [{ kind: 'native', ordinal: 0, from, to, token: 'ETH', amount }],
      }
    }
    if (r < 0.7) {
      const tok = rng.pick([TOKENS.USDT, TOKENS.USDC, TOKENS.DAI])
      const to = user()
      const amount = rng.bigint(1n, 100000n) * 10n ** 6n
      return {
        from,
        to: tok,
        value: 0n,
        transfers: [{ kind: 'log', ordinal: 0, from, to, token: tok, amount }],
      }
    }
    if (r < 0.8) {
      const sym = rng.int(2) === 0 ? 'USDT' : 'DAI'
      const x = rng.bigint(1n, 1000n) * 10n ** 16n
      const y = sym === 'USDT' ? (x * 3000n * 10n ** 6n) / ETH : x * 3000n
      return {
        from,
        to: pools[sym],
        value: x,
        transfers: [
          { kind: 'native', ordinal: 0, from, to: pools[sym], token: 'ETH', amount: x },
          { kind: 'log', ordinal: 1, from: pools[sym], to: from, token: TOKENS[sym], amount: y },
        ],
      }
    }
    if (r < 0.9) {
      const dep = bgDeposit()
      const amount = rng.bigint(1n, 1000n) * 10n ** 16n
      return {
        from,
        to: dep,
        value: amount,
        transfers: [{ kind: 'native', ordinal: 0, from, to: dep, token: 'ETH', amount }],
      }
    }
    if (r < 0.95) {
      const ex = rng.pick(exchanges)
      const amount = rng.bigint(1n, 1000n) * 10n ** 16n
      return {
        from: ex.hot,
        to: from,
        value: amount,
        transfers: [{ kind: 'native', ordinal: 0, from: ex.hot, to: from, token: 'ETH', amount }],
      }
    }
    const to = rng.int(2) === 0 ? bridge : mixer
    const amount = rng.bigint(1n, 100n) * 10n ** 17n
    return {
      from,
      to,
      value: amount,
      transfers: [{ kind: 'native', ordinal: 0, from, to, token: 'ETH', amount }],
    }
  }
}
