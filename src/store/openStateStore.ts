import { resolve } from 'node:path'
import { InputError } from '../core/BaseError.js'
import { openPostgresStateStore } from './postgres/openPostgresStateStore.js'
import type { StateStore } from './StateStore.js'
import { openSqliteStateStore } from './sqlite/openSqliteStateStore.js'

/**
 * Opens the state store a deployment names, so that moving from the embedded default to a
 * shared server is a config change:
 * - `postgres://user@host:5432/db[?schema=NAME]` (or `postgresql://`): PostgreSQL, for several
 *   watchers on one database;
 * - `sqlite:PATH`, `sqlite://PATH`, a plain file path or `:memory:`: a SQLite file (relative
 *   paths resolve against `cwd`).
 *
 * @example
 * const store = await openStateStore(process.env.HEISTGUARD_STATE_URL ?? 'heistguard-watch.db')
 */
export async function openStateStore(
  url: string,
  options: { cwd?: string } = {},
): Promise<StateStore> {
  if (/^postgres(ql)?:\/\//i.test(url)) return openPostgresStateStore(url)
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase()
  // One-letter schemes are Windows drive letters (C:\...), i.e. file paths.
  if (scheme && scheme !== 'sqlite' && scheme.length > 1)
    throw new InputError(
      `unsupported state store URL scheme ${scheme}: (use a file path, sqlite: or postgres://)`,
      {
        code: 'INVALID_STORE_URL',
        field: 'state store URL',
      },
    )
  const path = scheme === 'sqlite' ? url.replace(/^sqlite:(\/\/)?/i, '') : url
  if (path === '')
    throw new InputError('sqlite: needs a file path', {
      code: 'INVALID_STORE_URL',
      field: 'state store URL',
    })
  return openSqliteStateStore(
    path === ':memory:' ? path : resolve(options.cwd ?? process.cwd(), path),
  )
}
