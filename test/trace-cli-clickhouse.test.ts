import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { main } from '../src/cli/main.js'
import { servicesEnv } from './services.js'

// Switching trace from the embedded DuckDB file to the two-shard ClickHouse cluster is a URL:
// the same CLI commands give the same report.
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

describe('heistguard trace --db clickhouse://', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hg-cli-ch-'))
  const database = `tracecli_${process.pid}_${Date.now().toString(36)}`
  let shards: string[] = []
  let chUrl = ''
  beforeAll(async () => {
    const env = await servicesEnv()
    shards = env.HEISTGUARD_TEST_CH_URLS.split(',')
    const hosts = shards.map((u) => u.replace(/^http:\/\//, ''))
    chUrl = `clickhouse://${hosts.join(',')}/${database}?cluster=${env.HEISTGUARD_TEST_CH_CLUSTER}`
  })
  afterAll(async () => {
    for (const shard of shards)
      await fetch(`${shard}/`, { method: 'POST', body: `DROP DATABASE IF EXISTS ${database}` })
  })

  test('import and run give the same report as DuckDB, and re-import adds nothing', async () => {
    const gen = await cli(
      [
        'trace',
        'generate',
        '--transfers',
        '1500',
        '--heists',
        '2',
        '--seed',
        '11',
        '--out',
        'data',
      ],
      dir,
    )
    expect(gen.code).toBe(0)
    const reports: unknown[] = []
    const counts: number[] = []
    for (const db of ['local.duckdb', chUrl]) {
      const imported = await cli(['trace', 'import', 'data', '--db', db], dir)
      expect(imported.code, imported.stderr).toBe(0)
      counts.push(JSON.parse(imported.stdout).transfers)
      const again = await cli(['trace', 'import', 'data', '--db', db], dir)
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
          '--db',
          db,
          '--labels',
          'data/labels.csv',
          '--policy',
          'haircut',
          '--json',
        ],
        dir,
      )
      expect(run.code, run.stderr).toBe(0)
      reports.push(JSON.parse(run.stdout))
    }
    type Holder = {
      address: string
      token: string
      balance: string
      tainted: Record<string, string>
    }
    type Exit = { tx: string; address: string; token: string; tainted: Record<string, string> }
    const [duck, clickhouse] = reports as {
      holders: Holder[]
      exits: Exit[]
      conservation: { ok: boolean }
    }[]
    expect(counts[0]).toBeGreaterThan(500)
    expect(counts[1]).toBe(counts[0])
    expect(clickhouse!.conservation.ok).toBe(true)
    // Float64 taint (see src/trace/taintEngine.ts): rows of equal sort key may come back in another
    // order from two shards, so amounts agree to ~1e-15 relative, not to the last bit.
    const close = (a: string | undefined, b: string | undefined, what: string) =>
      expect(Math.abs(Number(a ?? 0) - Number(b ?? 0)), what).toBeLessThanOrEqual(
        Math.max(Number(a ?? 0), Number(b ?? 0)) * 1e-9,
      )
    const byKey = (list: Holder[]) => new Map(list.map((h) => [`${h.address}|${h.token}`, h]))
    const duckHolders = byKey(duck!.holders)
    expect([...byKey(clickhouse!.holders).keys()].sort()).toEqual([...duckHolders.keys()].sort())
    for (const holder of clickhouse!.holders) {
      const other = duckHolders.get(`${holder.address}|${holder.token}`)!
      close(holder.balance, other.balance, `${holder.address} balance`)
      for (const heist of new Set([...Object.keys(holder.tainted), ...Object.keys(other.tainted)]))
        close(holder.tainted[heist], other.tainted[heist], `${holder.address} ${heist}`)
    }
    const exitKey = (e: Exit) => `${e.tx}|${e.address}|${e.token}`
    expect(clickhouse!.exits.map(exitKey).sort()).toEqual(duck!.exits.map(exitKey).sort())
  })
})
