import { InputError } from '../../core/BaseError.js'

/** Where a ClickHouse transfer store lives: one HTTP endpoint per shard, in shard order. */
export type ClickHouseTarget = {
  /** `http(s)://host:port` of each shard's server, in the order of the cluster's shards. */
  shards: string[]
  database: string
  /** The `remote_servers` cluster naming the shards, for the Distributed tables; null: none. */
  cluster: string | null
  username: string
  password: string
  /** The URL without credentials, for messages. */
  location: string
}

/**
 * Reads `clickhouse://[user[:password]@]host:port[,host:port...]/database[?cluster=NAME&secure=1]`.
 * Ports are the servers' HTTP ports (8123 by default); hosts are listed in the cluster's shard
 * order, because rows are routed to a shard by the client with the same rule as the
 * Distributed tables' sharding key.
 *
 * @example
 * parseClickHouseUrl('clickhouse://127.0.0.1:8123,127.0.0.1:8124/heistguard?cluster=heistguard')
 */
export function parseClickHouseUrl(url: string): ClickHouseTarget {
  const field = 'transfer store URL'
  const match =
    /^clickhouse:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)(?:\/([^?#]*))?(?:\?([^#]*))?$/i.exec(
      url,
    )
  if (!match)
    throw new InputError('expected clickhouse://host:port[,host:port...]/database', {
      code: 'INVALID_STORE_URL',
      field,
    })
  const [, user, pass, hostList, path, query] = match
  const params = new URLSearchParams(query ?? '')
  const scheme = params.get('secure') === '1' ? 'https' : 'http'
  const shards = hostList!.split(',').map((host) => {
    if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(host))
      throw new InputError(`bad host ${JSON.stringify(host)}`, { code: 'INVALID_STORE_URL', field })
    return `${scheme}://${/:\d+$/.test(host) ? host : `${host}:8123`}`
  })
  const database = decodeURIComponent(path || 'heistguard')
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(database))
    throw new InputError(
      `database must match [A-Za-z_][A-Za-z0-9_]* (got ${JSON.stringify(database)})`,
      {
        code: 'INVALID_STORE_URL',
        field,
      },
    )
  const cluster = params.get('cluster')
  if (cluster !== null && !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(cluster))
    throw new InputError(`cluster must match [A-Za-z_][A-Za-z0-9_]*`, {
      code: 'INVALID_STORE_URL',
      field,
    })
  if (shards.length > 1 && cluster === null)
    throw new InputError(
      'several shards need ?cluster=NAME (the remote_servers entry naming them)',
      {
        code: 'INVALID_STORE_URL',
        field,
      },
    )
  return {
    shards,
    database,
    cluster,
    username: decodeURIComponent(user || 'default'),
    password: decodeURIComponent(pass ?? ''),
    location: `clickhouse://${hostList}/${database}${cluster ? `?cluster=${cluster}` : ''}`,
  }
}

/** Hex offsets (after `0x`) of the bytes summed into the shard key: bytes 0-7 and byte 31. */
export const KEY_BYTES = [0, 2, 4, 6, 8, 10, 12, 14, 62]

/**
 * The shard (0-based) of a transaction: the sum of its hash's first eight bytes and its last
 * byte, modulo the shard count. The Distributed tables use the same rule ({@link SHARD_KEY_SQL}),
 * so every row of a transaction (transfers, receipt, memos) lives on one shard and the dedupe of
 * ReplacingMergeTree sees all copies of a row. Real hashes are uniform in every byte; summing
 * several bytes also spreads hashes that only count up in a few of them (generated data).
 * A hash function ClickHouse 18.16 and JavaScript both compute cheaply would be the
 * alternative; MD5 costs ~8 µs a row in Node here, this sum ~0.1 µs.
 *
 * @example
 * shardOf('0x01000000000000000000000000000000000000000000000000000000000000ff', 2) // 0
 */
export function shardOf(txHash: string, shards: number): number {
  let sum = 0
  for (const at of KEY_BYTES) sum += Number.parseInt(txHash.slice(2 + at, 4 + at), 16) || 0
  return sum % shards
}

/** SQL expression equal to {@link shardOf} before the modulo (the Distributed sharding key). */
export const SHARD_KEY_SQL = KEY_BYTES.map(
  (at) => `reinterpretAsUInt8(unhex(substring(tx_hash, ${at + 3}, 2)))`,
).join(' + ')
