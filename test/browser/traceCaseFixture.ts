// A trace case in the report shape `heistguard trace` writes (src/trace/report.ts), plus the
// transfers of its evidence transactions, for the Trace page. Addresses from
// shared/data/bybit/bybit_eth_addresses.tsv; amounts and transaction hashes are made up.
const E18 = 10n ** 18n
const tx = (n: number) => `0x${n.toString(16).padStart(64, '0')}`

export const VICTIM = '0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4'
export const EXPLOITER = '0x47666Fab8bd0Ac7003bce3f5C3585383F09486E2'
export const SPLITTERS = [
  '0x36ed3C0213565530C35115d93A80F9c04d94E4Cb',
  '0xAF620E6d32B1c67f3396EF5d2F7d7642Dc2e6CE9',
  '0x3A21F4E6Bbe527D347ca7c157F4233c935779847',
  '0xfa3FcCCB897079fD83bfBA690E7D47Eb402d6c49',
]
export const THORCHAIN_ROUTER = '0xD37BbE5744D730a1d98d8DC97c42F0Ca46aD7146'

export function smallCase() {
  const transfers = [
    {
      from: VICTIM,
      to: EXPLOITER,
      tx: tx(1),
      token: 'ETH',
      amount: (401_346n * E18).toString(),
      heist: 'bybit',
    },
    ...SPLITTERS.map((s, i) => ({
      from: EXPLOITER,
      to: s,
      tx: tx(10 + i),
      token: 'ETH',
      amount: (10_000n * E18).toString(),
      heist: 'bybit',
    })),
    {
      from: SPLITTERS[3]!,
      to: THORCHAIN_ROUTER,
      tx: tx(20),
      token: 'ETH',
      amount: (4_000n * E18).toString(),
      heist: 'bybit',
    },
  ]
  return {
    policy: 'haircut',
    heists: ['bybit'],
    stolen: { bybit: { ETH: (401_346n * E18).toString() } },
    holders: SPLITTERS.slice(0, 3).map((address, i) => ({
      address,
      token: 'ETH',
      balance: (10_000n * E18).toString(),
      tainted: { bybit: ((10_000n - BigInt(i) * 3_000n) * E18).toString() },
      labels: [{ category: 'attacker', name: `Bybit splitter ${i + 1}` }],
      evidence: [tx(1), tx(10 + i)],
    })),
    exits: [
      {
        address: THORCHAIN_ROUTER,
        category: 'bridge',
        name: 'THORChain router',
        token: 'ETH',
        tainted: { bybit: (4_000n * E18).toString() },
        tx: tx(20),
        block: 21_900_000,
        from: SPLITTERS[3]!,
        memo: '=:BTC.BTC:bc1q…',
        evidence: [tx(1), tx(13), tx(20)],
      },
    ],
    freezable: [],
    cleanTopUps: { count: 0, amounts: {}, intoTainted: { count: 0, amounts: {} } },
    gasBurned: {},
    conservation: { checked: true, ok: true, maxRelativeError: 0 },
    transfersScanned: transfers.length,
    transfers,
  }
}

/** 10,000 holders fed by 50 splitters: the graph must aggregate to stay responsive. */
export function bigCase() {
  const holders = []
  const transfers = [
    { from: VICTIM, to: EXPLOITER, tx: tx(1), token: 'ETH', amount: '4e23', heist: 'bybit' },
  ]
  const splitter = (i: number) => `0x${(0xa0000 + i).toString(16).padStart(40, '0')}`
  for (let s = 0; s < 50; s++)
    transfers.push({
      from: EXPLOITER,
      to: splitter(s),
      tx: tx(100 + s),
      token: 'ETH',
      amount: '8e21',
      heist: s % 5 === 0 ? 'wazirx' : 'bybit',
    })
  for (let i = 0; i < 10_000; i++) {
    const address = `0x${(0x100000 + i).toString(16).padStart(40, '0')}`
    const heist = (i % 50) % 5 === 0 ? 'wazirx' : 'bybit'
    holders.push({
      address,
      token: 'ETH',
      balance: String((i % 97) + 1),
      tainted: { [heist]: String(((i * 7919) % 10_000) + 1) },
      labels: [],
      evidence: [tx(1), tx(100 + (i % 50)), tx(1000 + i)],
    })
    transfers.push({
      from: splitter(i % 50),
      to: address,
      tx: tx(1000 + i),
      token: 'ETH',
      amount: String(((i * 7919) % 10_000) + 1),
      heist,
    })
  }
  return {
    policy: 'haircut',
    heists: ['bybit', 'wazirx'],
    stolen: { bybit: { ETH: '4e23' }, wazirx: { ETH: '1e23' } },
    holders,
    exits: [],
    freezable: [],
    transfers,
  }
}
