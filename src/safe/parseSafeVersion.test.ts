import { describe, expect, it } from 'vitest'
import { InputError } from '../core/BaseError.js'
import { parseSafeVersion } from './parseSafeVersion.js'
import { SAFE_VERSIONS } from './safeVersionFeatures.js'

describe('parseSafeVersion', () => {
  it('accepts every known version as is', () => {
    for (const v of SAFE_VERSIONS) expect(parseSafeVersion(v, 'v')).toBe(v)
  })
  it('accepts a leading v, an L2 suffix in any case and surrounding blanks', () => {
    expect(parseSafeVersion('v1.1.1', 'f')).toBe('1.1.1')
    expect(parseSafeVersion('1.3.0+L2', 'f')).toBe('1.3.0+L2')
    expect(parseSafeVersion(' V1.4.1+l2 ', 'f')).toBe('1.4.1+L2')
  })
  it('rejects unknown versions with an InputError listing the known ones', () => {
    expect(() => parseSafeVersion('1.4.0', '--safe-version')).toThrowError(InputError)
    expect(() => parseSafeVersion('1.2.0+L2', '--safe-version')).toThrowError(
      '--safe-version: unknown Safe version "1.2.0+L2"; known versions: 0.1.0, 1.0.0, 1.1.0, 1.1.1, 1.2.0, 1.3.0, 1.3.0+L2, 1.4.1, 1.4.1+L2, 1.5.0, 1.5.0+L2',
    )
    expect(() => parseSafeVersion(130, 'x')).toThrowError(/x: expected a Safe version string/)
    try {
      parseSafeVersion('latest', 'f')
    } catch (error) {
      expect((error as InputError).exitCode).toBe(2)
      expect((error as InputError).code).toBe('INVALID_SAFE_VERSION')
    }
  })
})
