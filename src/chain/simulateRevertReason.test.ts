import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { bytesToHex, encodeErrorResult, parseAbi } from 'viem'
import { describe, expect, test } from 'vitest'
import type { Hex } from '../core/hex.js'
import { decodeRevertReason, SAFE_ERROR_CODES } from './simulateRevertReason.js'

const vectors = JSON.parse(
  readFileSync(new URL('../../test/vectors/simulate-revert-reasons.json', import.meta.url), 'utf8'),
) as { vectors: { data: Hex; kind: string; message: string; safeCode?: string }[] }

const errorAbi = parseAbi(['error Error(string)'])

describe('decodeRevertReason', () => {
  test.each(vectors.vectors)('$message', ({ data, kind, message, safeCode }) => {
    const reason = decodeRevertReason(data)
    expect(reason.kind).toBe(kind)
    expect(reason.message).toBe(message)
    if (safeCode) expect(reason).toMatchObject({ safeCode })
  })

  test('every GSxxx the Safe 1.3.0 and 1.4.1 sources revert with has a meaning', () => {
    const codes = new Set<string>()
    for (const pkg of ['safe-contracts-1.3.0', '@safe-global/safe-contracts']) {
      const dir = fileURLToPath(new URL(`../../node_modules/${pkg}/contracts/`, import.meta.url))
      for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }))
        if (file.endsWith('.sol'))
          for (const match of readFileSync(join(dir, file), 'utf8').matchAll(/"(GS\d{3})"/g))
            codes.add(match[1]!)
    }
    expect(codes.size).toBeGreaterThan(25)
    for (const code of codes) expect(SAFE_ERROR_CODES[code], code).toMatch(/^[a-zA-Z]/)
  })

  test('property: any Error(string) round-trips; any bytes decode without throwing', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const data = encodeErrorResult({ abi: errorAbi, errorName: 'Error', args: [text] })
        const reason = decodeRevertReason(data)
        expect(reason.kind).toBe('error')
        expect(reason.kind === 'error' && reason.reason).toBe(text)
      }),
    )
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const reason = decodeRevertReason(bytesToHex(bytes))
        expect(typeof reason.message).toBe('string')
      }),
    )
  })
})
