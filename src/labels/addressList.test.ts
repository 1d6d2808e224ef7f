import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { parseAddressList, readAddressList, readAddressSet } from './addressList.js'

// The real lists live in shared/data beside the repo (never copied into it).
const sanctions = fileURLToPath(new URL('../../../shared/data/sanctions/', import.meta.url))

describe('readAddressList', () => {
  test('FBI PSA I-022625-PSA (TraderTraitor / Bybit): 51 plain addresses', async () => {
    const list = await readAddressList(`${sanctions}fbi_psa250226_tradertraitor_eth.txt`)
    expect(list.entries).toHaveLength(51)
    expect(list.entries[0]).toEqual({
      address: '0x51E9d833Ecae4E8D9D8Be17300AEE6D3398C135D',
      source: 'fbi_psa250226_tradertraitor_eth.txt',
      line: 1,
    })
    expect(list.byAddress.has('0xaf620e6d32b1c67f3396ef5d2f7d7642dc2e6ce9')).toBe(true)
  })

  test('OFAC SDN annotated TSV 2025-11-19: 77 ETH addresses with party and programs', async () => {
    const list = await readAddressList(`${sanctions}ofac_sdn_eth_2025-11-19_annotated.tsv`)
    expect(list.entries).toHaveLength(77)
    expect(list.entries[0]).toMatchObject({
      address: '0x098B716B8Aaf21512996dC57EB0615e2383E2f96',
      line: 2,
      name: 'Lazarus Group',
      programs: ['DPRK3'],
      fields: { sdn_uid: '27307', countries: 'Korea, North', dprk_program_or_north_korea: 'yes' },
    })
  })

  test('OFAC SDN annotated TSV 2025-03-04: 153 ETH addresses', async () => {
    const list = await readAddressList(`${sanctions}ofac_sdn_eth_2025-03-04_annotated.tsv`)
    expect(list.entries).toHaveLength(153)
  })

  test('OFAC "Lazarus Group" plain list: 8 addresses, all in the annotated TSV', async () => {
    const lazarus = await readAddressSet(`${sanctions}ofac_sdn_lazarus_group_2025-11-19.txt`)
    const tsv = await readAddressSet(`${sanctions}ofac_sdn_eth_2025-11-19_annotated.tsv`)
    expect(lazarus.size).toBe(8)
    for (const address of lazarus) expect(tsv.has(address)).toBe(true)
  })

  test('OFAC all-assets JSON: only the 77 ETH-shaped addresses are kept', async () => {
    const list = await readAddressList(
      `${sanctions}ofac_sdn_digital_addresses_all_assets_2025-11-19.json`,
    )
    const tsv = await readAddressSet(`${sanctions}ofac_sdn_eth_2025-11-19_annotated.tsv`)
    // ETH, USDT/USDC on Ethereum, ARB, BSC... share the 0x form; every ETH row is among them.
    for (const address of tsv) expect(list.byAddress.has(address)).toBe(true)
    expect(list.entries.every((entry) => /^0x[0-9a-fA-F]{40}$/.test(entry.address))).toBe(true)
  })

  test('none of the FBI Bybit addresses is on the OFAC list (shared/data/README.md)', async () => {
    const fbi = await readAddressSet(`${sanctions}fbi_psa250226_tradertraitor_eth.txt`)
    const ofac = await readAddressSet(`${sanctions}ofac_sdn_eth_2025-11-19_annotated.tsv`)
    expect([...fbi].filter((address) => ofac.has(address))).toEqual([])
  })

  test('a missing file is one InputError naming the path', async () => {
    await expect(readAddressList('/nonexistent/list.txt')).rejects.toThrow(
      '/nonexistent/list.txt: no such file',
    )
  })
})

describe('parseAddressList', () => {
  test('comments, blank lines, lowercase input, trailing names', () => {
    const list = parseAddressList(
      '# my list\n\n0x51e9d833ecae4e8d9d8be17300aee6d3398c135d  # tranche wallet\n',
      'mine.txt',
    )
    expect(list.entries).toEqual([
      {
        address: '0x51E9d833Ecae4E8D9D8Be17300AEE6D3398C135D',
        source: 'mine.txt',
        line: 3,
        name: 'tranche wallet',
      },
    ])
  })

  test('a wrong EIP-55 checksum names file:line', () => {
    expect(() =>
      parseAddressList('0x51E9d833Ecae4E8D9D8Be17300AEE6D3398C135d\n', 'bad.txt'),
    ).toThrow(
      'bad.txt:1: bad EIP-55 checksum in 0x51E9d833Ecae4E8D9D8Be17300AEE6D3398C135d (expected 0x51E9d833Ecae4E8D9D8Be17300AEE6D3398C135D)',
    )
  })

  test('a line that is not an address names file:line', () => {
    expect(() => parseAddressList('0x51E9\n', 'short.txt')).toThrow(
      'short.txt:1: not a 20-byte 0x address: "0x51E9"',
    )
  })
})
