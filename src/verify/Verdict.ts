import type { Address, Hex } from '../core/hex.js'
import type { SafeContext, SafeTx, SafeTxHashes } from '../safe/types.js'

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical'
export type VerdictValue = 'pass' | 'warn' | 'block'

/** One observation about a transaction. A `block` comes from findings, never from an exception. */
export type Finding = {
  /** Stable rule id, e.g. `delegatecall-not-allowlisted`. */
  rule: string
  severity: Severity
  /** One plain-English sentence a signer understands. */
  message: string
  /** What this finding does to the verdict. */
  effect: VerdictValue
  /** Index path of the call inside nested MultiSend batches, e.g. [0, 2]. */
  callPath?: number[]
  [key: string]: unknown
}

/** A decoded call: the top-level SafeTx or one entry of a (nested) MultiSend batch. */
export type DecodedCall = {
  path: number[]
  operation: 0 | 1
  to: Address
  value: bigint
  data: Hex
  /** `null` when the selector is unknown: reported, never guessed. */
  function: null | {
    name: string
    signature: string
    selector: Hex
    args: { name: string; type: string; value: unknown }[]
    /** Decoded arguments re-encode to exactly `data`. */
    reencodes: boolean
  }
  /** One sentence: what this call does. */
  summary: string
  children?: DecodedCall[]
}

/** The verifier's answer. `simulation` is present when a fork simulation ran. */
export type Verdict = {
  verdict: VerdictValue
  context: SafeContext
  tx: SafeTx
  hashes: SafeTxHashes
  summary: string
  calls: DecodedCall[]
  findings: Finding[]
  signatures?: unknown[]
  simulation?: unknown
}
