import { openPostgresStateStore } from './postgres/openPostgresStateStore.js'
import { resolveStateLocation } from './resolveStateLocation.js'
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
  const location = resolveStateLocation(url, options)
  return location.backend === 'postgres'
    ? openPostgresStateStore(location.url)
    : openSqliteStateStore(location.path)
}
