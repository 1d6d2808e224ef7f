import { mkdirSync, writeFileSync } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'
import { InputError } from '../core/BaseError.js'
import { openTransferStore } from '../store/openTransferStore.js'
import type { TransferStore } from '../store/TransferStore.js'
import { readCaseFile } from '../trace/caseFile.js'
import { detectImportFiles } from '../trace/ingest/detectImportFiles.js'
import { loadLabels } from '../trace/loadLabels.js'
import { asPolicy, POLICIES } from '../trace/Policy.js'
import { reportToCsv, reportToHtml } from '../trace/reportFormats.js'
import { traceCase } from '../trace/traceCase.js'
import type { CliContext } from './context.js'
import { parseFlags } from './parseFlags.js'

const USAGE = `usage:
  heistguard trace import <files|dir>... [--db FILE] [--chain-id N]
  heistguard trace import --rpc URL --from-block N --to-block M [--db FILE] [--no-traces]
  heistguard trace run CASE.yaml [--db FILE] [--policy ${POLICIES.join('|')}] [--labels FILE]... [--json | --csv DIR | --html FILE]
  heistguard trace generate [--transfers N] [--heists K] [--seed S] [--no-parquet | --parquet-only] --out DIR

default --db: ./heistguard-transfers.duckdb (or $HEISTGUARD_TRANSFERS_URL); clickhouse://h1:port,h2:port/db?cluster=NAME for a cluster
`

/** `heistguard trace <import|run|generate>`. */
export async function run(ctx: CliContext): Promise<number> {
  const [sub, ...argv] = ctx.argv
  if (sub === undefined || sub === '--help' || sub === '-h') {
    ctx.stdout.write(USAGE)
    return sub === undefined ? 2 : 0
  }
  if (sub === 'import') return runImport(ctx, argv)
  if (sub === 'run') return runTrace(ctx, argv)
  if (sub === 'generate') return runGenerate(ctx, argv)
  throw new InputError(`unknown subcommand ${JSON.stringify(sub)} (import, run, generate)`, {
    code: 'USAGE',
    field: 'heistguard trace',
  })
}

const progress = (ctx: CliContext) => (line: string) => {
  ctx.stderr.write(`heistguard trace: ${line}\n`)
}

async function openStore(ctx: CliContext, db: string | undefined): Promise<TransferStore> {
  // A DuckDB file by default; `clickhouse://h1:port,h2:port/db?cluster=NAME` for a cluster.
  return openTransferStore(
    db ?? ctx.env.HEISTGUARD_TRANSFERS_URL ?? 'heistguard-transfers.duckdb',
    {
      cwd: ctx.cwd,
    },
  )
}

function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback
  if (!/^[0-9]{1,12}$/.test(value) || Number(value) <= 0)
    throw new InputError(`expected a positive integer, got ${JSON.stringify(value.slice(0, 20))}`, {
      code: 'USAGE',
      field: flag,
    })
  return Number(value)
}

async function runImport(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      db: { type: 'string' },
      'chain-id': { type: 'string' },
      rpc: { type: 'string' },
      'from-block': { type: 'string' },
      'to-block': { type: 'string' },
      'no-traces': { type: 'boolean' },
    },
    { positionals: 10_000, command: 'heistguard trace import' },
  )
  if (values.rpc !== undefined) {
    if (positionals.length > 0)
      throw new InputError('give either files or --rpc, not both', {
        code: 'USAGE',
        field: 'heistguard trace import',
      })
    const from = positiveInt(values['from-block'], '--from-block', Number.NaN)
    const to = positiveInt(values['to-block'], '--to-block', Number.NaN)
    if (!(to >= from))
      throw new InputError('--to-block must be at least --from-block', {
        code: 'USAGE',
        field: '--to-block',
      })
    const { createRpcIngestClient, ingestBlockRange } = await import('../trace/ingest/ingestRpc.js')
    const client = createRpcIngestClient(values.rpc)
    const store = await openStore(ctx, values.db)
    try {
      const result = await ingestBlockRange(client, store, {
        fromBlock: from,
        toBlock: to,
        traces: values['no-traces'] !== true,
        onProgress: progress(ctx),
      })
      ctx.stdout.write(`${JSON.stringify(result)}\n`)
    } finally {
      await store.close()
    }
    return 0
  }
  if (positionals.length === 0)
    throw new InputError('give files or directories to import (or --rpc)', {
      code: 'USAGE',
      field: 'heistguard trace import',
    })
  const files = detectImportFiles(positionals.map((p) => resolve(ctx.cwd, p)))
  const chainId = positiveInt(values['chain-id'], '--chain-id', 1)
  const store = await openTransferStore(
    values.db ?? ctx.env.HEISTGUARD_TRANSFERS_URL ?? 'heistguard-transfers.duckdb',
    { cwd: ctx.cwd, chainId },
  )
  try {
    const result = await store.importFiles(files, { onProgress: progress(ctx) })
    ctx.stdout.write(`${JSON.stringify(result)}\n`)
  } finally {
    await store.close()
  }
  return 0
}

async function runTrace(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      db: { type: 'string' },
      policy: { type: 'string' },
      labels: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      csv: { type: 'string' },
      html: { type: 'string' },
    },
    { positionals: 1, command: 'heistguard trace run' },
  )
  const casePath = positionals[0]
  if (!casePath)
    throw new InputError('give the case file (YAML)', {
      code: 'USAGE',
      field: 'heistguard trace run',
    })
  const outputs = [values.json, values.csv, values.html].filter(
    (v) => v !== undefined && v !== false,
  ).length
  if (outputs > 1)
    throw new InputError('choose one of --json, --csv DIR, --html FILE', {
      code: 'USAGE',
      field: 'heistguard trace run',
    })
  const kase = await readCaseFile(resolve(ctx.cwd, casePath))
  const policy = values.policy !== undefined ? asPolicy(values.policy) : (kase.policy ?? 'haircut')
  if (!policy)
    throw new InputError(
      `unknown policy ${JSON.stringify(values.policy)} (${POLICIES.join(', ')})`,
      { code: 'USAGE', field: '--policy' },
    )
  const caseDir = dirname(resolve(ctx.cwd, casePath))
  const labels = await loadLabels([
    ...kase.labels.map((p) => resolve(caseDir, p)),
    ...(values.labels ?? []).map((p) => resolve(ctx.cwd, p)),
  ])
  const store = await openStore(ctx, values.db)
  try {
    const { report, timings } = await traceCase(store, {
      policy,
      heists: kase.heists,
      labels,
      onProgress: progress(ctx),
    })
    ctx.stderr.write(
      `heistguard trace: ${timings.rows.toLocaleString('en')} transfers, scan ${Math.round(timings.scanMs)} ms, engine ${Math.round(timings.engineMs)} ms; conservation ${report.conservation.checked ? (report.conservation.ok ? 'ok' : 'VIOLATED') : 'n/a (poison)'}\n`,
    )
    const reportJson = JSON.stringify(report, null, 2)
    await store.saveTaintResults({
      runId: `${basename(casePath)}:${policy}`,
      policy,
      heists: report.heists,
      holdings: report.holders.flatMap((h) =>
        Object.entries(h.tainted).map(([heist, amount]) => ({
          address: h.address,
          token: h.token,
          heist,
          amount,
          balance: h.balance,
        })),
      ),
      report: reportJson,
    })
    if (values.json) ctx.stdout.write(`${reportJson}\n`)
    else if (values.csv !== undefined) {
      const dir = resolve(ctx.cwd, values.csv)
      mkdirSync(dir, { recursive: true })
      for (const [name, text] of Object.entries(reportToCsv(report)))
        writeFileSync(resolve(dir, name), text)
      ctx.stdout.write(`${dir}\n`)
    } else if (values.html !== undefined) {
      const file = resolve(ctx.cwd, values.html)
      writeFileSync(
        file,
        reportToHtml(report, { title: `Trace of ${report.heists.join(', ')} (${policy})` }),
      )
      ctx.stdout.write(`${file}\n`)
    } else {
      ctx.stdout.write(
        `policy ${policy}; heists ${report.heists.join(', ')}\n${report.holders.length} tainted holdings, ${report.exits.length} exits, ${report.freezable.length} freezable points\n`,
      )
      for (const f of report.freezable.slice(0, 20))
        ctx.stdout.write(
          f.kind === 'token'
            ? `freeze? ${f.issuer}: ${f.holder} holds ${JSON.stringify(f.tainted)} of ${f.token}\n`
            : `freeze? ${f.exchange}: deposit ${f.depositAddress} received ${JSON.stringify(f.tainted)} ${f.token} (tx ${f.tx})\n`,
        )
    }
  } finally {
    await store.close()
  }
  return 0
}

async function runGenerate(ctx: CliContext, argv: string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      transfers: { type: 'string' },
      heists: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      'no-parquet': { type: 'boolean' },
      'parquet-only': { type: 'boolean' },
    },
    { command: 'heistguard trace generate' },
  )
  if (!values.out)
    throw new InputError('give --out DIR', { code: 'USAGE', field: 'heistguard trace generate' })
  const { writeDataset } = await import('../trace/generate/writeDataset.js')
  const params = {
    transfers: positiveInt(values.transfers, '--transfers', 10_000),
    heists: positiveInt(values.heists, '--heists', 2),
    seed: positiveInt(values.seed, '--seed', 1),
  }
  const written = await writeDataset(params, resolve(ctx.cwd, values.out), {
    parquet: values['no-parquet'] !== true,
    csv: values['parquet-only'] !== true,
    onProgress: progress(ctx),
  })
  ctx.stdout.write(
    `${JSON.stringify({ dir: written.dir, transfers: written.transfers, transactions: written.transactions, case: written.caseFile, labels: written.labelsFile, groundTruth: written.groundTruthFile })}\n`,
  )
  return 0
}
