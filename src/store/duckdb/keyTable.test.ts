import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { createKeyTable } from './keyTable.js'

describe('createKeyTable', () => {
  test('finds exactly what was added, across growth (property, against a Map)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { maxLength: 3000 }),
        fc.nat({ max: 1000 }),
        (keys, start) => {
          // A tiny expected size forces several rehashes; low words collide on purpose.
          const table = createKeyTable(1)
          const model = new Map<string, number>()
          let next = start
          for (const [a, b, c] of keys) {
            const k0 = (a % 64) >>> 0
            const name = `${k0}:${b}:${c}`
            const found = table.find(k0, b, c)
            expect(found).toBe(model.get(name) ?? -1)
            if (found < 0) {
              table.add(k0, b, c, next)
              model.set(name, next)
              next += 1
            }
          }
          expect(table.size()).toBe(model.size)
          for (const [name, id] of model) {
            const [k0, b, c] = name.split(':').map(Number) as [number, number, number]
            expect(table.find(k0, b, c)).toBe(id)
          }
        },
      ),
      { numRuns: 50 },
    )
  })

  test('keys that differ only in the second or third word are different keys', () => {
    const table = createKeyTable(4)
    table.add(7, 1, 1, 0)
    expect(table.find(7, 1, 2)).toBe(-1)
    expect(table.find(7, 2, 1)).toBe(-1)
    table.add(7, 1, 2, 1)
    expect([table.find(7, 1, 1), table.find(7, 1, 2)]).toEqual([0, 1])
    expect(table.find(0xffffffff, 0xffffffff, 0xffffffff)).toBe(-1)
    table.add(0xffffffff, 0xffffffff, 0xffffffff, 2)
    expect(table.find(0xffffffff, 0xffffffff, 0xffffffff)).toBe(2)
  })
})
