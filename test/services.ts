/**
 * Test services for the server-grade storage backends (PostgreSQL, two-shard ClickHouse),
 * started by scripts/services.sh on 127.0.0.1. Usable as a vitest globalSetup module and from
 * a test file's `beforeAll` (the script is idempotent and returns at once when they run).
 */
import { execFile } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'services.sh')

/** Connection settings of the running test services. */
export type ServicesEnv = {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` (trust auth, throwaway data). */
  HEISTGUARD_TEST_PG_URL: string
  /** `http://127.0.0.1:P1,http://127.0.0.1:P2`: the HTTP endpoints of shard 1 and shard 2. */
  HEISTGUARD_TEST_CH_URLS: string
  /** Name of the `remote_servers` cluster naming both shards. */
  HEISTGUARD_TEST_CH_CLUSTER: string
}

const keys = [
  'HEISTGUARD_TEST_PG_URL',
  'HEISTGUARD_TEST_CH_URLS',
  'HEISTGUARD_TEST_CH_CLUSTER',
] as const

function runScript(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [script, ...args],
      { maxBuffer: 1 << 20, timeout: 15 * 60_000 },
      (error, stdout, stderr) => {
        if (error) {
          const detail = stderr.trim().split('\n').slice(-5).join('\n')
          reject(new Error(`scripts/services.sh ${args[0]} failed: ${detail || error.message}`))
          return
        }
        if (stderr.trim() !== '') process.stderr.write(stderr)
        resolve(stdout)
      },
    )
  })
}

function parseEnv(stdout: string): ServicesEnv {
  const env: Record<string, string> = {}
  for (const line of stdout.split('\n')) {
    const match = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim())
    if (match?.[1] !== undefined && match[2] !== undefined) env[match[1]] = match[2]
  }
  for (const key of keys) {
    if (env[key] === undefined) throw new Error(`scripts/services.sh start printed no ${key}`)
  }
  return env as ServicesEnv
}

let holding = false

/**
 * Installs (apt-get, when missing) and starts PostgreSQL and the two-shard ClickHouse cluster,
 * sets their `HEISTGUARD_TEST_*` variables in `process.env` (inherited by vitest workers when
 * called from globalSetup) and returns them. This process is registered as a holder: the
 * servers keep running until every holder released them.
 *
 * @example
 * const env = await startServices()
 * const store = await openStateStore(env.HEISTGUARD_TEST_PG_URL)
 */
export async function startServices(): Promise<ServicesEnv> {
  const env = parseEnv(await runScript(['start', '--holder', String(process.pid)]))
  holding = true
  for (const key of keys) process.env[key] = env[key]
  return env
}

/**
 * Releases this process's hold; stops the servers when no other test run holds them and they
 * were not started by hand (`scripts/services.sh start`).
 *
 * @example
 * await stopServices()
 */
export async function stopServices(): Promise<void> {
  if (!holding) return
  holding = false
  await runScript(['release', String(process.pid)])
}

/**
 * The services' env for a test file: the variables set by globalSetup when present, else
 * starts the services (idempotent) so a single file can run on its own.
 *
 * @example
 * beforeAll(async () => { env = await servicesEnv() })
 */
export async function servicesEnv(): Promise<ServicesEnv> {
  if (keys.every((key) => process.env[key])) {
    return Object.fromEntries(keys.map((key) => [key, process.env[key]])) as ServicesEnv
  }
  // Without globalSetup nobody releases them at the end: held by this worker's pid, they stay
  // up after the run and the next run's last release (or `scripts/services.sh stop`) stops them.
  const env = parseEnv(await runScript(['start', '--holder', String(process.pid)]))
  for (const key of keys) process.env[key] = env[key]
  return env
}

/** vitest globalSetup entry: `globalSetup: ['test/services.ts']`. */
export async function setup(): Promise<void> {
  await startServices()
}

/** vitest globalSetup teardown. */
export async function teardown(): Promise<void> {
  await stopServices()
}
