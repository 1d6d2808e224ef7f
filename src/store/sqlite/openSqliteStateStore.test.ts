import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, test } from 'vitest'
import { stateStoreSuite } from '../stateStoreSuite.js'
import { openSqliteStateStore } from './openSqliteStateStore.js'

const dir = mkdtempSync(join(tmpdir(), 'hg-sqlite-'))
let n = 0
const paths = new WeakMap<object, string>()

stateStoreSuite(
  'sqlite',
  async () => {
    const path = join(dir, `s${n++}.db`)
    const store = openSqliteStateStore(path)
    paths.set(store, path)
    return store
  },
  {
    reopen: async (store) => {
      const path = paths.get(store)!
      await store.close()
      const again = openSqliteStateStore(path)
      paths.set(again, path)
      return again
    },
  },
)

describe('openSqliteStateStore', () => {
  test('creates its schema with WAL and records migrations once', async () => {
    const path = join(dir, 'schema.db')
    await openSqliteStateStore(path).close()
    await openSqliteStateStore(path).close()
    const db = new Database(path, { readonly: true })
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.prepare('SELECT version FROM migrations').all()).toEqual([{ version: 1 }])
    db.close()
  })

  test('an unopenable path is a one-line error naming the file', () => {
    expect(() => openSqliteStateStore(join(dir, 'missing-dir', 'x.db'))).toThrow(
      /missing-dir\/x\.db: cannot open state database/,
    )
  })
})
