import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import {
  BULK_FIRST_BLOCK,
  BULK_TX_PER_BLOCK,
  type GeneratedTx,
  generateScenario,
  type Scenario,
  type ScenarioParameters,
  TOKENS,
} from './generateScenario.js'

/** What {@link writeBulkParquet} wrote. */
export type BulkParquetResult = {
  scenario: Scenario
  /** Laundering transactions (the only ones the ground truth needs). */
  heistTxs: GeneratedTx[]
  /** Records the engine will see: native and ERC-20 transfers plus one gas row per transaction. */
  transfers: number
  transactions: number
  files: string[]
}

const sqlString = (value: string) => `'${value.replace(/'/g, "''")}'`

/**
 * Writes a generated dataset as cryo Parquet only (`cryo/native_transfers.parquet`,
 * `cryo/erc20_transfers.parquet`, `cryo/transactions.parquet`), for sizes where the CSV path is
 * too slow (100 million transfers). The laundering transactions come from the same scenario code
 * as {@link writeDataset} (`heistOnly` mode, so the ground truth is computed the same way); the
 * background traffic is generated inside DuckDB from a per-slot hash, with the same mix and
 * power-law degrees as `backgroundTx` but a different random stream, so it streams to Parquet
 * in parallel without ever living in JavaScript.
 *
 * @example
 * const { transfers } = await writeBulkParquet({ transfers: 100_000_000, heists: 2, seed: 1 }, '/data/100m')
 */
export async function writeBulkParquet(
  params: ScenarioParameters,
  dir: string,
  options: { onProgress?: (line: string) => void; memoryLimit?: string } = {},
): Promise<BulkParquetResult> {
  const heistTxs: GeneratedTx[] = []
  const scenario = generateScenario(params, (tx) => heistTxs.push(tx), { heistOnly: true })
  const slots = scenario.slots ?? 0
  const chainId = params.chainId ?? 1
  const out = join(dir, 'cryo')
  mkdirSync(out, { recursive: true })
  const tmp = join(dir, '.duckdb-tmp')
  const instance = await DuckDBInstance.create(':memory:', {
    memory_limit: options.memoryLimit ?? '3GB',
    temp_directory: tmp,
    preserve_insertion_order: 'false',
  })
  const conn = await instance.connect()
  try {
    await conn.run(`CREATE TABLE h_tx (slot UBIGINT, hash VARCHAR, from_address VARCHAR, to_address VARCHAR,
      value VARCHAR, gas_used UBIGINT, gas_price UBIGINT)`)
    await conn.run(`CREATE TABLE h_transfer (slot UBIGINT, hash VARCHAR, kind VARCHAR, ordinal UINTEGER,
      token VARCHAR, from_address VARCHAR, to_address VARCHAR, value VARCHAR)`)
    const txRows: string[] = []
    const transferRows: string[] = []
    for (const t of heistTxs) {
      const slot = (t.block - BULK_FIRST_BLOCK) * BULK_TX_PER_BLOCK + t.txIndex
      txRows.push(
        `(${slot}, ${sqlString(t.hash)}, ${sqlString(t.from)}, ${sqlString(t.to)}, '${t.value}', ${t.gasUsed}, ${t.gasPrice})`,
      )
      for (const r of t.records)
        if (r.kind !== 'gas')
          transferRows.push(
            `(${slot}, ${sqlString(t.hash)}, '${r.kind}', ${r.ordinal}, ${sqlString(r.token)}, ${sqlString(r.from)}, ${sqlString(r.to)}, '${r.amount}')`,
          )
    }
    if (txRows.length > 0) await conn.run(`INSERT INTO h_tx VALUES ${txRows.join(',')}`)
    if (transferRows.length > 0)
      await conn.run(`INSERT INTO h_transfer VALUES ${transferRows.join(',')}`)

    // One row per free slot; u(k) is the k-th uniform draw of that slot.
    const seedHex = params.seed.toString(16).padStart(8, '0').slice(-8)
    const users = Math.max(50, Math.floor(params.transfers / 20))
    const deposits = Math.max(10, Math.floor(users / 10))
    const u = (k: number) => `(hash(s, ${k}, ${params.seed}) >> 11) / 9007199254740992.0`
    const user = (k: number) => `floor(${users} * pow(${u(k)}, 3))::UBIGINT`
    // Decimal digits are hex digits too, and a cast is ~4x cheaper than printf('%038x').
    const addr = (prefix: string, id: string) =>
      `'0x${prefix}${'0'.repeat(19)}' || (1000000000000000000 + ${id})::VARCHAR`
    const pools = { USDT: `0xd0${'1'.padStart(38, '0')}`, DAI: `0xd0${'2'.padStart(38, '0')}` }
    const hot = (i: number) => `0xc0${String(i).padStart(38, '0')}`
    const bridge = `0xb0${'1'.padStart(38, '0')}`
    const mixer = `0xe0${'1'.padStart(38, '0')}`
    await conn.run(`CREATE VIEW bg AS
      WITH draws AS (
        SELECT s, ${u(1)} AS r, ${user(2)} AS a, ${user(3)} AS b, ${u(4)} AS p, ${u(5)} AS q,
          21000 + floor(${u(6)} * 180000)::UBIGINT AS gas_used, (1 + floor(${u(7)} * 50)::UBIGINT) * 1000000000 AS gas_price
        FROM range(${slots}) t(s) WHERE s NOT IN (SELECT slot FROM h_tx)
      ), shaped AS (
        SELECT s, gas_used, gas_price,
          CASE WHEN r < 0.55 THEN 'eth' WHEN r < 0.7 THEN 'token' WHEN r < 0.8 THEN 'swap'
               WHEN r < 0.9 THEN 'deposit' WHEN r < 0.95 THEN 'payout' ELSE 'exit' END AS cat,
          ${addr('10', 'a')} AS user_a,
          ${addr('10', `CASE WHEN b = a THEN ${users + 1} ELSE b END`)} AS user_b,
          ${addr('de', `floor(p * ${deposits})::UBIGINT`)} AS deposit,
          p, q
        FROM draws
      )
      -- Laundering hashes end in 48 '5's, background ones in 40 '6's: they never collide.
      SELECT s, '0x' || (1000000000000000 + s + 1)::VARCHAR || '${seedHex}${'6'.repeat(40)}' AS hash, gas_used, gas_price,
        CASE cat WHEN 'payout' THEN CASE WHEN p < 0.5 THEN '${hot(1)}' ELSE '${hot(2)}' END ELSE user_a END AS from_address,
        CASE cat
          WHEN 'eth' THEN user_b
          WHEN 'token' THEN CASE WHEN p < 1/3 THEN '${TOKENS.USDT}' WHEN p < 2/3 THEN '${TOKENS.USDC}' ELSE '${TOKENS.DAI}' END
          WHEN 'swap' THEN CASE WHEN p < 0.5 THEN '${pools.USDT}' ELSE '${pools.DAI}' END
          WHEN 'deposit' THEN deposit
          WHEN 'payout' THEN user_a
          ELSE CASE WHEN p < 0.5 THEN '${bridge}' ELSE '${mixer}' END END AS to_address,
        -- ETH value: 1..10000 finney, 1..1000 x 1e16, 1..100 x 1e17 as in backgroundTx.
        CASE cat
          WHEN 'eth' THEN (1 + floor(q * 10000)::UBIGINT)::VARCHAR || repeat('0', 15)
          WHEN 'token' THEN '0'
          WHEN 'exit' THEN (1 + floor(q * 100)::UBIGINT)::VARCHAR || repeat('0', 17)
          ELSE (1 + floor(q * 1000)::UBIGINT)::VARCHAR || repeat('0', 16) END AS value,
        CASE cat WHEN 'token' THEN CASE WHEN p < 1/3 THEN '${TOKENS.USDT}' WHEN p < 2/3 THEN '${TOKENS.USDC}' ELSE '${TOKENS.DAI}' END
          WHEN 'swap' THEN CASE WHEN p < 0.5 THEN '${TOKENS.USDT}' ELSE '${TOKENS.DAI}' END END AS token,
        CASE cat WHEN 'token' THEN user_a WHEN 'swap' THEN CASE WHEN p < 0.5 THEN '${pools.USDT}' ELSE '${pools.DAI}' END END AS token_from,
        CASE cat WHEN 'token' THEN user_b WHEN 'swap' THEN user_a END AS token_to,
        CASE cat WHEN 'token' THEN 0 ELSE 1 END AS log_index,
        -- Token amounts: 1..100000 x 1e6; a swap of k x 1e16 wei gives k x 3e7 USDT or k x 3e19 DAI.
        CASE cat WHEN 'token' THEN (1 + floor(q * 100000)::UBIGINT)::VARCHAR || repeat('0', 6)
          WHEN 'swap' THEN ((1 + floor(q * 1000)::UBIGINT) * 3)::VARCHAR || CASE WHEN p < 0.5 THEN repeat('0', 7) ELSE repeat('0', 19) END END AS token_value
      FROM shaped`)
    const blockOf = (slot: string) =>
      `(${BULK_FIRST_BLOCK} + ${slot} // ${BULK_TX_PER_BLOCK})::UINTEGER`
    const indexOf = (slot: string) => `(${slot} % ${BULK_TX_PER_BLOCK})::UINTEGER`
    const file = (name: string) => join(out, `${name}.parquet`)
    // As cryo writes by default: hashes and addresses as binary, rows in block order.
    const copy = async (name: string, select: string, order: string) => {
      const t0 = performance.now()
      // Without it, parallel writers put sorted row groups in any order.
      await conn.run('SET preserve_insertion_order = true')
      await conn.run(
        `COPY (SELECT ${binaryColumns(name)} FROM (${select}) ORDER BY ${order}) TO ${sqlString(file(name))} (FORMAT parquet, ROW_GROUP_SIZE 1048576)`,
      )
      options.onProgress?.(
        `wrote cryo/${name}.parquet in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      )
    }
    await copy(
      'transactions',
      `SELECT ${blockOf('s')} AS block_number, ${indexOf('s')} AS transaction_index, hash AS transaction_hash,
        from_address, to_address, value AS value_string, gas_used, gas_price, true AS success, ${chainId}::UBIGINT AS chain_id FROM bg
      UNION ALL
      SELECT ${blockOf('slot')}, ${indexOf('slot')}, hash, from_address, to_address, value, gas_used, gas_price, true, ${chainId}::UBIGINT FROM h_tx`,
      'block_number, transaction_index',
    )
    await copy(
      'native_transfers',
      `SELECT ${blockOf('s')} AS block_number, ${indexOf('s')} AS transaction_index, 0::UINTEGER AS transfer_index,
        hash AS transaction_hash, from_address, to_address, value AS value_string, CAST(value AS DOUBLE) AS value_f64, ${chainId}::UBIGINT AS chain_id
      FROM bg WHERE value <> '0'
      UNION ALL
      SELECT ${blockOf('slot')}, ${indexOf('slot')}, ordinal, hash, from_address, to_address, value, CAST(value AS DOUBLE), ${chainId}::UBIGINT
      FROM h_transfer WHERE kind = 'native'`,
      'block_number, transaction_index, transfer_index',
    )
    await copy(
      'erc20_transfers',
      `SELECT ${blockOf('s')} AS block_number, ${indexOf('s')} AS transaction_index, log_index::UINTEGER AS log_index,
        hash AS transaction_hash, token AS erc20, token_from AS from_address, token_to AS to_address, token_value AS value_string,
        CAST(token_value AS DOUBLE) AS value_f64, ${chainId}::UBIGINT AS chain_id
      FROM bg WHERE token IS NOT NULL
      UNION ALL
      SELECT ${blockOf('slot')}, ${indexOf('slot')}, ordinal, hash, token, from_address, to_address, value, CAST(value AS DOUBLE), ${chainId}::UBIGINT
      FROM h_transfer WHERE kind = 'log'`,
      'block_number, transaction_index, log_index',
    )
    const count = async (name: string) =>
      Number(
        (
          await conn.runAndReadAll(
            `SELECT count(*) AS n FROM read_parquet(${sqlString(file(name))})`,
          )
        ).getRowObjectsJS()[0]!['n'],
      )
    const transactions = await count('transactions')
    const transfers =
      transactions + (await count('native_transfers')) + (await count('erc20_transfers'))
    return {
      scenario,
      heistTxs,
      transfers,
      transactions,
      files: ['native_transfers', 'erc20_transfers', 'transactions'].map(file),
    }
  } finally {
    conn.closeSync()
    instance.closeSync()
    rmSync(tmp, { recursive: true, force: true })
  }
}

/** Hex text columns of each generated cryo dataset, which are written as binary (cryo's default). */
const HEX_COLUMNS: Record<string, string[]> = {
  transactions: ['transaction_hash', 'from_address', 'to_address'],
  native_transfers: ['transaction_hash', 'from_address', 'to_address'],
  erc20_transfers: ['transaction_hash', 'erc20', 'from_address', 'to_address'],
}

/**
 * The select list that turns the hex text columns of a generated dataset into binary (a
 * contract creation's empty `to_address` becomes NULL, as in cryo).
 *
 * @example
 * binaryColumns('transactions') // "* REPLACE (unhex(substr(transaction_hash, 3)) AS transaction_hash, ...)"
 */
export function binaryColumns(dataset: string): string {
  const columns = HEX_COLUMNS[dataset] ?? []
  if (columns.length === 0) return '*'
  return `* REPLACE (${columns.map((c) => `CASE WHEN coalesce(${c}, '') = '' THEN NULL ELSE unhex(substr(${c}, 3)) END AS ${c}`).join(', ')})`
}
