import { readdirSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import { InputError } from '../../core/BaseError.js'
import type { ImportFile } from '../../store/TransferStore.js'

const CSV: Record<string, ImportFile['dataset']> = {
  transactions: 'transactions',
  token_transfers: 'token_transfers',
  traces: 'traces',
  receipts: 'receipts',
  logs: 'logs',
}
const PARQUET: Record<string, ImportFile['dataset']> = {
  native_transfers: 'native_transfers',
  erc20_transfers: 'erc20_transfers',
  transactions: 'transactions',
}

/**
 * Turns paths (files or directories, searched one level deep and in a `cryo/` subdirectory)
 * into typed import files, by name: ethereum-etl `transactions*.csv`, `token_transfers*.csv`,
 * `traces*.csv`, `receipts*.csv`, `logs*.csv`; cryo `*native_transfers*.parquet`,
 * `*erc20_transfers*.parquet`, `*transactions*.parquet` (cryo names files
 * `ethereum__native_transfers__00000000_to_00000999.parquet`). Transactions come first so that
 * later files can be ordered against them.
 *
 * @example
 * detectImportFiles(['./export']) // [{ path: 'export/transactions.csv', format: 'ethereum-etl', dataset: 'transactions' }, …]
 */
export function detectImportFiles(paths: readonly string[]): ImportFile[] {
  const out: ImportFile[] = []
  const visit = (path: string, depth: number) => {
    let st: ReturnType<typeof statSync>
    try {
      st = statSync(path)
    } catch {
      throw new InputError('no such file or directory', { code: 'IMPORT_PATH', field: path })
    }
    if (st.isDirectory()) {
      if (depth > 1) return
      for (const name of readdirSync(path).sort()) visit(join(path, name), depth + 1)
      return
    }
    const file = classify(path)
    if (file) out.push(file)
    else if (depth === 0)
      throw new InputError('not an ethereum-etl CSV or cryo Parquet file name', {
        code: 'IMPORT_PATH',
        field: path,
      })
  }
  for (const p of paths) visit(p, 0)
  if (out.length === 0)
    throw new InputError('no ethereum-etl CSV or cryo Parquet files found', {
      code: 'IMPORT_PATH',
      field: paths.join(' '),
    })
  const rank = (f: ImportFile) =>
    f.dataset === 'transactions' ? 0 : f.dataset === 'receipts' ? 1 : 2
  return out.sort((a, b) => rank(a) - rank(b))
}

function classify(path: string): ImportFile | undefined {
  const name = basename(path).toLowerCase()
  if (name.endsWith('.csv')) {
    const stem = name.slice(0, -4)
    for (const [prefix, dataset] of Object.entries(CSV))
      if (stem === prefix || stem.startsWith(`${prefix}_`) || stem.startsWith(`${prefix}-`))
        return { path, format: 'ethereum-etl', dataset }
  }
  if (name.endsWith('.parquet'))
    for (const [key, dataset] of Object.entries(PARQUET))
      if (name.includes(key)) return { path, format: 'cryo', dataset }
  return undefined
}
