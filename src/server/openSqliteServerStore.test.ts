import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqliteServerStore } from './openSqliteServerStore.js'
import type { ServerStore } from './ServerStore.js'
import { serverStoreSuite } from './serverStoreSuite.js'

const dir = mkdtempSync(join(tmpdir(), 'hg-server-store-'))
let n = 0
const paths = new WeakMap<ServerStore, string>()
const open = (path: string) => {
  const store = openSqliteServerStore(path)
  paths.set(store, path)
  return store
}

serverStoreSuite('sqlite', async () => open(join(dir, `s${n++}.db`)), {
  reopen: async (store) => {
    await store.close()
    return open(paths.get(store)!)
  },
  twin: async (store) => open(paths.get(store)!),
})
serverStoreSuite('sqlite :memory:', async () => openSqliteServerStore(':memory:'))
