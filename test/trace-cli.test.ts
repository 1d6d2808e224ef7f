import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { main } from '../src/cli/main.js'

async function cli(argv: string[], cwd: string) {
  let stdout = ''
  let stderr = ''
  const code = await main({
    argv,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    cwd,
    signal: new AbortController().signal,
  })
  return { code, stdout, stderr }
}

describe('heistguard trace (end to end, in-process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hg-cli-'))
  test('generate, import twice, run every output form; amounts match ground truth', async () => {
    const gen = await cli(
      ['trace', 'generate', '--transfers', '2000', '--heists', '2', '--seed', '5', '--out', 'data'],
      dir,
    )
    expect(gen.code).toBe(0)
    const written = JSON.parse(gen.stdout)
    expect(written.transfers).toBeGreaterThanOrEqual(2000)
    const imp = await cli(
      [
        'trace',
        'import',
        'data/transactions.csv',
        'data/receipts.csv',
        'data/token_transfers.csv',
        'data/traces.csv',
        'data/logs.csv',
      ],
      dir,
    )
    expect(imp.code).toBe(0)
    expect(imp.stderr).toMatch(
      /heistguard trace: read .*transactions\.csv \(ethereum-etl transactions\): \d+ rows/,
    )
    const again = await cli(['trace', 'import', 'data'], dir)
    expect(again.code).toBe(0)
    // cryo Parquet of the same data dedupes on (chain, tx, kind, ordinal) too.
    expect(JSON.parse(again.stdout)).toEqual({
      transfers: 0,
      transactions: 0,
      receipts: 0,
      memos: 0,
    })

    const run = await cli(
      [
        'trace',
        'run',
        'data/case.yaml',
        '--labels',
        'data/labels.csv',
        '--policy',
        'haircut',
        '--json',
      ],
      dir,
    )
    expect(run.stderr).toMatch(/conservation ok/)
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout)
    expect(Object.keys(report).sort()).toEqual(
      [
        'cleanTopUps',
        'conservation',
        'exits',
        'freezable',
        'gasBurned',
        'heists',
        'holders',
        'policy',
        'stolen',
        'transfersScanned',
      ].sort(),
    )
    expect(report.policy).toBe('haircut')
    expect(report.heists).toEqual(['heist-1', 'heist-2'])
    const truth = JSON.parse(readFileSync(join(dir, 'data/ground-truth.json'), 'utf8')).policies
      .haircut
    const scale = Math.max(
      ...Object.values(truth.holders as Record<string, Record<string, string>>).flatMap((h) =>
        Object.values(h).map(Number),
      ),
    )
    for (const [key, byHeist] of Object.entries(
      truth.holders as Record<string, Record<string, string>>,
    )) {
      const [address, token] = key.split('|')
      const holder = report.holders.find(
        (h: { address: string; token: string }) => h.address === address && h.token === token,
      )
      for (const [heist, amount] of Object.entries(byHeist)) {
        if (Number(amount) < 1) continue
        expect(
          Math.abs(Number(holder?.tainted[heist] ?? 0) - Number(amount)),
          `${key} ${heist}`,
        ).toBeLessThanOrEqual(scale * 1e-9)
      }
    }
    for (const h of report.holders) {
      expect(h.evidence.length).toBeGreaterThan(0)
      expect(h.evidence[0]).toMatch(/^0x[0-9a-f]{64}$/)
    }
    // Bridge exits carry the THORChain memo from logs.csv.
    const bridgeExits = report.exits.filter((e: { category: string }) => e.category === 'bridge')
    for (const e of bridgeExits) expect(e.memo).toMatch(/^=:BTC\.BTC:bc1q/)
    expect(
      report.freezable.every((f: { kind: string }) => f.kind === 'token' || f.kind === 'exchange'),
    ).toBe(true)

    const csv = await cli(
      ['trace', 'run', 'data/case.yaml', '--labels', 'data/labels.csv', '--csv', 'out-csv'],
      dir,
    )
    expect(csv.code).toBe(0)
    expect(readFileSync(join(dir, 'out-csv/holders.csv'), 'utf8').split('\n')[0]).toBe(
      'address,token,balance,heist,tainted,labels,evidence',
    )
    const html = await cli(
      ['trace', 'run', 'data/case.yaml', '--labels', 'data/labels.csv', '--html', 'case.html'],
      dir,
    )
    expect(html.code).toBe(0)
    const page = readFileSync(join(dir, 'case.html'), 'utf8')
    expect(page).toMatch(/^<!doctype html>/)
    expect(page).not.toMatch(/<script|<link|src=|https?:\/\//)
  })

  test('bad input: one line, exit 2, store unchanged', async () => {
    const theft = `0x${'9'.repeat(64)}`
    writeFileSync(join(dir, 'missing.yaml'), `heists:\n  - id: ghost\n    thefts: [${theft}]\n`)
    const missing = await cli(['trace', 'run', 'missing.yaml'], dir)
    expect(missing).toMatchObject({ code: 2, stdout: '' })
    expect(missing.stderr).toBe(
      `heistguard: ${join(dir, 'missing.yaml')}:2: heists[0].thefts[0]: theft transaction ${theft} is not in the transfer store (import it first)\n`,
    )

    const empty = await cli(['trace', 'run', 'missing.yaml', '--db', 'empty.duckdb'], dir)
    expect(empty.code).toBe(2)
    expect(empty.stderr).toBe(
      'heistguard: store: the transfer store is empty: import transfers first (heistguard trace import)\n',
    )

    writeFileSync(
      join(dir, 'token_transfers.csv'),
      'token_address,from_address,to_address,value,transaction_hash,log_index,block_number\n0xdac17f958d2ee523a2206206994597c13d831ec7,0xnothex,0x1111111111111111111111111111111111111111,1,0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,0,1\n',
    )
    const bad = await cli(['trace', 'import', 'token_transfers.csv'], dir)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(
      /^heistguard: .*token_transfers\.csv:2: from_address is not an address\n$/,
    )

    const policy = await cli(['trace', 'run', 'data/case.yaml', '--policy', 'random'], dir)
    expect(policy).toMatchObject({
      code: 2,
      stderr: 'heistguard: --policy: unknown policy "random" (poison, haircut, fifo, lifo, tiho)\n',
    })
  })
})
