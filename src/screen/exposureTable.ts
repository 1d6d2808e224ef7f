import type { DuckDBConnection } from '@duckdb/node-api'
import { InputError } from '../core/BaseError.js'
import { createAddressTable, internAddress } from './AddressTable.js'
import { makeExposure } from './buildExposureIndex.js'
import type {
  DirectExposure,
  ExposureIndex,
  HeistInfo,
  IndirectExposure,
  LabelHit,
} from './Exposure.js'

/**
 * The exposure index as a DuckDB table: one row per fact (a direct exposure, an indirect one, or a
 * label), so analysts can query it with SQL and `screen` can reload it without re-running a trace.
 */
const COLUMNS = `kind VARCHAR NOT NULL, address VARCHAR NOT NULL, heist VARCHAR, token VARCHAR,
  role VARCHAR, holds VARCHAR, received VARCHAR, share DOUBLE, hops INTEGER, via VARCHAR,
  source VARCHAR, name VARCHAR, category VARCHAR, sanctioned BOOLEAN`

const TABLE_RE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

function checkTable(table: string): string {
  if (!TABLE_RE.test(table))
    throw new InputError('not a plain SQL table name', { code: 'INVALID_TABLE', field: '--table' })
  return table
}

/**
 * Writes (replaces) `table` with every fact of the index, using DuckDB's appender.
 *
 * @example
 * await writeExposureTable(connection, index, 'exposure')
 */
export async function writeExposureTable(
  connection: DuckDBConnection,
  index: ExposureIndex,
  table = 'exposure',
): Promise<void> {
  const name = checkTable(table)
  await connection.run(`CREATE OR REPLACE TABLE ${name} (${COLUMNS})`)
  const appender = await connection.createAppender(name)
  const text = (v: string | undefined) =>
    v === undefined ? appender.appendNull() : appender.appendVarchar(v)
  const int = (v: number | undefined) =>
    v === undefined ? appender.appendNull() : appender.appendInteger(v)
  for (const e of index.entries) {
    for (const d of e.direct) {
      text('direct')
      text(e.address)
      text(d.heist)
      text(d.token)
      text(d.role)
      text(d.holds)
      text(d.received)
      appender.appendDouble(d.share)
      int(d.hops)
      text(undefined)
      text(undefined)
      text(undefined)
      text(undefined)
      appender.appendNull()
      appender.endRow()
    }
    for (const i of e.indirect) {
      text('indirect')
      text(e.address)
      text(i.heist)
      text(undefined)
      text(undefined)
      text(undefined)
      text(undefined)
      appender.appendDouble(i.share)
      int(i.hops)
      text(i.via)
      text(undefined)
      text(undefined)
      text(undefined)
      appender.appendNull()
      appender.endRow()
    }
    for (const l of e.labels) {
      text('label')
      text(e.address)
      text(l.heist)
      text(undefined)
      text(undefined)
      text(undefined)
      text(undefined)
      appender.appendNull()
      int(undefined)
      text(undefined)
      text(l.source)
      text(l.name)
      text(l.category)
      appender.appendBoolean(l.sanctioned)
      appender.endRow()
    }
  }
  appender.closeSync()
}

/**
 * Loads an index from a table written by `writeExposureTable`, reading whole columns at once
 * (DuckDB hands them out column-wise far faster than row objects).
 *
 * @example
 * const index = await readExposureTable(connection, 'exposure')
 */
export async function readExposureTable(
  connection: DuckDBConnection,
  table = 'exposure',
  heists: HeistInfo[] = [],
): Promise<ExposureIndex> {
  const name = checkTable(table)
  const reader = await connection.runAndReadAll(
    `SELECT kind, address, heist, token, role, holds, received, share, hops, via, source, name, category, sanctioned FROM ${name}`,
  )
  const c = reader.getColumnsJS() as unknown[][]
  const [
    kind,
    address,
    heist,
    token,
    role,
    holds,
    received,
    share,
    hops,
    via,
    source,
    lname,
    category,
    sanctioned,
  ] = c as [
    string[],
    string[],
    (string | null)[],
    (string | null)[],
    (string | null)[],
    (string | null)[],
    (string | null)[],
    (number | null)[],
    (number | null)[],
    (string | null)[],
    (string | null)[],
    (string | null)[],
    (string | null)[],
    (boolean | null)[],
  ]
  const rows = kind.length
  const byId: {
    direct: DirectExposure[]
    indirect: IndirectExposure[]
    labels: LabelHit[]
    address: string
  }[] = []
  const tableMap = createAddressTable(rows)
  const seenHeists = new Set(heists.map((h) => h.id))
  let maxHops = 0
  for (let r = 0; r < rows; r++) {
    const a = address[r]!
    const id = internAddress(tableMap, a)
    if (id < 0) continue
    let slot = byId[id]
    if (!slot) {
      slot = { direct: [], indirect: [], labels: [], address: a.toLowerCase() }
      byId[id] = slot
    }
    const h = heist[r] ?? undefined
    if (h && !seenHeists.has(h)) {
      seenHeists.add(h)
      heists.push({ id: h, name: h })
    }
    if (kind[r] === 'direct') {
      const d: DirectExposure = {
        heist: h ?? 'unknown',
        token: token[r] ?? 'native',
        holds: holds[r] ?? '0',
        received: received[r] ?? '0',
        share: share[r] ?? 0,
        role: (role[r] ?? 'holder') as DirectExposure['role'],
      }
      if (hops[r] !== null && hops[r] !== undefined) d.hops = hops[r]!
      slot.direct.push(d)
    } else if (kind[r] === 'indirect') {
      maxHops = Math.max(maxHops, hops[r] ?? 0)
      slot.indirect.push({
        heist: h ?? 'unknown',
        hops: hops[r] ?? 1,
        share: share[r] ?? 0,
        via: via[r] ?? '',
      })
    } else {
      const l: LabelHit = {
        source: source[r] ?? '',
        name: lname[r] ?? '',
        category: category[r] ?? '',
        sanctioned: sanctioned[r] === true,
      }
      if (h) l.heist = h
      slot.labels.push(l)
    }
  }
  const entries = byId.map((s) => makeExposure(s.address, s.direct, s.indirect, s.labels))
  return { table: tableMap, entries, heists, hops: maxHops, source: `duckdb:${name}` }
}
