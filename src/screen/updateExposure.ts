import { InputError } from '../core/BaseError.js'
import { getAddressId, internAddress } from './AddressTable.js'
import { addAmounts } from './amounts.js'
import { makeExposure } from './buildExposureIndex.js'
import type {
  DirectExposure,
  Exposure,
  ExposureIndex,
  IndirectExposure,
  LabelHit,
} from './Exposure.js'

/** A change to one address's exposure, e.g. from the live tripwire seeing tainted funds move. */
export type ExposureDelta = {
  address: string
  /** Added to (or merged with) the entry for the same heist, token and role. */
  direct?: DirectExposure[]
  indirect?: IndirectExposure[]
  labels?: LabelHit[]
  /**
   * Direct amounts replace (rather than add to) the entry for the same heist, token and role: a
   * trace case run again, or the tripwire's current holdings, state totals, not increments.
   */
  replace?: boolean
}

/**
 * Applies a delta in place and returns the updated entry, with its risk re-decided. Direct amounts
 * for the same heist/token/role are added (a second tainted deposit adds to the first), or
 * replaced with `replace`; indirect
 * exposure keeps the closest hop and the larger share; labels are deduplicated by source and name.
 * Lookups see the change immediately: the tripwire and the HTTP API share one index.
 *
 * @example
 * updateExposure(index, {
 *   address: '0x…', direct: [{ heist: 'bybit', token: 'native', holds: '10', received: '10', share: 1, role: 'tripwire' }],
 * }).risk // 'severe'
 */
export function updateExposure(index: ExposureIndex, delta: ExposureDelta): Exposure {
  let id = getAddressId(index.table, delta.address)
  if (id < 0) {
    id = internAddress(index.table, delta.address)
    if (id < 0)
      throw new InputError('not a 20-byte 0x address', {
        code: 'INVALID_ADDRESS',
        field: 'address',
      })
  }
  const old = index.entries[id]
  const direct = [...(old?.direct ?? [])]
  for (const d of delta.direct ?? []) {
    const at = direct.findIndex(
      (x) => x.heist === d.heist && sameToken(x.token, d.token) && x.role === d.role,
    )
    if (at < 0) direct.push(d)
    else if (delta.replace) direct[at] = d
    else {
      const x = direct[at]!
      direct[at] = {
        ...x,
        holds: addAmounts(x.holds, d.holds),
        received: addAmounts(x.received, d.received),
        share: Math.max(x.share, d.share),
      }
    }
  }
  const indirect = [...(old?.indirect ?? [])]
  for (const i of delta.indirect ?? []) {
    const at = indirect.findIndex((x) => x.heist === i.heist)
    if (at < 0) indirect.push(i)
    else {
      const x = indirect[at]!
      indirect[at] = { ...x, hops: Math.min(x.hops, i.hops), share: Math.max(x.share, i.share) }
    }
  }
  const labels = [...(old?.labels ?? [])]
  for (const l of delta.labels ?? [])
    if (!labels.some((x) => x.source === l.source && x.name === l.name)) labels.push(l)
  const entry = makeExposure(old?.address ?? delta.address.toLowerCase(), direct, indirect, labels)
  index.entries[id] = entry
  return entry
}

// Native ETH is spelled `native` in index files and `ETH`/`eth` in trace reports: one token.
function sameToken(a: string, b: string): boolean {
  const canonical = (t: string) => (t === 'native' || t === 'ETH' ? 'eth' : t.toLowerCase())
  return canonical(a) === canonical(b)
}
