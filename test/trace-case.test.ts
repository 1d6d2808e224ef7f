import { describe, expect, test } from 'vitest'
import { parseLabelsCsv } from '../src/labels/labelsCsv.js'
import { parseTagPack } from '../src/labels/tagpack.js'
import { parseCaseFile } from '../src/trace/caseFile.js'

const BYBIT_THEFT = '0x46deef0f52e3a983b67abf4714448a41dd7ffd6d32d32da69d62081c68ad7882'

describe('parseCaseFile', () => {
  test('unquoted theft hashes, sources, policy', () => {
    const kase = parseCaseFile(
      `policy: fifo\nheists:\n  - id: bybit\n    thefts: [${BYBIT_THEFT}]\n  - id: other\n    sources: ["0x47666Fab8bd0Ac7003bce3f5C3585383F09486E2@21895251"]\n`,
      'case.yaml',
    )
    expect(kase).toEqual({
      policy: 'fifo',
      labels: [],
      heists: [
        { id: 'bybit', thefts: [BYBIT_THEFT], sources: [], where: 'case.yaml:3' },
        {
          id: 'other',
          thefts: [],
          sources: [{ address: '0x47666fab8bd0ac7003bce3f5c3585383f09486e2', block: 21895251 }],
          where: 'case.yaml:5',
        },
      ],
    })
  })
  test.each([
    [
      'heists:\n  - id: a\n    thefts: [0x1234]\n',
      'case.yaml:3: heists[0].thefts[0]: expected a 32-byte 0x transaction hash',
    ],
    [
      'heists:\n  - id: a\n',
      'case.yaml:2: heists[0]: a heist needs at least one theft transaction or source',
    ],
    [
      `heists:\n  - id: a\n    thefts: [${BYBIT_THEFT}]\n    colour: red\n`,
      'case.yaml:2: heists[0]: unknown key "colour"',
    ],
    [
      `heists:\n  - id: a\n    thefts: [${BYBIT_THEFT}]\n  - id: a\n    thefts: [${BYBIT_THEFT}]\n`,
      'case.yaml:4: heists[1].id: duplicate heist id "a"',
    ],
    ['policy: random\nheists: []\n', 'case.yaml:1: policy'],
    ['heists: [\n', 'case.yaml:'],
  ])('rejects %j', (text, message) => {
    expect(() => parseCaseFile(text, 'case.yaml')).toThrow(message)
  })
})

// Addresses: THORChain router and a Tornado Cash pool as listed in shared/data (bybit_eth_addresses.tsv,
// ofac_sdn_eth_2025-03-04_annotated.tsv).
describe('labels', () => {
  test('plain CSV', () => {
    expect(
      parseLabelsCsv(
        'address,category,name\n0xDAC17F958D2ee523a2206206994597C13D831ec7,freezable-token,"Tether USD"\n',
        'l.csv',
      ),
    ).toEqual([
      {
        address: '0xdac17f958d2ee523a2206206994597c13d831ec7',
        category: 'freezable-token',
        name: 'Tether USD',
        source: 'l.csv:2',
      },
    ])
    expect(() => parseLabelsCsv('address,category,name\n0x12,exchange,x\n', 'l.csv')).toThrow(
      'l.csv:2: not an address',
    )
    expect(() =>
      parseLabelsCsv(`address,category,name\n0x${'1'.repeat(40)},casino,x\n`, 'l.csv'),
    ).toThrow('l.csv:2: unknown category "casino"')
  })
  test('GraphSense TagPack: header defaults, category mapping, non-ETH tags skipped', () => {
    const text = `title: Bridges\ncreator: test\ncategory: defi_bridge\ncurrency: ETH\ntags:\n  - address: "0xD37BbE5744D730a1d98d8DC97c42F0Ca46aD7146"\n    label: THORChain Router\n  - address: bc1qxyz\n    currency: BTC\n    label: btc\n  - address: "0x12D66f87A04A9E220743712cE6d9bB1B5616B8Fc"\n    label: Tornado Cash 0.1 ETH\n    category: mixing_service\n`
    expect(parseTagPack(text, 'p.yaml')).toEqual([
      {
        address: '0xd37bbe5744d730a1d98d8dc97c42f0ca46ad7146',
        category: 'bridge',
        name: 'THORChain Router',
        source: 'p.yaml:6',
      },
      {
        address: '0x12d66f87a04a9e220743712ce6d9bb1b5616b8fc',
        category: 'mixer',
        name: 'Tornado Cash 0.1 ETH',
        source: 'p.yaml:11',
      },
    ])
    expect(() => parseTagPack('title: x\ntags:\n  - address: 0x12\n', 'p.yaml')).toThrow(
      'p.yaml:3: tags[0].address is not an Ethereum address',
    )
  })
})
