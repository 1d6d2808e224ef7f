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
  /** What the rules act on, e.g. `token-transfer`, `safe-owners`, `multisend` (registry kind). */
  kind?: string
  /** Why the calldata could not be decoded in full (truncated batch, bad argument bytes...). */
  error?: string
  /** One sentence: what this call does. */
  summary: string
  children?: DecodedCall[]
}

/** One signature found on the transaction, and what it proves. */
export type SignatureCheck = {
  index: number
  type: 'ecdsa' | 'eth_sign' | 'approved-hash' | 'contract' | 'invalid'
  /** Who the signature says signed (recovered for ECDSA and eth_sign). */
  signer: Address | null
  /** The owner the Safe Transaction Service attached to it, when the input came from there. */
  claimedOwner?: Address
  isOwner: boolean | null
  /** The signature was verified against this transaction's safeTxHash offline. */
  verified: boolean
  note?: string
}

/** Another proposal for the same Safe and nonce (only one of them can ever execute). */
export type ProposalSummary = {
  safeTxHash: Hex
  to: Address
  value: bigint
  operation: 0 | 1
  summary: string
  verdict?: VerdictValue
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
  signatures?: SignatureCheck[]
  simulation?: unknown
}
