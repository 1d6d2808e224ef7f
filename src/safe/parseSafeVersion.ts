import { InputError } from '../core/BaseError.js'
import { preview } from '../core/hex.js'
import { SAFE_VERSIONS } from './safeVersionFeatures.js'
import type { SafeVersion } from './types.js'

/**
 * Validates a Safe version taken from user input or from a Safe's `VERSION()`. Accepts an
 * optional leading `v` and the `+L2` suffix in any case; `field` names the flag or JSON key in
 * errors.
 *
 * @example
 * parseSafeVersion('v1.3.0+l2', '--safe-version') // '1.3.0+L2'
 */
export function parseSafeVersion(value: unknown, field: string): SafeVersion {
  const known = `known versions: ${SAFE_VERSIONS.join(', ')}`
  if (typeof value !== 'string')
    throw new InputError(`expected a Safe version string; ${known}`, {
      code: 'INVALID_SAFE_VERSION',
      field,
    })
  const match = /^\s*[vV]?(\d+\.\d+\.\d+)(\+[lL]2)?\s*$/.exec(value)
  const candidate = match ? `${match[1]}${match[2] ? '+L2' : ''}` : undefined
  const version = SAFE_VERSIONS.find((v) => v === candidate)
  if (version === undefined)
    throw new InputError(`unknown Safe version ${preview(value)}; ${known}`, {
      code: 'INVALID_SAFE_VERSION',
      field,
    })
  return version
}
