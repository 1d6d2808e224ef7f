import type pg from 'pg'
import { InputError } from '../../core/BaseError.js'

export type ParsedPostgresUrl = {
  /** Pool settings for `pg`: the URL without our own parameters, plus the search path. */
  config: pg.PoolConfig
  /** The schema from `?schema=NAME`, or null for the server's default search path. */
  schema: string | null
}

/**
 * Reads a `postgres://` (or `postgresql://`) URL. Our one extra parameter, `schema`, is removed
 * before `pg` sees the URL and becomes the connection's `search_path`, so every statement of
 * the store runs in that schema without naming it.
 *
 * @example
 * parsePostgresUrl('postgres://u@127.0.0.1:5432/db?schema=watch_a').schema // 'watch_a'
 */
export function parsePostgresUrl(url: string): ParsedPostgresUrl {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new InputError('not a URL', { code: 'INVALID_STORE_URL', field: 'state store URL' })
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    throw new InputError(`expected postgres://, got ${parsed.protocol}//`, {
      code: 'INVALID_STORE_URL',
      field: 'state store URL',
    })
  const schema = parsed.searchParams.get('schema')
  parsed.searchParams.delete('schema')
  // Lowercase only: an unquoted search_path entry is case-folded by the server.
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new InputError(`schema must match [a-z_][a-z0-9_]* (got ${JSON.stringify(schema)})`, {
      code: 'INVALID_STORE_URL',
      field: 'state store URL: schema',
    })
  return {
    config: {
      connectionString: parsed.toString(),
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
      keepAlive: true,
    },
    schema,
  }
}
