import type { TraceDictionary, TransferColumns } from '../trace/TransferColumns.js'
import type { TransferRecord } from '../trace/TransferRecord.js'

/**
 * The transfer store: where ingested value movements live and where taint results are kept.
 *
 * A store is a plain object of async functions (no classes), implemented by a backend:
 * `src/store/duckdb/createDuckDbTransferStore.ts` (embedded file, the default) now, a ClickHouse
 * backend later. Every backend must pass the same tests and guarantee:
 *
 * - **Schema by the program**: `migrate()` creates or upgrades tables and records each applied
 *   version in a `schema_migrations` table; nobody creates tables by hand.
 * - **Transactional imports**: one call to `importRecords` or `importFiles` either applies every
 *   row or none (a bad row raises an InputError naming `file:line` and leaves the store as it
 *   was).
 * - **Idempotent imports**: the dedupe key of a transfer is (chain id, tx hash, kind, ordinal):
 *   `native` ordinal 0 is a transaction's own value, 1.. its internal calls in trace order,
 *   `log` ordinal is the log index, `gas` is derived from a transaction and its receipt.
 *   Transactions and receipts are keyed by (chain id, tx hash). Importing the same data twice
 *   changes nothing.
 * - **Time order**: `scanTransfers` yields rows ordered by (block, tx index, kind rank
 *   (gas, native, log), ordinal), with the rows of one transaction contiguous, as typed-array
 *   chunks ready for the taint engine. Failed transactions (receipt status 0) contribute their
 *   gas fee only.
 */
export type TransferStore = {
  /** Backend name, for messages. */
  readonly backend: 'duckdb' | 'clickhouse'
  /** Where the data lives (file path, or URL without credentials). */
  readonly location: string
  /** Creates or upgrades the schema; safe to call on every start. */
  migrate: () => Promise<void>
  /** Imports already-parsed rows (JSON-RPC ingest, live tracker) in one transaction. */
  importRecords: (batch: ImportBatch) => Promise<ImportResult>
  /**
   * Imports bulk files (ethereum-etl CSV, cryo Parquet) in one transaction, validating every row;
   * the backend reads them natively. `onProgress` receives one line per step for stderr.
   */
  importFiles: (
    files: readonly ImportFile[],
    options?: { onProgress?: (line: string) => void },
  ) => Promise<ImportResult>
  /**
   * Time-ordered scan into typed arrays, `chunkRows` rows at a time (default 1,048,576). With
   * `lazyTxHashes`, a backend that can resolve ids later may leave `dictionary.txHashes` empty
   * and return `txIdsOf`/`txHashesOf` instead (100M transactions are gigabytes as JS strings);
   * with `lazyAddresses` likewise `dictionary.addresses`, returning `addressCount`,
   * `addressIdsOf` and `addressesOf` (millions of addresses cost seconds as strings and a Map).
   */
  scanTransfers: (options?: {
    chunkRows?: number
    lazyTxHashes?: boolean
    lazyAddresses?: boolean
  }) => Promise<TransferScan>
  /** Transactions by hash (lowercase 0x); unknown hashes are simply absent from the result. */
  findTransactions: (hashes: readonly string[]) => Promise<TransactionRecord[]>
  /** Memos of bridge deposits (THORChain-style) by transaction hash. */
  findMemos: (hashes: readonly string[]) => Promise<Map<string, string>>
  counts: () => Promise<StoreCounts>
  /** Stores the holdings of one taint run (replacing a run with the same id). */
  saveTaintResults: (run: TaintRunRecord) => Promise<void>
  readTaintResults: (runId: string) => Promise<TaintRunRecord | undefined>
  close: () => Promise<void>
}

/** A transaction as the store keeps it (receipt fields filled once a receipt was imported). */
export type TransactionRecord = {
  chainId: number
  hash: string
  block: number
  txIndex: number
  from: string
  /** '' for contract creation. */
  to: string
  value: bigint
  gasPrice?: bigint
  gasUsed?: bigint
  effectiveGasPrice?: bigint
  /** 1 success, 0 failed. */
  status?: number
}

/** A memo carried by a bridge event (e.g. THORChain router `Deposit(…, string memo)`). */
export type MemoRecord = { chainId: number; txHash: string; logIndex: number; memo: string }

export type ImportBatch = {
  transfers: readonly TransferRecord[]
  transactions: readonly TransactionRecord[]
  memos?: readonly MemoRecord[]
  /** Names the source in progress lines and errors (e.g. `rpc blocks 100-199`). */
  source?: string
}

/** One bulk file and what it holds. */
export type ImportFile = {
  path: string
  format: 'ethereum-etl' | 'cryo'
  dataset:
    | 'transactions'
    | 'token_transfers'
    | 'traces'
    | 'receipts'
    | 'logs'
    | 'native_transfers'
    | 'erc20_transfers'
}

/** Rows added by an import (0 everywhere when the data was already there). */
export type ImportResult = {
  transfers: number
  transactions: number
  receipts: number
  memos: number
}

export type StoreCounts = {
  transfers: number
  transactions: number
  receipts: number
  taintRuns: number
  minBlock: number | null
  maxBlock: number | null
}

/** A scan: the dictionary of every id the chunks use, then the chunks in time order. */
export type TransferScan = {
  dictionary: TraceDictionary
  rows: number
  chunks: AsyncIterable<TransferColumns>
  /**
   * Present when `dictionary.txHashes` was left empty (`lazyTxHashes`): ids of the given hashes
   * (lowercase 0x; unknown hashes absent from the map) ...
   */
  txIdsOf?: (hashes: readonly string[]) => Promise<Map<string, number>>
  /** ... and hashes of the given ids, for the rows a report shows. */
  txHashesOf?: (ids: readonly number[]) => Promise<Map<number, string>>
  /** Present when `dictionary.addresses` was left empty (`lazyAddresses`): how many ids exist, ... */
  addressCount?: number
  /** ... ids of the given addresses (lowercase 0x; unknown ones absent) ... */
  addressIdsOf?: (addresses: readonly string[]) => Promise<Map<string, number>>
  /** ... and addresses of the given ids. */
  addressesOf?: (ids: readonly number[]) => Promise<Map<number, string>>
}

/** Holdings of one taint run, amounts as decimal strings in base units. */
export type TaintRunRecord = {
  runId: string
  policy: string
  heists: string[]
  holdings: { address: string; token: string; heist: string; amount: string; balance: string }[]
  /** The full report JSON, for re-rendering without re-running. */
  report?: string
}
