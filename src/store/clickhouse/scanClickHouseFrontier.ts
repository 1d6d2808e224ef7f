import type { TransferRecord } from '../../trace/TransferRecord.js'
import { KIND_RANK } from '../../trace/TransferRecord.js'
import { type ClickHouseShard, openClickHouseShard } from './clickhouseShard.js'
import { parseClickHouseUrl } from './parseClickHouseUrl.js'

export type FrontierScanOptions = {
  /** Where taint starts: address (lowercase) and the first block at which it is tainted. */
  seeds: { address: string; block: number }[]
  /** Last block to scan. Default: the highest block in the store. */
  toBlock?: number
  /** Blocks per window. Default 50,000. */
  windowBlocks?: number
  /**
   * Addresses that receive taint but do not pass it on by address (exchanges, bridges, DEX
   * pools: the engine handles them by place, not by following every payout of a pool).
   */
  stopAt?: ReadonlySet<string>
}

/** One block window of the frontier scan. */
export type FrontierWindow = {
  fromBlock: number
  toBlock: number
  /** Transfers out of tainted addresses in this window, in time order. */
  records: TransferRecord[]
  /** Addresses tainted so far (the frontier), after this window. */
  frontier: number
  /** Rows read from the cluster for this window (all query rounds). */
  rowsRead: number
}

/**
 * Streams, window by window in time order, only the transfers that move tainted value: rows
 * whose sender is already in the tainted frontier. The frontier lives in a table on every
 * shard, so each shard filters its own rows (`from_address IN frontier`) inside the block
 * window; nothing else leaves the cluster, whatever the size of the chain.
 *
 * An address reached inside a window may send again later in that window: the window is
 * queried again for the newly reached addresses until no new address appears, then its rows
 * are walked in time order, so a transfer counts only after its sender was reached.
 *
 * This is reachability (what `poison` follows, and the set of transfers any policy can move
 * taint along); amount-exact policies also need the balances the reached addresses held
 * before, which this scan does not read.
 *
 * @example
 * for await (const w of scanClickHouseFrontier(url, { seeds: [{ address: thief, block: 21895251 }] }))
 *   console.log(w.toBlock, w.records.length, w.frontier)
 */
export async function* scanClickHouseFrontier(
  url: string,
  options: FrontierScanOptions,
): AsyncGenerator<FrontierWindow> {
  const target = parseClickHouseUrl(url)
  const shards = target.shards.map((u, i) =>
    openClickHouseShard(i, u, { username: target.username, password: target.password }),
  )
  const db = target.database
  const table = `${db}.frontier_${process.pid}_${Math.random().toString(36).slice(2, 10)}`
  const stopAt = options.stopAt ?? new Set<string>()
  const windowBlocks = Math.max(1, options.windowBlocks ?? 50_000)
  // Address -> the block from which it passes taint on (seeds: their block; reached: the
  // block of the transfer that reached them).
  const tainted = new Map<string, number>()
  try {
    await Promise.all(
      shards.map((s) =>
        s.exec(`CREATE TABLE ${table} (address String, round UInt32) ENGINE = Memory`),
      ),
    )
    const addToFrontier = async (addresses: string[], round: number) => {
      if (addresses.length === 0) return
      await Promise.all(
        shards.map((s) =>
          s.insert(
            table,
            addresses.map((a) => [a, round]),
          ),
        ),
      )
    }
    const seeds = [...options.seeds].sort((a, b) => a.block - b.block)
    let round = 0
    for (const seed of seeds) {
      const a = seed.address.toLowerCase()
      const known = tainted.get(a)
      if (known === undefined || seed.block < known) tainted.set(a, seed.block)
    }
    await addToFrontier([...tainted.keys()], round)

    const start = seeds[0]?.block
    if (start === undefined) return
    const last =
      options.toBlock ??
      Math.max(
        ...(await Promise.all(
          shards.map(async (s) =>
            Number(
              (await s.rows(`SELECT max(block_number) AS m FROM ${db}.transfers_local`))[0]?.m ?? 0,
            ),
          ),
        )),
      )
    for (let from = start; from <= last; from += windowBlocks) {
      const to = Math.min(last, from + windowBlocks - 1)
      const rows = new Map<string, TransferRecord>()
      // Reached addresses take effect from their transfer on, so every round re-walks the
      // window from the frontier as it stood before it.
      const before = new Map(tainted)
      const queried = new Set<string>()
      let rowsRead = 0
      let queryRound = 0
      let result: { records: TransferRecord[]; reached: Map<string, number> }
      for (;;) {
        const fetched = await fetchWindow(shards, db, table, from, to, queryRound)
        rowsRead += fetched.length
        for (const r of fetched) rows.set(`${r.txHash}/${r.kind}/${r.ordinal}`, r)
        result = walk([...rows.values()], before, stopAt)
        const fresh = [...result.reached.keys()].filter((a) => !queried.has(a))
        if (fresh.length === 0) break
        round++
        queryRound = round
        for (const a of fresh) queried.add(a)
        await addToFrontier(fresh, round)
      }
      for (const [a, block] of result.reached) tainted.set(a, block)
      // The last walk found nothing new: its records are the window's final answer.
      yield {
        fromBlock: from,
        toBlock: to,
        records: result.records,
        frontier: tainted.size,
        rowsRead,
      }
    }
  } finally {
    await Promise.all(
      shards.map((s) => s.exec(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined)),
    )
    await Promise.all(shards.map((s) => s.close()))
  }
}

/** Rows of one window sent by frontier addresses added in round >= `round`, from every shard. */
async function fetchWindow(
  shards: ClickHouseShard[],
  db: string,
  table: string,
  from: number,
  to: number,
  round: number,
): Promise<TransferRecord[]> {
  const sql = `SELECT chain_id, block_number, tx_index, tx_hash, kind, ordinal, from_address, to_address, token, amount
    FROM ${db}.transfers_local FINAL
    WHERE block_number >= ${from} AND block_number <= ${to} AND amount_f64 > 0
      AND from_address IN (SELECT address FROM ${table} WHERE round >= ${round})`
  const parts = await Promise.all(
    shards.map(async (shard) => {
      const out: TransferRecord[] = []
      for await (const f of shard.lines(sql))
        out.push({
          chainId: Number(f[0]),
          block: Number(f[1]),
          txIndex: Number(f[2]),
          txHash: f[3]!,
          kind: f[4] as TransferRecord['kind'],
          ordinal: Number(f[5]),
          from: f[6]!,
          to: f[7]!,
          token: f[8]!,
          amount: BigInt(f[9]!),
        })
      return out
    }),
  )
  return parts.flat()
}

/**
 * Walks a window's candidate rows in time order: a row moves taint when its sender was tainted
 * at or before the row's block; its recipient joins the frontier (unless it is a stop place).
 */
function walk(
  rows: TransferRecord[],
  tainted: ReadonlyMap<string, number>,
  stopAt: ReadonlySet<string>,
): { records: TransferRecord[]; reached: Map<string, number> } {
  rows.sort(
    (a, b) =>
      a.block - b.block ||
      a.txIndex - b.txIndex ||
      (a.txHash < b.txHash ? -1 : a.txHash > b.txHash ? 1 : 0) ||
      KIND_RANK[a.kind] - KIND_RANK[b.kind] ||
      a.ordinal - b.ordinal,
  )
  const reached = new Map<string, number>()
  const records: TransferRecord[] = []
  for (const r of rows) {
    const since = tainted.get(r.from) ?? reached.get(r.from)
    if (since === undefined || since > r.block || stopAt.has(r.from)) continue
    records.push(r)
    if (r.to !== '' && !stopAt.has(r.to) && !tainted.has(r.to) && !reached.has(r.to))
      reached.set(r.to, r.block)
  }
  return { records, reached }
}
