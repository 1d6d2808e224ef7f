import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { encodeAbiParameters, keccak256, pad, toHex } from 'viem'
import { POLICIES } from '../Policy.js'
import type { TransferRecord } from '../TransferRecord.js'
import {
  type GeneratedTx,
  generateScenario,
  type Scenario,
  type ScenarioParameters,
} from './generateScenario.js'
import { computeGroundTruth } from './groundTruth.js'
import { binaryColumns, writeBulkParquet } from './writeBulkParquet.js'

const THORCHAIN_DEPOSIT_TOPIC = keccak256(toHex('Deposit(address,address,uint256,string)'))

/** What `heistguard trace generate` wrote. */
export type WrittenDataset = {
  dir: string
  transfers: number
  transactions: number
  files: string[]
  /** Paths of the case file, labels CSV and ground truth JSON. */
  caseFile: string
  labelsFile: string
  groundTruthFile: string
}

type Sink = { write: (line: string) => void; end: () => void }

/** Buffered synchronous file writer: the generator is a synchronous stream of transactions. */
function sink(path: string, header: string): Sink {
  const fd = openSync(path, 'w')
  let buffer: string[] = [`${header}\n`]
  let size = 0
  const flush = () => {
    if (buffer.length > 0) writeSync(fd, buffer.join(''))
    buffer = []
    size = 0
  }
  return {
    write: (line) => {
      buffer.push(line)
      size += line.length
      if (size > 1 << 20) flush()
    },
    end: () => {
      flush()
      closeSync(fd)
    },
  }
}

/**
 * Generates a dataset into `dir`: ethereum-etl CSV (`transactions.csv`, `receipts.csv`,
 * `token_transfers.csv`, `traces.csv`, `logs.csv` with THORChain memos), cryo Parquet
 * (`cryo/native_transfers.parquet`, `cryo/erc20_transfers.parquet`, `cryo/transactions.parquet`,
 * hashes and addresses binary, as cryo writes them by default), `case.yaml`, `labels.csv` and `ground-truth.json`
 * (every policy, from the exact reference implementation). Output is streamed, so memory stays
 * flat at any size; Parquet is converted from the CSV by DuckDB COPY.
 *
 * @example
 * await writeDataset({ transfers: 10_000, heists: 2, seed: 1 }, '/tmp/data', { onProgress: console.error })
 */
export async function writeDataset(
  params: ScenarioParameters,
  dir: string,
  options: {
    parquet?: boolean
    /** false: cryo Parquet only, background traffic generated in SQL (see writeBulkParquet). */
    csv?: boolean
    onProgress?: (line: string) => void
  } = {},
): Promise<WrittenDataset> {
  mkdirSync(dir, { recursive: true })
  if (options.csv === false) {
    const bulk = await writeBulkParquet(params, dir, {
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    })
    return {
      dir,
      transfers: bulk.transfers,
      transactions: bulk.transactions,
      files: bulk.files,
      ...writeCaseFiles(
        params,
        dir,
        bulk.scenario,
        bulk.heistTxs.flatMap((t) => t.records),
        bulk.transfers,
        bulk.transactions,
      ),
    }
  }
  const tx = sink(
    join(dir, 'transactions.csv'),
    'hash,nonce,block_hash,block_number,transaction_index,from_address,to_address,value,gas,gas_price,input,block_timestamp,max_fee_per_gas,max_priority_fee_per_gas,transaction_type',
  )
  const receipts = sink(
    join(dir, 'receipts.csv'),
    'transaction_hash,transaction_index,block_hash,block_number,cumulative_gas_used,gas_used,contract_address,root,status,effective_gas_price',
  )
  const tokens = sink(
    join(dir, 'token_transfers.csv'),
    'token_address,from_address,to_address,value,transaction_hash,log_index,block_number',
  )
  const traces = sink(
    join(dir, 'traces.csv'),
    'block_number,transaction_hash,transaction_index,from_address,to_address,value,input,output,trace_type,call_type,reward_type,gas,gas_used,subtraces,trace_address,error,status,trace_id',
  )
  const logs = sink(
    join(dir, 'logs.csv'),
    'log_index,transaction_hash,transaction_index,block_hash,block_number,address,data,topics',
  )
  const heistRecords: TransferRecord[] = []
  let transfers = 0
  let transactions = 0
  const blockHash = (b: number) => `0x${b.toString(16).padStart(64, '0')}`
  const writeTx = (t: GeneratedTx) => {
    transactions++
    transfers += t.records.length
    if (t.heist) heistRecords.push(...t.records)
    const bh = blockHash(t.block)
    tx.write(
      `${t.hash},0,${bh},${t.block},${t.txIndex},${t.from},${t.to},${t.value},${t.gasUsed},${t.gasPrice},0x,${1_700_000_000 + t.block * 12},,,0\n`,
    )
    receipts.write(
      `${t.hash},${t.txIndex},${bh},${t.block},${t.gasUsed},${t.gasUsed},,,1,${t.gasPrice}\n`,
    )
    traces.write(
      `${t.block},${t.hash},${t.txIndex},${t.from},${t.to},${t.value},0x,0x,call,call,,0,0,0,,,1,call_${t.hash}\n`,
    )
    let position = 1
    for (const r of t.records) {
      if (r.kind === 'log')
        tokens.write(`${r.token},${r.from},${r.to},${r.amount},${t.hash},${r.ordinal},${t.block}\n`)
      if (r.kind === 'native' && r.ordinal > 0) {
        // Traces are numbered by position in the transaction; pad with value-less calls.
        for (; position < r.ordinal; position++)
          traces.write(
            `${t.block},${t.hash},${t.txIndex},${t.to},${t.to},0,0x,0x,call,staticcall,,0,0,0,${position - 1},,1,call_${t.hash}_${position}\n`,
          )
        traces.write(
          `${t.block},${t.hash},${t.txIndex},${r.from},${r.to},${r.amount},0x,0x,call,call,,0,0,0,${position - 1},,1,call_${t.hash}_${position}\n`,
        )
        position++
      }
    }
    if (t.memo) {
      const data = encodeAbiParameters([{ type: 'uint256' }, { type: 'string' }], [t.value, t.memo])
      const topics = [
        THORCHAIN_DEPOSIT_TOPIC,
        pad(t.from as `0x${string}`),
        pad('0x0000000000000000000000000000000000000000'),
      ].join(',')
      logs.write(`900,${t.hash},${t.txIndex},${bh},${t.block},${t.to},${data},"${topics}"\n`)
    }
  }
  const scenario = generateScenario(params, (t) => {
    writeTx(t)
    if (transactions % 1_000_000 === 0) options.onProgress?.(`wrote ${transactions} transactions`)
  })
  for (const s of [tx, receipts, tokens, traces, logs]) s.end()
  const files = [
    'transactions.csv',
    'receipts.csv',
    'token_transfers.csv',
    'traces.csv',
    'logs.csv',
  ].map((f) => join(dir, f))
  if (options.parquet !== false) {
    mkdirSync(join(dir, 'cryo'), { recursive: true })
    await writeCryoParquet(dir, params.chainId ?? 1)
    files.push(
      ...['native_transfers', 'erc20_transfers', 'transactions'].map((f) =>
        join(dir, 'cryo', `${f}.parquet`),
      ),
    )
    options.onProgress?.('wrote cryo Parquet')
  }
  return {
    dir,
    transfers,
    transactions,
    files,
    ...writeCaseFiles(params, dir, scenario, heistRecords, transfers, transactions),
  }
}

/** Writes case.yaml, labels.csv and ground-truth.json (from the laundering records alone). */
function writeCaseFiles(
  params: ScenarioParameters,
  dir: string,
  scenario: Scenario,
  heistRecords: TransferRecord[],
  transfers: number,
  transactions: number,
): Pick<WrittenDataset, 'caseFile' | 'labelsFile' | 'groundTruthFile'> {
  const caseFile = join(dir, 'case.yaml')
  writeFileSync(
    caseFile,
    `# Generated by heistguard trace generate (seed ${params.seed})\nheists:\n${scenario.caseFile.heists
      .map(
        (h) =>
          `  - id: ${h.id}\n${h.thefts ? `    thefts: [${h.thefts.join(', ')}]\n` : ''}${h.sources ? `    sources: [${h.sources.map((s) => `"${s}"`).join(', ')}]\n` : ''}`,
      )
      .join('')}`,
  )
  const labelsFile = join(dir, 'labels.csv')
  writeFileSync(
    labelsFile,
    `address,category,name\n${scenario.labels.map((l) => `${l.address},${l.category},${l.name}`).join('\n')}\n`,
  )
  const groundTruthFile = join(dir, 'ground-truth.json')
  const truth = Object.fromEntries(
    POLICIES.map((p) => [p, computeGroundTruth(scenario, heistRecords, p)]),
  )
  writeFileSync(
    groundTruthFile,
    `${JSON.stringify({ source: 'heistguard trace generate: exact reference implementation (src/trace/reference), laundering transactions only', params, transfers, transactions, policies: truth }, null, 1)}\n`,
  )
  return { caseFile, labelsFile, groundTruthFile }
}

/**
 * Converts the CSV files into cryo-shaped Parquet with DuckDB COPY: hashes and addresses binary,
 * rows in block order, as cryo writes them by default.
 */
async function writeCryoParquet(dir: string, chainId: number): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:')
  const conn = await instance.connect()
  const csv = (name: string) => `read_csv('${join(dir, name)}', all_varchar = true, header = true)`
  const copy = (name: string, select: string) =>
    conn.run(
      `COPY (SELECT ${binaryColumns(name)} FROM (${select}) ORDER BY ALL) TO '${join(dir, 'cryo', `${name}.parquet`)}' (FORMAT parquet)`,
    )
  try {
    await copy(
      'native_transfers',
      `SELECT CAST(block_number AS UINTEGER) AS block_number, CAST(transaction_index AS UINTEGER) AS transaction_index, 0::UINTEGER AS transfer_index,
        hash AS transaction_hash, from_address, to_address, value AS value_string, CAST(value AS DOUBLE) AS value_f64, ${chainId}::UBIGINT AS chain_id
      FROM ${csv('transactions.csv')} WHERE value <> '0'
      UNION ALL
      SELECT CAST(block_number AS UINTEGER), CAST(transaction_index AS UINTEGER), CAST(split_part(trace_id, '_', 3) AS UINTEGER),
        transaction_hash, from_address, to_address, value, CAST(value AS DOUBLE), ${chainId}::UBIGINT
      FROM ${csv('traces.csv')} WHERE trace_address <> '' AND value <> '0'`,
    )
    await copy(
      'erc20_transfers',
      `SELECT CAST(t.block_number AS UINTEGER) AS block_number, CAST(x.transaction_index AS UINTEGER) AS transaction_index, CAST(t.log_index AS UINTEGER) AS log_index,
        t.transaction_hash, t.token_address AS erc20, t.from_address, t.to_address, t.value AS value_string, CAST(t.value AS DOUBLE) AS value_f64, ${chainId}::UBIGINT AS chain_id
      FROM ${csv('token_transfers.csv')} t JOIN ${csv('transactions.csv')} x ON x.hash = t.transaction_hash`,
    )
    await copy(
      'transactions',
      `SELECT CAST(block_number AS UINTEGER) AS block_number, CAST(transaction_index AS UINTEGER) AS transaction_index, hash AS transaction_hash,
        from_address, to_address, value AS value_string, CAST(gas AS UBIGINT) AS gas_used, CAST(gas_price AS UBIGINT) AS gas_price, true AS success, ${chainId}::UBIGINT AS chain_id
      FROM ${csv('transactions.csv')}`,
    )
  } finally {
    conn.closeSync()
    instance.closeSync()
  }
}
