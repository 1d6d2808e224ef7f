import { resolveStateLocation } from '../store/resolveStateLocation.js'
import type { ServerStore } from './ServerStore.js'

/**
 * Opens the server's tables (API tokens, alert acknowledgements) where the state store lives,
 * named by the same URL as `openStateStore`: `postgres://…` puts them in that PostgreSQL
 * database (or `?schema=`), a file path or `sqlite:PATH` in that SQLite file. So
 * `serve --state postgres://…` runs every table of the server on PostgreSQL.
 *
 * @example
 * const server = await openServerStore(process.env.HEISTGUARD_STATE_URL ?? 'heistguard.db')
 */
export async function openServerStore(
  url: string,
  options: { cwd?: string } = {},
): Promise<ServerStore> {
  const location = resolveStateLocation(url, options)
  if (location.backend === 'postgres') {
    const { openPostgresServerStore } = await import('./openPostgresServerStore.js')
    return openPostgresServerStore(location.url)
  }
  const { openSqliteServerStore } = await import('./openSqliteServerStore.js')
  return openSqliteServerStore(location.path)
}
