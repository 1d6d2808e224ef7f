import type { AddressTable } from './AddressTable.js'

/** How worried a compliance desk should be, lowest first. */
export type RiskLevel = 'none' | 'low' | 'medium' | 'high' | 'severe'

export const RISK_LEVELS: readonly RiskLevel[] = ['none', 'low', 'medium', 'high', 'severe']

/**
 * Direct exposure to one heist in one token: the address holds stolen funds now, or received
 * them (an exit, a hop on an evidence path, a tripwire hit). Amounts are base units as decimal
 * strings, so JSON round-trips without losing precision.
 */
export type DirectExposure = {
  heist: string
  token: string
  /** Tainted balance held now ("0" when it passed the funds on). */
  holds: string
  /** Tainted amount received in total (at least `holds`). */
  received: string
  /** Tainted share of the current balance, 0..1 (0 when unknown). */
  share: number
  /** Hops from the theft along the evidence path, when known. */
  hops?: number
  /** What kind of place this is in the trace: holder, exit (bridge, exchange...), hop. */
  role: 'holder' | 'exit' | 'hop' | 'tripwire'
}

/** Exposure through intermediaries: funds reached this address `hops` transfers after a direct one. */
export type IndirectExposure = {
  heist: string
  hops: number
  /** Estimated share of this address's inflow that is tainted (haircut along the path), 0..1. */
  share: number
  /** The directly exposed address the taint came from. */
  via: string
}

/** A list or label that names this address. */
export type LabelHit = {
  /** Where the label comes from, e.g. `OFAC SDN 2025-11-19`, `FBI PSA I-022625-PSA`. */
  source: string
  name: string
  /** e.g. sanctioned, attacker, exchange, bridge, victim. */
  category: string
  sanctioned: boolean
  /** The heist the source attributes this address to, if any. */
  heist?: string
}

/** Everything the index knows about one address, with its risk already decided. */
export type Exposure = {
  address: string
  direct: DirectExposure[]
  indirect: IndirectExposure[]
  labels: LabelHit[]
  risk: RiskLevel
  reasons: string[]
}

/** What `screen` answers for one address. `indexed` is false for addresses the index never saw. */
export type ScreenResult = Exposure & { indexed: boolean }

export type HeistInfo = { id: string; name: string }

/**
 * The exposure index: a typed-array hash map of 20-byte keys to ids, and one entry per id.
 * Only exposed or labelled addresses are stored; every other address screens as `none`.
 */
export type ExposureIndex = {
  table: AddressTable
  entries: Exposure[]
  heists: HeistInfo[]
  /** How many hops indirect exposure was followed when the index was built. */
  hops: number
  /** Where it was built from (file name or table), for the answer's provenance. */
  source: string
}
