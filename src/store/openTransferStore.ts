import { resolve } from 'node:path'
import { InputError } from '../core/BaseError.js'
import { createClickHouseTransferStore } from './clickhouse/createClickHouseTransferStore.js'
import { createDuckDbTransferStore } from './duckdb/createDuckDbTransferStore.js'
import type { TransferStore } from './TransferStore.js'

/**
 * Opens the transfer store a deployment names, so that moving from the embedded default to a
 * cluster is a config change:
 * - `clickhouse://host:port[,host:port...]/database?cluster=NAME`: ClickHouse (HTTP ports, shards
 *   in the cluster's order);
 * - `duckdb:PATH`, `duckdb://PATH`, a plain file path or `:memory:`: a DuckDB file (relative
 *   paths resolve against `cwd`).
 *
 * @example
 * const store = await openTransferStore(process.env.HEISTGUARD_TRANSFERS_URL ?? 'heistguard-transfers.duckdb')
 */
export async function openTransferStore(
  url: string,
  options: { cwd?: string; chainId?: number } = {},
): Promise<TransferStore> {
  const chainId = options.chainId === undefined ? {} : { chainId: options.chainId }
  if (/^clickhouse:\/\//i.test(url)) return createClickHouseTransferStore(url, chainId)
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase()
  // One-letter schemes are Windows drive letters (C:\...), i.e. file paths.
  if (scheme && scheme !== 'duckdb' && scheme.length > 1)
    throw new InputError(
      `unsupported transfer store URL scheme ${scheme}: (use a file path, duckdb: or clickhouse://)`,
      { code: 'INVALID_STORE_URL', field: 'transfer store URL' },
    )
  const path = scheme === 'duckdb' ? url.replace(/^duckdb:(\/\/)?/i, '') : url
  if (path === '')
    throw new InputError('duckdb: needs a file path', {
      code: 'INVALID_STORE_URL',
      field: 'transfer store URL',
    })
  return createDuckDbTransferStore(
    path === ':memory:' ? path : resolve(options.cwd ?? process.cwd(), path),
    chainId,
  )
}
