import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { main } from '../src/cli/main.js'
import { parseAddressList } from '../src/labels/addressList.js'
import { createAddressTable, getAddressId, internAddress } from '../src/screen/AddressTable.js'
import { buildExposureIndex } from '../src/screen/buildExposureIndex.js'
import { exposureInputFromReport } from '../src/screen/exposureInputFromReport.js'
import { readExposureTable, writeExposureTable } from '../src/screen/exposureTable.js'
import { labelsFromAddressLists } from '../src/screen/labelsFromAddressLists.js'
import { screenAddress } from '../src/screen/screenAddress.js'
import { screenBatchLine } from '../src/screen/screenBatchLine.js'
import { updateExposure } from '../src/screen/updateExposure.js'

import {
  E18,
  EXPLOITER,
  FBI_LISTED,
  LST_SWAPPER,
  OFAC_LAZARUS,
  Q,
  REPORT,
  SPLITTER_A,
  SPLITTER_B,
  THORCHAIN_ROUTER,
  V,
  W,
  X,
  Y,
  Z,
} from './screenFixture.js'

const labels = labelsFromAddressLists([
  {
    list: parseAddressList(`${OFAC_LAZARUS}\n`, 'ofac_sdn_lazarus_group_2025-11-19.txt'),
    kind: 'sanctions',
  },
  {
    list: parseAddressList(`${FBI_LISTED}\n`, 'fbi_psa250226_tradertraitor_eth.txt'),
    kind: 'heist',
    heist: 'bybit',
  },
])

function fixtureIndex() {
  const input = exposureInputFromReport(REPORT, 'case.json')
  return buildExposureIndex({ ...input, labels })
}

describe('buildExposureIndex from a trace report', () => {
  test('a holder of stolen funds is severe, with the amount and share', () => {
    const r = screenAddress(fixtureIndex(), SPLITTER_A)
    expect(r.risk).toBe('severe')
    expect(r.indexed).toBe(true)
    expect(r.reasons).toEqual(['holds 10,000 ETH of bybit-tainted funds (100% of its balance)'])
    expect(r.direct).toEqual([
      {
        heist: 'bybit',
        token: 'native',
        holds: '10000000000000000000000',
        received: '10000000000000000000000',
        share: 1,
        role: 'holder',
      },
    ])
  })

  test('a partly tainted holder carries its share', () => {
    expect(screenAddress(fixtureIndex(), SPLITTER_B).direct[0]!.share).toBe(0.25)
  })

  test('evidence-path hops received stolen funds: high, with their hop count', () => {
    const r = screenAddress(fixtureIndex(), EXPLOITER)
    expect(r.risk).toBe('high')
    expect(r.direct).toEqual([
      {
        heist: 'bybit',
        token: 'native',
        holds: '0',
        received: (401_346n * E18).toString(),
        share: 0,
        hops: 1,
        role: 'hop',
      },
    ])
    expect(screenAddress(fixtureIndex(), LST_SWAPPER).direct[0]!.hops).toBe(2)
  })

  test('an exit received stolen funds but is not followed onwards', () => {
    const index = fixtureIndex()
    expect(screenAddress(index, THORCHAIN_ROUTER).reasons).toEqual([
      'received 5,000 ETH of bybit-tainted funds as an exit (a bridge, exchange or mixer took them in)',
    ])
    expect(screenAddress(index, Q).risk).toBe('none')
  })

  test('indirect exposure: haircut share per hop, up to --hops', () => {
    const index = fixtureIndex()
    // X got 100 from SPLITTER_B (25% tainted) and 300 clean: 0.25 * 100 / 400.
    expect(screenAddress(index, X).indirect).toEqual([
      { heist: 'bybit', hops: 1, share: 0.0625, via: SPLITTER_B.toLowerCase() },
    ])
    expect(screenAddress(index, X).risk).toBe('medium')
    expect(screenAddress(index, X).reasons).toEqual([
      `1 hop from bybit-tainted funds (via ${SPLITTER_B.toLowerCase()}): 6.25% of its inflow tainted`,
    ])
    expect(screenAddress(index, Z).indirect).toEqual([
      { heist: 'bybit', hops: 2, share: 0.0625, via: X },
    ])
    expect(screenAddress(index, W).indirect[0]!.hops).toBe(3)
    expect(screenAddress(index, V).indexed).toBe(false)
    expect(screenAddress(index, Y).risk).toBe('none')
  })

  test('hops: 1 stops after the first hop', () => {
    const index = buildExposureIndex({ ...exposureInputFromReport(REPORT, 'case.json'), hops: 1 })
    expect(screenAddress(index, X).indexed).toBe(true)
    expect(screenAddress(index, Z).indexed).toBe(false)
  })

  test('sanctions and heist attributions are severe; checksummed or lower case both match', () => {
    const index = fixtureIndex()
    expect(screenAddress(index, OFAC_LAZARUS.toLowerCase()).reasons).toEqual([
      'sanctioned: ofac_sdn_lazarus_group_2025-11-19.txt (ofac_sdn_lazarus_group_2025-11-19.txt)',
    ])
    expect(screenAddress(index, FBI_LISTED).risk).toBe('severe')
    expect(screenAddress(index, FBI_LISTED).reasons[0]).toBe(
      'attributed to the bybit heist: bybit attacker (fbi_psa250226_tradertraitor_eth.txt)',
    )
  })

  test('an unknown address is none and not indexed; a malformed one is an InputError', () => {
    expect(screenAddress(fixtureIndex(), `0x${'ab'.repeat(20)}`)).toMatchObject({
      risk: 'none',
      indexed: false,
      reasons: [],
    })
    expect(() => screenAddress(fixtureIndex(), '0x1234', 'address')).toThrowError(
      'address: not a 20-byte 0x address: "0x1234"',
    )
  })

  test('float amounts from the taint engine are kept as decimal text', () => {
    const index = buildExposureIndex(
      exposureInputFromReport(
        {
          heists: ['bybit'],
          holders: [{ address: X, token: 'native', balance: 10, tainted: { bybit: 2.5 } }],
          exits: [{ address: Y, heist: 'bybit', amount: 1e21 }],
        },
        'float.json',
      ),
    )
    expect(screenAddress(index, X).direct[0]).toMatchObject({ holds: '2.5', share: 0.25 })
    expect(screenAddress(index, Y).direct[0]).toMatchObject({
      received: '1000000000000000000000',
      role: 'exit',
    })
  })

  test('a report with a bad field names it', () => {
    expect(() =>
      exposureInputFromReport({ holders: [{ address: X, tainted: { bybit: '-1' } }] }, 'r.json'),
    ).toThrowError(/^r\.json: holders\.0\.tainted\.bybit: /)
  })
})

describe('the report shape heistguard trace writes (src/trace/report.ts)', () => {
  test('holders with labels and evidence tx lists, exits with their sender', async () => {
    const {
      smallCase,
      SPLITTERS,
      THORCHAIN_ROUTER: ROUTER,
    } = await import('./browser/traceCaseFixture.js')
    const index = buildExposureIndex(exposureInputFromReport(smallCase(), 'bybit-case.json'))
    const holder = screenAddress(index, SPLITTERS[0]!)
    expect(holder.risk).toBe('severe')
    expect(holder.labels).toEqual([
      {
        source: 'bybit-case.json',
        name: 'Bybit splitter 1',
        category: 'attacker',
        sanctioned: false,
      },
    ])
    expect(screenAddress(index, ROUTER).direct[0]).toMatchObject({
      role: 'exit',
      token: 'eth',
      received: '4000000000000000000000',
    })
    // The splitter that paid THORChain passed stolen funds on: received, not holding.
    expect(screenAddress(index, SPLITTERS[3]!)).toMatchObject({
      risk: 'high',
      reasons: ['received 4,000 ETH of bybit-tainted funds and passed them on'],
    })
  })
})

describe('updateExposure (live tripwire)', () => {
  test('a new address becomes severe and is found at once; amounts add up', () => {
    const index = fixtureIndex()
    const fresh = `0x${'77'.repeat(20)}`
    const d = {
      heist: 'bybit',
      token: 'native',
      holds: '5',
      received: '5',
      share: 1,
      role: 'tripwire' as const,
    }
    expect(updateExposure(index, { address: fresh, direct: [d] }).risk).toBe('severe')
    updateExposure(index, { address: fresh, direct: [d] })
    expect(screenAddress(index, fresh).direct).toEqual([{ ...d, holds: '10', received: '10' }])
    // The batch cache notices the replaced entry.
    expect(JSON.parse(screenBatchLine(index, fresh, 1)).direct[0].holds).toBe('10')
  })

  test('indirect exposure keeps the closest hop and the larger share', () => {
    const index = fixtureIndex()
    updateExposure(index, {
      address: X,
      indirect: [{ heist: 'bybit', hops: 2, share: 0.5, via: Y }],
    })
    expect(screenAddress(index, X).indirect).toEqual([
      { heist: 'bybit', hops: 1, share: 0.5, via: SPLITTER_B.toLowerCase() },
    ])
    expect(screenAddress(index, X).risk).toBe('high')
  })
})

describe('AddressTable', () => {
  const address = fc
    .uint8Array({ minLength: 20, maxLength: 20 })
    .map((b) => `0x${Buffer.from(b).toString('hex')}`)
  test('every inserted address is found with its id, others are not (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(address, { minLength: 0, maxLength: 300 }),
        address,
        (list, other) => {
          const table = createAddressTable(4) // small on purpose: forces several grows
          for (const [i, a] of list.entries())
            expect(internAddress(table, i % 2 ? a.toUpperCase().replace('0X', '0x') : a)).toBe(i)
          for (const [i, a] of list.entries()) expect(getAddressId(table, a)).toBe(i)
          if (!list.includes(other)) expect(getAddressId(table, other)).toBe(-1)
          expect(table.size).toBe(list.length)
        },
      ),
    )
  })

  test('malformed keys are never found', () => {
    const table = createAddressTable(1)
    for (const bad of [
      '',
      '0x',
      `0x${'g'.repeat(40)}`,
      `1x${'0'.repeat(40)}`,
      `0x${'0'.repeat(41)}`,
    ])
      expect(getAddressId(table, bad)).toBe(-1)
  })
})

describe('DuckDB exposure table', () => {
  test('round-trips every fact', async () => {
    const instance = await DuckDBInstance.create(':memory:')
    const connection = await instance.connect()
    try {
      const index = fixtureIndex()
      await writeExposureTable(connection, index, 'exposure')
      const back = await readExposureTable(connection, 'exposure')
      for (const a of [
        SPLITTER_A,
        SPLITTER_B,
        EXPLOITER,
        THORCHAIN_ROUTER,
        X,
        Z,
        W,
        OFAC_LAZARUS,
        FBI_LISTED,
      ])
        expect(screenAddress(back, a)).toEqual(screenAddress(index, a))
      expect(back.table.size).toBe(index.table.size)
    } finally {
      connection.closeSync()
      instance.closeSync()
    }
  })
})

describe('heistguard screen (CLI, in-process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hg-screen-'))
  writeFileSync(join(dir, 'case.json'), JSON.stringify(REPORT))
  writeFileSync(join(dir, 'lazarus.txt'), `${OFAC_LAZARUS}\n`)
  writeFileSync(
    join(dir, 'batch.txt'),
    [SPLITTER_A, 'oops', '', X, `0x${'ab'.repeat(20)}`].join('\n'),
  )

  async function cli(...argv: string[]) {
    let stdout = ''
    let stderr = ''
    const code = await main({
      argv: ['screen', ...argv],
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: {},
      cwd: dir,
      signal: new AbortController().signal,
    })
    return { code, stdout, stderr }
  }

  test('one address, text and --json, exit 4 for severe', async () => {
    const text = await cli(SPLITTER_A, '--index', 'case.json')
    expect(text).toEqual({
      code: 4,
      stdout: `${SPLITTER_A.toLowerCase()}: SEVERE\n  - holds 10,000 ETH of bybit-tainted funds (100% of its balance)\n`,
      stderr: '',
    })
    const json = await cli(X, '--index', 'case.json', '--json')
    expect(json.code).toBe(3)
    expect(JSON.parse(json.stdout)).toMatchObject({ address: X, risk: 'medium', indexed: true })
  })

  test('sanctions list flag', async () => {
    const r = await cli(OFAC_LAZARUS, '--index', 'case.json', '--sanctions', 'lazarus.txt')
    expect(r.code).toBe(4)
    expect(r.stdout).toContain('sanctioned')
  })

  test('batch: JSONL out, bad lines reported with their number, blank lines skipped', async () => {
    const r = await cli('--batch', 'batch.txt', '--index', 'case.json')
    expect(r.code).toBe(0)
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.map((l) => l.risk ?? l.error.code)).toEqual([
      'severe',
      'INVALID_ADDRESS',
      'medium',
      'none',
    ])
    expect(lines[1]).toEqual({
      line: 2,
      error: {
        code: 'INVALID_ADDRESS',
        message: 'not a 20-byte 0x address: "oops"',
        field: 'line 2',
      },
    })
  })

  test('bad input: one line, exit 2', async () => {
    expect(await cli('0x12', '--index', 'case.json')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'heistguard: screen: not a 20-byte 0x address: "0x12"\n',
    })
    expect((await cli(X)).stderr).toBe(
      'heistguard: --index: missing --index FILE (a trace report JSON)\n',
    )
    expect((await cli(X, '--index', 'nope.json')).stderr).toBe(
      `heistguard: ${dir}/nope.json: cannot read the index file (ENOENT)\n`,
    )
    expect((await cli(`0x${'ab'.repeat(32)}`, '--index', 'case.json')).stderr).toBe(
      'heistguard: --rpc: screening a transaction hash needs --rpc URL\n',
    )
  })
})
