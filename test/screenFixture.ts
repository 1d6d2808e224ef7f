/** The trace report fixture screening, server and browser tests share. */
// Addresses from shared/data/bybit/bybit_eth_addresses.tsv (public Bybit-theft facts); the amounts
// and the onward transfers are made up for the test, in the documented trace report shape.
export const VICTIM = '0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4'
export const EXPLOITER = '0x47666Fab8bd0Ac7003bce3f5C3585383F09486E2'
export const LST_SWAPPER = '0xdD90071D52F20e85c89802e5Dc1eC0A7B6475f92'
export const SPLITTER_A = '0x36ed3C0213565530C35115d93A80F9c04d94E4Cb'
export const SPLITTER_B = '0xAF620E6d32B1c67f3396EF5d2F7d7642Dc2e6CE9'
export const THORCHAIN_ROUTER = '0xD37BbE5744D730a1d98d8DC97c42F0Ca46aD7146'
// From shared/data/sanctions: first line of the FBI PSA list, first line of OFAC "Lazarus Group".
export const FBI_LISTED = '0x51E9d833Ecae4E8D9D8Be17300AEE6D3398C135D'
export const OFAC_LAZARUS = '0x098B716B8Aaf21512996dC57EB0615e2383E2f96'
// Fresh addresses for the indirect hops.
export const X = `0x${'11'.repeat(20)}`
export const Y = `0x${'22'.repeat(20)}`
export const Z = `0x${'33'.repeat(20)}`
export const W = `0x${'44'.repeat(20)}`
export const V = `0x${'55'.repeat(20)}`
export const Q = `0x${'66'.repeat(20)}`
export const E18 = 10n ** 18n

export const REPORT = {
  policy: 'haircut',
  heists: [{ id: 'bybit', name: 'Bybit 2025-02-21' }],
  holders: [
    {
      address: SPLITTER_A,
      token: 'native',
      balance: (10_000n * E18).toString(),
      tainted: { bybit: (10_000n * E18).toString() },
    },
    {
      address: SPLITTER_B,
      token: 'native',
      balance: (4_000n * E18).toString(),
      tainted: { bybit: (1_000n * E18).toString() },
    },
  ],
  exits: [
    {
      address: THORCHAIN_ROUTER,
      token: 'native',
      kind: 'bridge',
      tainted: { bybit: (5_000n * E18).toString() },
    },
  ],
  freezable: [],
  evidence: [
    {
      heist: 'bybit',
      holder: SPLITTER_A,
      path: [
        {
          from: VICTIM,
          to: EXPLOITER,
          token: 'native',
          amount: (401_346n * E18).toString(),
          tx: `0x${'aa'.repeat(32)}`,
        },
        {
          from: EXPLOITER,
          to: LST_SWAPPER,
          token: 'native',
          amount: (98_048n * E18).toString(),
          tx: `0x${'bb'.repeat(32)}`,
        },
        {
          from: LST_SWAPPER,
          to: SPLITTER_A,
          token: 'native',
          amount: (10_000n * E18).toString(),
          tx: `0x${'cc'.repeat(32)}`,
        },
      ],
    },
  ],
  transfers: [
    { from: SPLITTER_B, to: X, amount: '100' },
    { from: Y, to: X, amount: '300' },
    { from: X, to: Z, amount: '50' },
    { from: Z, to: W, amount: '10' },
    { from: W, to: V, amount: '10' },
    { from: THORCHAIN_ROUTER, to: Q, amount: '1000' },
  ],
}
