import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { encodeFunctionData, type Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import type { Address } from '../src/core/hex.js'
import { canonicalFacts } from '../src/verify/canonical.js'
import { decodeCall } from '../src/verify/decodeCall.js'
import {
  decodeMultiSend,
  encodeMultiSend,
  type MultiSendEntry,
} from '../src/verify/decodeMultiSend.js'
import { createRegistry } from '../src/verify/registry/createRegistry.js'
import { toJsonValue } from '../src/verify/toJsonValue.js'
import type { DecodedCall } from '../src/verify/Verdict.js'

type Expect = {
  kind: string
  signature: string | null
  args?: Record<string, unknown>
  reencodes: boolean | null
  summary: string
  children?: Expect[]
}
type Vector = {
  name: string
  source: string
  chainId: string
  safe: Address
  operation: number
  to: Address
  value: string
  data: Hex
  expect: Expect
}

const registry = createRegistry()

function check(call: DecodedCall, expected: Expect) {
  expect(call.kind).toBe(expected.kind)
  expect(call.function?.signature ?? null).toBe(expected.signature)
  expect(call.function?.reencodes ?? null).toBe(expected.reencodes)
  expect(call.summary).toBe(expected.summary)
  if (expected.args) {
    const args = Object.fromEntries(
      (call.function?.args ?? []).map((a) => [a.name, toJsonValue(a.value)]),
    )
    expect(args).toEqual(expected.args)
  }
  expect(call.children?.length ?? 0).toBe(expected.children?.length ?? 0)
  for (const [index, child] of (expected.children ?? []).entries())
    check(call.children![index]!, child)
}

for (const file of [
  'decode-bybit-safe-history.json',
  'decode-multisend.json',
  'decode-admin-and-tokens.json',
]) {
  const { vectors } = JSON.parse(
    readFileSync(new URL(`vectors/${file}`, import.meta.url), 'utf8'),
  ) as {
    vectors: Vector[]
  }
  describe(`decodeCall known answers: ${file}`, () => {
    for (const vector of vectors)
      test(vector.name, () => {
        const decoded = decodeCall(
          {
            operation: vector.operation,
            to: vector.to,
            value: BigInt(vector.value),
            data: vector.data,
          },
          {
            registry,
            safe: vector.safe,
            contractOf: canonicalFacts(BigInt(vector.chainId)).nameOf,
          },
        )
        check(decoded, vector.expect)
      })
  })
}

// Arbitrary values for every ABI type the registry uses, so that every built-in function can be
// encoded with random arguments.
function arbitraryFor(param: {
  type: string
  components?: readonly { type: string; components?: unknown }[]
}): fc.Arbitrary<unknown> {
  const { type } = param
  if (type.endsWith('[]'))
    return fc.array(arbitraryFor({ ...param, type: type.slice(0, -2) }), { maxLength: 3 })
  if (type === 'tuple')
    return fc.tuple(...(param.components ?? []).map((c) => arbitraryFor(c as typeof param)))
  if (type === 'address') return fc.uint8Array({ minLength: 20, maxLength: 20 }).map(hex)
  if (type === 'bool') return fc.boolean()
  if (type === 'bytes') return fc.uint8Array({ maxLength: 100 }).map(hex)
  const fixed = /^bytes(\d+)$/.exec(type)
  if (fixed)
    return fc.uint8Array({ minLength: Number(fixed[1]), maxLength: Number(fixed[1]) }).map(hex)
  const uint = /^uint(\d+)$/.exec(type)
  if (uint) {
    const bits = Number(uint[1])
    const big = fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n })
    return bits <= 48 ? big.map(Number) : big
  }
  throw new Error(`no arbitrary for ${type}`)
}
function hex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes).toString('hex')}` as Hex
}

describe('decodeCall properties (fast-check)', () => {
  const entries = [...registry.bySelector.values()]

  test('every registry function: random arguments decode and re-encode to the same bytes', () => {
    for (const entry of entries) {
      fc.assert(
        fc.property(
          fc.tuple(...entry.abiItem.inputs.map((input) => arbitraryFor(input as never))),
          (args) => {
            const data = encodeFunctionData({
              abi: [entry.abiItem],
              functionName: entry.name,
              args: args as unknown[],
            })
            const decoded = decodeCall(
              { operation: 0, to: '0x000000000022D473030F116dDEE9F6B43aC78BA3', value: 0n, data },
              {
                registry,
                safe: '0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4',
              },
            )
            expect(decoded.function?.signature).toBe(entry.signature)
            expect(decoded.function?.reencodes).toBe(true)
            // Random bytes are rarely a valid MultiSend batch; that case has its own properties below.
            if (entry.kind !== 'multisend') expect(decoded.error).toBeUndefined()
          },
        ),
        { numRuns: 15 },
      )
    }
  })

  test('appended bytes never re-encode (smuggled payloads are flagged)', () => {
    const transfer = [...registry.bySelector.values()].find(
      (e) => e.signature === 'transfer(address,uint256)',
    )!
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        (to, amount, extra) => {
          const data =
            `${encodeFunctionData({ abi: [transfer.abiItem], functionName: 'transfer', args: [hex(to), amount] })}${Buffer.from(extra).toString('hex')}` as Hex
          const decoded = decodeCall(
            { operation: 0, to: hex(to), value: 0n, data },
            { registry, safe: hex(to) },
          )
          expect(decoded.function?.reencodes).toBe(false)
        },
      ),
      { numRuns: 100 },
    )
  })

  const entry: fc.Arbitrary<MultiSendEntry> = fc.record({
    operation: fc.constantFrom(0, 1),
    to: fc.uint8Array({ minLength: 20, maxLength: 20 }).map(hex),
    value: fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
    data: fc.uint8Array({ maxLength: 200 }).map(hex),
  })

  test('random MultiSend batches round-trip through the packed encoding', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), (entries) => {
        const packed = encodeMultiSend(entries)
        expect(decodeMultiSend(packed)).toEqual({ ok: true, entries })
        expect(
          encodeMultiSend((decodeMultiSend(packed) as { entries: MultiSendEntry[] }).entries),
        ).toBe(packed)
      }),
      { numRuns: 200 },
    )
  })

  test('a truncated or padded batch is refused, never silently shortened', () => {
    fc.assert(
      fc.property(
        fc.array(entry, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 84 }),
        fc.boolean(),
        (entries, cut, pad) => {
          const packed = encodeMultiSend(entries)
          const changed = (pad ? `${packed}${'00'.repeat(cut)}` : packed.slice(0, -2 * cut)) as Hex
          expect(decodeMultiSend(changed).ok).toBe(false)
        },
      ),
      { numRuns: 200 },
    )
  })
})
