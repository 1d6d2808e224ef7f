import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { checkApiToken, createApiToken } from './apiTokens.js'
import type { AlertAck, ServerStore, StoredToken } from './ServerStore.js'

/**
 * The behaviour every ServerStore backend must have. A backend's test file calls it with a
 * factory returning a fresh, empty store; `reopen` closes a store and opens the same database
 * again (durability), `twin` opens a second store on the same database while the first stays
 * open (what two `serve` replicas do).
 *
 * @example
 * serverStoreSuite('sqlite', async () => openSqliteServerStore(':memory:'))
 */
export function serverStoreSuite(
  name: string,
  makeStore: () => Promise<ServerStore>,
  options: {
    reopen?: (store: ServerStore) => Promise<ServerStore>
    twin?: (store: ServerStore) => Promise<ServerStore>
  } = {},
): void {
  describe(`ServerStore contract: ${name}`, () => {
    let store: ServerStore
    beforeEach(async () => {
      store = await makeStore()
    })
    afterEach(async () => {
      await store.close()
    })

    test('tokens: put, get, list without secrets in creation order, delete once', async () => {
      const a = token('aaaaaaaaaaaa', 'ci', 1_700_000_000_000)
      const b = token('bbbbbbbbbbbb', 'ops: night shift', 1_700_000_000_001)
      await store.putToken(b)
      await store.putToken(a)
      expect(await store.getToken(a.id)).toEqual(a)
      expect(await store.getToken(b.id)).toEqual(b)
      expect(await store.getToken('cccccccccccc')).toBeNull()
      expect(await store.listTokens()).toEqual([
        { id: a.id, name: 'ci', createdAt: 1_700_000_000_000 },
        { id: b.id, name: 'ops: night shift', createdAt: 1_700_000_000_001 },
      ])
      expect(await store.deleteToken(a.id)).toBe(true)
      expect(await store.deleteToken(a.id)).toBe(false)
      expect(await store.getToken(a.id)).toBeNull()
      expect((await store.listTokens()).map((t) => t.id)).toEqual([b.id])
    })

    test('a second token with the same id is refused and the first is kept', async () => {
      const a = token('aaaaaaaaaaaa', 'first', 1)
      await store.putToken(a)
      await expect(store.putToken(token('aaaaaaaaaaaa', 'second', 2))).rejects.toThrow()
      expect(await store.getToken(a.id)).toEqual(a)
    })

    test('createApiToken / checkApiToken: only the salted hash is stored', async () => {
      const { token: secret, id } = await createApiToken(store, 'ci', 5)
      const stored = await store.getToken(id)
      expect(stored).toMatchObject({ id, name: 'ci', createdAt: 5 })
      expect(JSON.stringify(stored)).not.toContain(secret.slice(16))
      expect(await checkApiToken(store, secret)).toBe(id)
      expect(await checkApiToken(store, `${secret.slice(0, -1)}x`)).toBeNull()
      await store.deleteToken(id)
      expect(await checkApiToken(store, secret)).toBeNull()
    })

    test('acks: the first acknowledgement wins, later ones return it', async () => {
      const first: AlertAck = { alertId: 'alert-1', by: 'aaaaaaaaaaaa', at: 10, note: 'on it' }
      expect(await store.ackAlert(first)).toEqual(first)
      expect(
        await store.ackAlert({ alertId: 'alert-1', by: 'bbbbbbbbbbbb', at: 11, note: null }),
      ).toEqual(first)
      const second: AlertAck = { alertId: 'alert-2', by: 'bbbbbbbbbbbb', at: 12, note: null }
      expect(await store.ackAlert(second)).toEqual(second)
      expect(await store.listAcks()).toEqual([first, second])
    })

    test('names and notes read back exactly (any Unicode, quotes, backslashes, NUL)', async () => {
      const nul: AlertAck = { alertId: 'alert-nul', by: 'x', at: 1, note: 'a\u0000b\\\'"' }
      expect(await store.ackAlert(nul)).toEqual(nul)
      expect(await store.listAcks()).toEqual([nul])
      await fc.assert(
        fc.asyncProperty(
          fc.string({ unit: 'grapheme', maxLength: 40 }),
          fc.option(fc.string({ unit: 'grapheme', maxLength: 200 }), { nil: null }),
          fc.integer({ min: 0, max: 2 ** 52 }),
          async (text, note, at) => {
            const id = Math.random().toString(16).slice(2, 14).padEnd(12, '0')
            const t = token(id, text, at)
            await store.putToken(t)
            expect(await store.getToken(id)).toEqual(t)
            const ack: AlertAck = { alertId: `${text}#${id}`, by: id, at, note }
            expect(await store.ackAlert(ack)).toEqual(ack)
          },
        ),
        { numRuns: 40 },
      )
    })

    if (options.reopen) {
      const reopen = options.reopen
      test('tokens and acks survive closing and reopening the database', async () => {
        const t = token('dddddddddddd', 'durable', 7)
        const ack: AlertAck = { alertId: 'alert-d', by: t.id, at: 8, note: 'x' }
        await store.putToken(t)
        await store.ackAlert(ack)
        store = await reopen(store)
        expect(await store.getToken(t.id)).toEqual(t)
        expect(await store.listAcks()).toEqual([ack])
      })
    }

    if (options.twin) {
      const twin = options.twin
      test('two stores on one database see each other at once; racing acks agree on one winner', async () => {
        const other = await twin(store)
        try {
          const { token: secret, id } = await createApiToken(store, 'replica-a', 1)
          expect(await checkApiToken(other, secret)).toBe(id)
          expect(await other.deleteToken(id)).toBe(true)
          expect(await checkApiToken(store, secret)).toBeNull()
          const results = await Promise.all(
            Array.from({ length: 8 }, (_, i) =>
              (i % 2 ? other : store).ackAlert({
                alertId: 'raced',
                by: `by-${i}`,
                at: 100 + i,
                note: null,
              }),
            ),
          )
          expect(new Set(results.map((r) => r.by)).size).toBe(1)
          expect(await other.listAcks()).toEqual([results[0]])
          expect(await store.listAcks()).toEqual([results[0]])
        } finally {
          await other.close()
        }
      })
    }
  })
}

function token(id: string, name: string, createdAt: number): StoredToken {
  return { id, name, salt: `${id}00`, hash: `${id}ff`, createdAt }
}
