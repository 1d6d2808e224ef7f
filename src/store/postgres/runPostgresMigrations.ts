import type pg from 'pg'

export type PostgresMigration = { version: number; sql: string }

/**
 * Applies the migrations a table of applied versions does not list yet, in one transaction under
 * an advisory lock: several processes may start together (watchers, serve replicas); one runs
 * the migrations, the others wait and then find nothing left to do.
 *
 * @example
 * await runPostgresMigrations(pool, { schema: null, table: 'migrations', lock: 'heistguard-migrate', migrations })
 */
export async function runPostgresMigrations(
  pool: pg.Pool,
  parameters: {
    schema: string | null
    /** Table of applied versions, e.g. `migrations`. A fixed name from our code, never input. */
    table: string
    /** Advisory lock name; the schema is appended so schemas migrate independently. */
    lock: string
    migrations: readonly PostgresMigration[]
  },
): Promise<void> {
  const { schema, table } = parameters
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `${parameters.lock}:${schema ?? ''}`,
    ])
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`)
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${table} (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`,
    )
    const { rows } = await client.query(`SELECT version FROM ${table}`)
    const applied = new Set(rows.map((row) => Number(row.version)))
    for (const migration of parameters.migrations) {
      if (applied.has(migration.version)) continue
      await client.query(migration.sql)
      await client.query(`INSERT INTO ${table} (version, applied_at) VALUES ($1, $2)`, [
        migration.version,
        Date.now(),
      ])
    }
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    client.release()
  }
}
