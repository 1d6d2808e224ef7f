import { Readable } from 'node:stream'
import { type ClickHouseClient, createClient } from '@clickhouse/client'
import { BaseError } from '../../core/BaseError.js'

/**
 * One shard's server, spoken to over HTTP with SQL that ClickHouse 18.16 and current releases
 * both accept: no server-side query parameters (values are escaped here, see {@link sqlString}),
 * results as TabSeparated or JSONEachRow, inserts as TabSeparated.
 */
export type ClickHouseShard = {
  index: number
  url: string
  /** Runs a statement that returns nothing. */
  exec: (sql: string) => Promise<void>
  /** Runs a query and returns its JSONEachRow rows (64-bit integers arrive as strings). */
  rows: (sql: string) => Promise<Record<string, unknown>[]>
  /** Streams a TabSeparated query line by line, each line split into its fields. */
  lines: (sql: string) => AsyncIterable<string[]>
  /** Inserts rows (arrays in the table's column order) as TabSeparated. */
  insert: (table: string, rows: readonly (readonly (string | number | bigint)[])[]) => Promise<void>
  /** Streams already-encoded rows (`CSV` or `TabSeparated` bytes) into a table. */
  insertStream: (table: string, body: Readable, format: 'CSV' | 'TabSeparated') => Promise<void>
  close: () => Promise<void>
}

/**
 * Opens the HTTP client of one shard.
 *
 * @example
 * const shard = openClickHouseShard(0, 'http://127.0.0.1:8123', { username: 'default', password: '' })
 */
export function openClickHouseShard(
  index: number,
  url: string,
  auth: { username: string; password: string },
): ClickHouseShard {
  const client: ClickHouseClient = createClient({
    url,
    username: auth.username,
    password: auth.password,
    request_timeout: 30 * 60_000,
    max_open_connections: 4,
    // A busy event loop can hand out a socket the server already closed ("socket hang up").
    keep_alive: { enabled: true, eagerly_destroy_stale_sockets: true },
    // Per-query settings only where 18.16 knows them.
    // Progress headers keep long imports and scans from idling out behind proxies.
    clickhouse_settings: {
      max_query_size: '104857600',
      send_progress_in_http_headers: 1,
      http_headers_progress_interval_ms: '10000',
    },
  })
  const fail = (error: unknown, sql: string): never => {
    const message = (error as Error).message?.split('\n')[0] ?? String(error)
    throw new BaseError(`ClickHouse shard ${index + 1} (${url}): ${message}`, {
      code: 'CLICKHOUSE_QUERY',
      details: sql.slice(0, 300),
      cause: error,
    })
  }
  // A socket the server closed while our event loop was busy fails at once (EPIPE, ECONNRESET,
  // "socket hang up") before the server saw the statement; every statement we send is safe to
  // repeat (stage inserts are grouped by key, merges land in ReplacingMergeTree), so retry.
  const retry = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn()
      } catch (error) {
        const text = `${(error as { code?: string }).code ?? ''} ${(error as Error).message ?? ''}`
        if (attempt >= 4 || !/EPIPE|ECONNRESET|socket hang up/i.test(text)) throw error
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt))
      }
    }
  }
  return {
    index,
    url,
    async exec(sql) {
      try {
        await retry(() => client.command({ query: sql }))
      } catch (error) {
        fail(error, sql)
      }
    },
    async rows(sql) {
      try {
        return await retry(async () => {
          const result = await client.query({ query: sql, format: 'JSONEachRow' })
          return (await result.json()) as Record<string, unknown>[]
        })
      } catch (error) {
        return fail(error, sql)
      }
    },
    async *lines(sql) {
      let result: Awaited<ReturnType<ClickHouseClient['query']>>
      try {
        result = await client.query({ query: sql, format: 'TabSeparated' })
      } catch (error) {
        fail(error, sql)
        return
      }
      for await (const batch of result.stream() as AsyncIterable<{ text: string }[]>)
        for (const row of batch) yield row.text.split('\t').map(unescapeTsv)
    },
    async insert(table, rows) {
      if (rows.length === 0) return
      // Built in slices so one huge string never has to exist.
      const slices = function* () {
        for (let i = 0; i < rows.length; i += 10_000) {
          let text = ''
          for (const row of rows.slice(i, i + 10_000)) text += `${row.map(escapeTsv).join('\t')}\n`
          yield text
        }
      }
      try {
        await client.insert({
          table,
          values: Readable.from(slices(), { objectMode: false }),
          format: 'TabSeparated',
        })
      } catch (error) {
        fail(error, `INSERT INTO ${table}`)
      }
    },
    async insertStream(table, body, format) {
      try {
        await client.insert({ table, values: body, format })
      } catch (error) {
        fail(error, `INSERT INTO ${table}`)
      }
    },
    close: () => client.close(),
  }
}

/**
 * A ClickHouse string literal. Backslash and quote are the characters with meaning inside one.
 *
 * @example
 * sqlString("it's") // 'it\'s'
 */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

function escapeTsv(value: string | number | bigint): string {
  if (typeof value !== 'string') return String(value)
  return value.replace(/[\\\t\n\r\0]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\0',
  )
}

function unescapeTsv(value: string): string {
  if (!value.includes('\\')) return value
  return value.replace(/\\(.)/g, (_, c: string) =>
    c === 't'
      ? '\t'
      : c === 'n'
        ? '\n'
        : c === 'r'
          ? '\r'
          : c === '0'
            ? '\0'
            : c === 'b'
              ? '\b'
              : c === 'f'
                ? '\f'
                : c,
  )
}
