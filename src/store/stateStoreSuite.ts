import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { type Alert, type Checkpoint, messageIdFor, type StateStore } from './StateStore.js'

/**
 * The behaviour every StateStore backend must have. A backend's test file calls it with a
 * factory that returns a fresh, empty store (and may reopen the same database when `reopen` is
 * given, to prove durability).
 *
 * @example
 * stateStoreSuite('sqlite', async () => openSqliteStateStore(':memory:'))
 */
export function stateStoreSuite(
  name: string,
  makeStore: () => Promise<StateStore>,
  options: { reopen?: (store: StateStore) => Promise<StateStore> } = {},
): void {
  describe(`StateStore contract: ${name}`, () => {
    let store: StateStore
    beforeEach(async () => {
      store = await makeStore()
    })
    afterEach(async () => {
      await store.close()
    })

    test('putAlerts inserts once, enqueues one message per notifier, replay is a no-op', async () => {
      const alert = sampleAlert({ id: 'a1', blockNumber: 10 })
      const first = await store.putAlerts([alert], ['stdout', 'webhook'])
      expect(first.map((a) => a.id)).toEqual(['a1'])
      const again = await store.putAlerts([alert], ['stdout', 'webhook'])
      expect(again).toEqual([])
      const messages = await store.listMessages({ alertId: 'a1' })
      expect(messages.map((m) => [m.messageId, m.notifier, m.kind, m.state, m.attempts])).toEqual([
        ['a1', 'stdout', 'alert', 'pending', 0],
        ['a1', 'webhook', 'alert', 'pending', 0],
      ])
      expect(messages[0]!.alert).toEqual({ ...alert, state: 'live', revision: 0 })
      expect(await store.getAlert('a1')).toEqual({ ...alert, state: 'live', revision: 0 })
      expect(await store.getAlert('nope')).toBeNull()
    })

    test('retractAlertsAbove retracts only live alerts above the block, with follow-up messages', async () => {
      await store.putAlerts(
        [
          sampleAlert({ id: 'b9', blockNumber: 9 }),
          sampleAlert({ id: 'b10', blockNumber: 10 }),
          sampleAlert({ id: 'b11', blockNumber: 11 }),
          sampleAlert({ id: 'other-chain', blockNumber: 11, chainId: 5 }),
        ],
        ['webhook'],
      )
      const retracted = await store.retractAlertsAbove(1, 9, ['webhook'], 2000)
      expect(retracted.map((a) => [a.id, a.state, a.revision])).toEqual([
        ['b10', 'retracted', 1],
        ['b11', 'retracted', 1],
      ])
      expect(await store.retractAlertsAbove(1, 9, ['webhook'], 2001)).toEqual([])
      expect((await store.listAlerts({ chainId: 1, state: 'live' })).map((a) => a.id)).toEqual([
        'b9',
      ])
      const follow = await store.listMessages({ alertId: 'b10' })
      expect(follow.map((m) => [m.messageId, m.kind])).toEqual([
        ['b10', 'alert'],
        [messageIdFor('b10', 1), 'retraction'],
      ])
      // The same block coming back (A -> B -> A) restores the alert with a third message.
      const restored = await store.putAlerts(
        [sampleAlert({ id: 'b10', blockNumber: 10 })],
        ['webhook'],
      )
      expect(restored.map((a) => [a.id, a.state, a.revision])).toEqual([['b10', 'live', 2]])
      expect(
        (await store.listMessages({ alertId: 'b10' })).map((m) => [m.messageId, m.kind]),
      ).toEqual([
        ['b10', 'alert'],
        ['b10:r1', 'retraction'],
        ['b10:r2', 'restoration'],
      ])
    })

    test('outbox: due messages in order, failures back off, dead letters are kept', async () => {
      await store.putAlerts(
        [sampleAlert({ id: 'x1', createdAt: 100 }), sampleAlert({ id: 'x2', createdAt: 100 })],
        ['webhook'],
      )
      expect((await store.listDueMessages(100, 10)).map((m) => m.messageId)).toEqual(['x1', 'x2'])
      expect(await store.listDueMessages(99, 10)).toEqual([])
      await store.markFailed('x1', 'webhook', {
        error: 'HTTP 500',
        nextAttemptAt: 500,
        dead: false,
      })
      expect((await store.listDueMessages(100, 10)).map((m) => m.messageId)).toEqual(['x2'])
      const [x1] = await store.listDueMessages(500, 1)
      expect([x1!.messageId, x1!.attempts, x1!.lastError]).toEqual(['x1', 1, 'HTTP 500'])
      await store.markDelivered('x2', 'webhook', 600)
      await store.markFailed('x1', 'webhook', { error: 'HTTP 500', nextAttemptAt: 900, dead: true })
      expect(await store.listDueMessages(10_000, 10)).toEqual([])
      expect(await store.countMessages()).toEqual({ pending: 0, delivered: 1, dead: 1 })
      const [dead] = await store.listMessages({ state: 'dead' })
      expect([dead!.messageId, dead!.attempts]).toEqual(['x1', 2])
      const [delivered] = await store.listMessages({ state: 'delivered' })
      expect([delivered!.messageId, delivered!.deliveredAt]).toEqual(['x2', 600])
      // A late success report for a dead message does not resurrect it.
      await store.markDelivered('x1', 'webhook', 1000)
      expect(await store.countMessages()).toEqual({ pending: 0, delivered: 1, dead: 1 })
    })

    test('checkpoints round-trip with their ring of recent hashes', async () => {
      expect(await store.getCheckpoint(1)).toBeNull()
      const checkpoint: Checkpoint = {
        chainId: 1,
        number: 12,
        hash: '0x0c',
        recent: [
          { number: 11, hash: '0x0b', parentHash: '0x0a' },
          { number: 12, hash: '0x0c', parentHash: '0x0b' },
        ],
        updatedAt: 7,
      }
      await store.putCheckpoint(checkpoint)
      await store.putCheckpoint({ ...checkpoint, chainId: 5, number: 3 })
      expect(await store.getCheckpoint(1)).toEqual(checkpoint)
      await store.putCheckpoint({ ...checkpoint, number: 13, hash: '0x0d' })
      expect((await store.getCheckpoint(1))?.number).toBe(13)
      expect((await store.getCheckpoint(5))?.number).toBe(3)
    })

    test('transaction commits alerts and checkpoint together, or neither', async () => {
      const checkpoint: Checkpoint = {
        chainId: 1,
        number: 5,
        hash: '0x05',
        recent: [],
        updatedAt: 1,
      }
      await expect(
        store.transaction(async (tx) => {
          await tx.putAlerts([sampleAlert({ id: 'rolled-back' })], ['stdout'])
          await tx.putCheckpoint(checkpoint)
          throw new Error('crash between writes')
        }),
      ).rejects.toThrow('crash between writes')
      expect(await store.getAlert('rolled-back')).toBeNull()
      expect(await store.getCheckpoint(1)).toBeNull()
      expect(await store.listMessages()).toEqual([])

      const result = await store.transaction(async (tx) => {
        await tx.putAlerts([sampleAlert({ id: 'kept' })], ['stdout'])
        await tx.putCheckpoint(checkpoint)
        return 'ok'
      })
      expect(result).toBe('ok')
      expect((await store.getAlert('kept'))?.state).toBe('live')
      expect(await store.getCheckpoint(1)).toEqual(checkpoint)
    })

    test('calls made outside a running transaction do not land inside it', async () => {
      let release!: () => void
      const gate = new Promise<void>((resolve) => {
        release = resolve
      })
      const tx = store.transaction(async (t) => {
        await t.putAlerts([sampleAlert({ id: 'in-tx' })], ['stdout'])
        await gate
        throw new Error('abort')
      })
      const outside = store.putAlerts([sampleAlert({ id: 'outside' })], ['stdout'])
      release()
      await expect(tx).rejects.toThrow('abort')
      await outside
      expect(await store.getAlert('in-tx')).toBeNull()
      expect((await store.getAlert('outside'))?.id).toBe('outside')
    })

    test('intents, receipts and cases', async () => {
      await store.putIntent({
        id: 'i1',
        chainId: 1,
        from: '0xaa',
        to: '0xbb',
        token: null,
        maxAmount: '1000',
        validFrom: 0,
        validUntil: 10,
        state: 'open',
      })
      await store.putIntent({
        id: 'i2',
        chainId: 1,
        from: '0xaa',
        to: '0xcc',
        token: '0xdd',
        maxAmount: '5',
        validFrom: 0,
        validUntil: 10,
        state: 'open',
      })
      await store.setIntentState('i1', 'used')
      expect((await store.listIntents({ chainId: 1, state: 'open' })).map((i) => i.id)).toEqual([
        'i2',
      ])
      expect((await store.listIntents()).map((i) => [i.id, i.state])).toEqual([
        ['i1', 'used'],
        ['i2', 'open'],
      ])

      await store.putReceipt({
        safeTxHash: '0xAB',
        signer: '0x01',
        verdict: 'pass',
        time: 1,
        document: { a: 1 },
      })
      await store.putReceipt({
        safeTxHash: '0xab',
        signer: '0x01',
        verdict: 'block',
        time: 2,
        document: { a: 2 },
      })
      await store.putReceipt({
        safeTxHash: '0xab',
        signer: '0x02',
        verdict: 'pass',
        time: 3,
        document: {},
      })
      expect((await store.listReceipts('0xAb')).map((r) => [r.signer, r.verdict, r.time])).toEqual([
        ['0x01', 'block', 2],
        ['0x02', 'pass', 3],
      ])

      await store.putCase('c1', { heist: 'bybit', n: [1, 2] })
      await store.putCase('c1', { heist: 'bybit', n: [3] })
      expect(await store.getCase('c1')).toEqual({ heist: 'bybit', n: [3] })
      expect(await store.getCase('c2')).toBeNull()
      expect(await store.listCaseIds()).toEqual(['c1'])
    })

    test('property: any interleaving of put/retract keeps exactly one message per (revision, notifier)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.oneof(
              fc.record({ put: fc.integer({ min: 0, max: 5 }) }),
              fc.record({ retractAbove: fc.integer({ min: -1, max: 5 }) }),
            ),
            {
              maxLength: 30,
            },
          ),
          async (steps) => {
            const s = await makeStore()
            try {
              const model = new Map<string, { live: boolean; revision: number }>()
              for (const step of steps) {
                if ('put' in step) {
                  const id = `p${step.put}`
                  await s.putAlerts([sampleAlert({ id, blockNumber: step.put })], ['n1', 'n2'])
                  const m = model.get(id)
                  if (!m) model.set(id, { live: true, revision: 0 })
                  else if (!m.live) model.set(id, { live: true, revision: m.revision + 1 })
                } else {
                  await s.retractAlertsAbove(1, step.retractAbove, ['n1', 'n2'], 1)
                  for (const [id, m] of model)
                    if (m.live && Number(id.slice(1)) > step.retractAbove)
                      model.set(id, { live: false, revision: m.revision + 1 })
                }
              }
              const messages = await s.listMessages()
              const keys = messages.map((m) => `${m.messageId}/${m.notifier}`)
              expect(new Set(keys).size).toBe(keys.length)
              let expected = 0
              for (const [id, m] of model) {
                expected += 2 * (m.revision + 1)
                expect((await s.getAlert(id))?.state).toBe(m.live ? 'live' : 'retracted')
              }
              expect(messages.length).toBe(expected)
            } finally {
              await s.close()
            }
          },
        ),
        { numRuns: 40 },
      )
    })

    if (options.reopen) {
      const reopen = options.reopen
      test('committed state survives close and reopen', async () => {
        await store.transaction(async (tx) => {
          await tx.putAlerts([sampleAlert({ id: 'durable' })], ['webhook'])
          await tx.putCheckpoint({ chainId: 1, number: 9, hash: '0x09', recent: [], updatedAt: 1 })
        })
        store = await reopen(store)
        expect((await store.getAlert('durable'))?.id).toBe('durable')
        expect((await store.getCheckpoint(1))?.number).toBe(9)
        expect(
          (await store.listDueMessages(Number.MAX_SAFE_INTEGER, 10)).map((m) => m.messageId),
        ).toEqual(['durable'])
      })
    }
  })
}

function sampleAlert(overrides: Partial<Alert> & { id: string }): Alert {
  return {
    chainId: 1,
    blockNumber: 1,
    blockHash: '0x01',
    txHash: '0x02',
    detector: 'outflow',
    severity: 'high',
    title: 'ETH left a watched address',
    details: { value: '1000' },
    state: 'live',
    revision: 0,
    createdAt: 1000,
    ...overrides,
  }
}
