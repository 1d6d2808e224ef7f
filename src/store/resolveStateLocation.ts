import { resolve } from 'node:path'
import { InputError } from '../core/BaseError.js'

/** Where a state store lives: a PostgreSQL URL, or a SQLite file (absolute, or `:memory:`). */
export type StateLocation =
  | { backend: 'postgres'; url: string }
  | { backend: 'sqlite'; path: string }

/**
 * Reads a state store URL the way every command does, so `watch --db`, `serve --state` and
 * `$HEISTGUARD_STATE_URL` accept the same values:
 * - `postgres://user@host:5432/db[?schema=NAME]` (or `postgresql://`): PostgreSQL;
 * - `sqlite:PATH`, `sqlite://PATH`, a plain file path or `:memory:`: a SQLite file (relative
 *   paths resolve against `cwd`).
 *
 * @example
 * resolveStateLocation('sqlite:state.db', { cwd: '/srv' }) // { backend: 'sqlite', path: '/srv/state.db' }
 */
export function resolveStateLocation(url: string, options: { cwd?: string } = {}): StateLocation {
  if (/^postgres(ql)?:\/\//i.test(url)) return { backend: 'postgres', url }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase()
  // One-letter schemes are Windows drive letters (C:\...), i.e. file paths.
  if (scheme && scheme !== 'sqlite' && scheme.length > 1)
    throw new InputError(
      `unsupported state store URL scheme ${scheme}: (use a file path, sqlite: or postgres://)`,
      { code: 'INVALID_STORE_URL', field: 'state store URL' },
    )
  const path = scheme === 'sqlite' ? url.replace(/^sqlite:(\/\/)?/i, '') : url
  if (path === '')
    throw new InputError('sqlite: needs a file path', {
      code: 'INVALID_STORE_URL',
      field: 'state store URL',
    })
  return {
    backend: 'sqlite',
    path: path === ':memory:' ? path : resolve(options.cwd ?? process.cwd(), path),
  }
}
