import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
// @ts-expect-error: plain .mjs build script without type declarations
import { compileContracts, outputPath } from '../../../scripts/compile-contracts.mjs'

describe('compiled.json', () => {
  test('is exactly what solc-js produces from the committed sources (run scripts/compile-contracts.mjs after editing a .sol)', () => {
    const committed = JSON.parse(readFileSync(outputPath as string, 'utf8'))
    expect((compileContracts as () => unknown)()).toEqual(committed)
  })
})
