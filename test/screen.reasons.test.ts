import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { assessRisk } from '../src/screen/assessRisk.js'
import { buildExposureIndex } from '../src/screen/buildExposureIndex.js'
import { exposureInputFromReport } from '../src/screen/exposureInputFromReport.js'
import { formatTokenAmount, KNOWN_TOKENS } from '../src/screen/formatTokenAmount.js'
import { screenAddress } from '../src/screen/screenAddress.js'
import { REPORT, SPLITTER_A, SPLITTER_B, THORCHAIN_ROUTER, X } from './screenFixture.js'

// Amounts in screening reasons are for people (token units with the symbol); the JSON fields keep
// the exact base-unit strings for machines.

const USDT = '0xdac17f958d2ee523a2206206994597c13d831ec7'
const STETH = '0xae7ab96520DE3A18E5e111B5EaAb095312D7fE84'

describe('formatTokenAmount', () => {
  // Bybit sweep amounts from shared/data/bybit/bybit_eth_addresses.tsv (401,346.7688 ETH and
  // 90,375.5479 stETH to 0x4766…), and plain unit conversions.
  const vectors: [string, string, string][] = [
    ['401346768800000000000000', 'ETH', '401,346.7688 ETH'],
    ['90375547900000000000000', STETH, '90,375.5479 stETH'],
    ['1234500000000000000000', 'native', '1,234.5 ETH'],
    ['10000000000000000000000', 'eth', '10,000 ETH'],
    ['1000000000000000000', 'native', '1 ETH'],
    ['123456789012345678', 'native', '0.123457 ETH'],
    ['1999999999999999999999', 'native', '2,000 ETH'],
    ['2500000', USDT, '2.5 USDT'],
    ['600000.6', USDT, '0.600001 USDT'],
    ['2500049.9', USDT, '2.5 USDT'],
    ['2500050', USDT, '2.5001 USDT'],
    ['1000000000000', USDT, '1,000,000 USDT'],
    ['7', 'native', '7 wei'],
    ['0', 'native', '0 wei'],
    ['1234.56', 'native', '1,234.56 wei'],
    ['3', USDT, '0.000003 USDT'],
    [
      '1234567',
      '0x1111111111111111111111111111111111111111',
      '1,234,567 base units of token 0x1111111111111111111111111111111111111111',
    ],
  ]
  for (const [amount, token, text] of vectors)
    test(`${amount} ${token} -> ${text}`, () => {
      expect(formatTokenAmount(amount, token)).toBe(text)
    })

  test('property: the text reads back within half a display step of the exact amount', () => {
    const tokens = Object.keys(KNOWN_TOKENS)
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 30n }),
        fc.constantFrom(...tokens),
        (amount, token) => {
          const { symbol, decimals } = KNOWN_TOKENS[token]!
          const text = formatTokenAmount(amount.toString(), token)
          if (text.endsWith(' wei') || text.includes('base units')) {
            // Too small to show in units: shown exactly.
            expect(BigInt(text.split(' ')[0]!.replaceAll(',', ''))).toBe(amount)
            expect(amount * 10n ** 6n < 10n ** BigInt(decimals) / 2n).toBe(true)
            return
          }
          expect(text.endsWith(` ${symbol}`)).toBe(true)
          const shown = text.slice(0, -symbol.length - 1).replaceAll(',', '')
          const [w, f = ''] = shown.split('.')
          // Compare in base units, scaled by 10^6 so that every display step is an integer.
          const unit = 10n ** BigInt(decimals)
          const shownScaled = (BigInt(w!) * 10n ** 6n + BigInt(f.padEnd(6, '0'))) * unit
          const exactScaled = amount * 10n ** 6n
          const step = amount >= unit ? 100n : 1n // 4 decimals above one unit, 6 below
          const diff = shownScaled - exactScaled
          const tolerance = step * unit // one display step (covers two roundings)
          expect(diff <= tolerance && diff >= -tolerance).toBe(true)
        },
      ),
      { numRuns: 500 },
    )
  })
})

describe('reasons read like a person wrote them', () => {
  const index = buildExposureIndex(exposureInputFromReport(REPORT, 'case.json'))

  test('holders, exits and indirect exposure, in token units; JSON keeps base units', () => {
    const holder = screenAddress(index, SPLITTER_A)
    expect(holder.reasons).toEqual([
      'holds 10,000 ETH of bybit-tainted funds (100% of its balance)',
    ])
    expect(holder.direct[0]).toMatchObject({ holds: '10000000000000000000000', token: 'native' })
    expect(screenAddress(index, SPLITTER_B).reasons).toEqual([
      'holds 1,000 ETH of bybit-tainted funds (25% of its balance)',
    ])
    expect(screenAddress(index, THORCHAIN_ROUTER).reasons).toEqual([
      'received 5,000 ETH of bybit-tainted funds as an exit (a bridge, exchange or mixer took them in)',
    ])
    expect(screenAddress(index, X).reasons).toEqual([
      `1 hop from bybit-tainted funds (via ${SPLITTER_B.toLowerCase()}): 6.25% of its inflow tainted`,
    ])
  })

  test('hops, tripwire hits and tokens of unknown decimals', () => {
    const at = (role: 'hop' | 'tripwire', token: string, received: string, hops?: number) =>
      assessRisk(
        [
          {
            heist: 'bybit',
            token,
            holds: '0',
            received,
            share: 0,
            role,
            ...(hops === undefined ? {} : { hops }),
          },
        ],
        [],
        [],
      ).reasons
    expect(at('hop', 'ETH', '98048000000000000000000', 2)).toEqual([
      'received 98,048 ETH of bybit-tainted funds and passed them on, 2 hops from the theft',
    ])
    expect(at('hop', USDT, '1500000000')).toEqual([
      'received 1,500 USDT of bybit-tainted funds and passed them on',
    ])
    expect(at('tripwire', 'native', '1000000000000000000')).toEqual([
      'received 1 ETH of bybit-tainted funds, seen live by the tripwire',
    ])
    expect(
      assessRisk(
        [
          {
            heist: 'bybit',
            token: 'eth',
            holds: '50000000000000000000',
            received: '50000000000000000000',
            share: 1,
            role: 'tripwire',
          },
        ],
        [],
        [],
      ).reasons,
    ).toEqual([
      'holds 50 ETH of bybit-tainted funds (100% of its balance), seen live by the tripwire',
    ])
    expect(at('hop', '0x2222222222222222222222222222222222222222', '5')).toEqual([
      'received 5 base units of token 0x2222222222222222222222222222222222222222 of bybit-tainted funds and passed them on',
    ])
  })

  test('no reason shows raw wei or the word "token native"', () => {
    for (const a of [SPLITTER_A, SPLITTER_B, THORCHAIN_ROUTER, X])
      for (const r of screenAddress(index, a).reasons) {
        expect(r).not.toMatch(/[0-9]{10,}/)
        expect(r).not.toContain('token native')
        expect(r).not.toContain('token eth')
      }
  })
})
