import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { servicesEnv } from '../../test/services.js'
import { openStateStore } from './openStateStore.js'

describe('openStateStore', () => {
  let pgUrl = ''
  beforeAll(async () => {
    pgUrl = (await servicesEnv()).HEISTGUARD_TEST_PG_URL
  })

  test('file paths, sqlite: URLs and :memory: open SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-open-'))
    for (const url of [
      join(dir, 'a.db'),
      `sqlite:${join(dir, 'b.db')}`,
      'sqlite://c.db',
      ':memory:',
    ]) {
      const store = await openStateStore(url, { cwd: dir })
      expect(store.backend).toBe('sqlite')
      await store.putCase('k', { url })
      expect(await store.getCase('k')).toEqual({ url })
      await store.close()
    }
    // Relative paths resolve against cwd: the case written through sqlite://c.db is there.
    const again = await openStateStore(join(dir, 'c.db'))
    expect(await again.getCase('k')).toEqual({ url: 'sqlite://c.db' })
    await again.close()
  })

  test('postgres:// and postgresql:// open PostgreSQL', async () => {
    for (const scheme of ['postgres', 'postgresql']) {
      const url = `${pgUrl.replace(/^postgres/, scheme)}?schema=open_${scheme}_${process.pid}`
      const store = await openStateStore(url)
      expect(store.backend).toBe('postgres')
      await store.putCase('k', { scheme })
      expect(await store.getCase('k')).toEqual({ scheme })
      await store.close()
    }
  })

  test('other schemes are input errors', async () => {
    await expect(openStateStore('mysql://db/x')).rejects.toThrow(
      'state store URL: unsupported state store URL scheme mysql: (use a file path, sqlite: or postgres://)',
    )
    await expect(openStateStore('sqlite:')).rejects.toThrow(
      'state store URL: sqlite: needs a file path',
    )
  })
})
