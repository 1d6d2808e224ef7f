import type { Address } from '../../core/hex.js'
import { addressKey } from '../format.js'
import type { Finding, SignatureCheck } from '../Verdict.js'
import type { RuleContext } from './RuleContext.js'

/** The sentence a signer must read when signatures and transaction do not belong together. */
export const NOT_APPROVING = 'These signatures do not approve the transaction you are looking at'

/**
 * Signature forensics. Every signature (the `signatures` blob, or each Transaction Service
 * confirmation) is recovered against the safeTxHash computed here from the fields shown. A
 * signature made over a different transaction recovers to a random address, so: a signer who is
 * not an owner, or a confirmation whose recovered signer is not the owner it claims, blocks.
 */
export function signatureRules(context: RuleContext): {
  findings: Finding[]
  checks: SignatureCheck[]
} {
  const { input } = context
  const findings: Finding[] = []
  const checks: SignatureCheck[] = []
  const ownersKnown = context.owners.size > 0
  const isOwner = (address: Address | null) =>
    address && ownersKnown ? context.owners.has(addressKey(address)) : null
  const problems: string[] = []

  if (input.recovered && 'error' in input.recovered) {
    problems.push(`the signatures cannot be parsed (${input.recovered.error})`)
  } else if (input.recovered) {
    for (const sig of input.recovered) {
      const check: SignatureCheck = {
        index: sig.index,
        type: sig.type,
        signer: sig.signer,
        isOwner: isOwner(sig.signer),
        verified: sig.type === 'ecdsa' || sig.type === 'eth_sign',
      }
      if (sig.type === 'approved-hash')
        check.note =
          'pre-validated (v=1): counts only if this owner called approveHash on chain or executes the transaction'
      if (sig.type === 'contract')
        check.note =
          'contract signature (v=0): checked by the owner contract on chain (EIP-1271), not offline'
      if (check.isOwner === false)
        problems.push(
          `signature ${sig.index} (${sig.type}) recovers to ${sig.signer}, which is not an owner`,
        )
      checks.push(check)
    }
  }
  for (const [index, confirmation] of (input.confirmations ?? []).entries()) {
    const check: SignatureCheck = {
      index,
      type: confirmation.type ?? 'invalid',
      signer: confirmation.signer ?? null,
      claimedOwner: confirmation.owner,
      isOwner: isOwner(confirmation.signer ?? null),
      verified: confirmation.type === 'ecdsa' || confirmation.type === 'eth_sign',
    }
    if (confirmation.error) {
      check.type = 'invalid'
      check.note = confirmation.error
      problems.push(
        `the confirmation of ${confirmation.owner} is not a valid signature (${confirmation.error})`,
      )
    } else if (
      confirmation.signer &&
      addressKey(confirmation.signer) !== addressKey(confirmation.owner)
    ) {
      problems.push(
        `the confirmation said to be from ${confirmation.owner} recovers to ${confirmation.signer} over this transaction's hash`,
      )
    } else if (check.isOwner === false) {
      problems.push(`the confirmation of ${confirmation.owner} is not from an owner`)
    }
    checks.push(check)
  }
  if (problems.length > 0)
    findings.push({
      rule: 'signatures-do-not-approve',
      severity: 'critical',
      effect: 'block',
      safeTxHash: context.hashes.safeTxHash,
      message: `${NOT_APPROVING}: ${problems.join('; ')}. A signature made over a different safeTxHash than ${context.hashes.safeTxHash} looks exactly like this.`,
    })
  if (checks.length > 0 && !ownersKnown)
    findings.push({
      rule: 'owners-unknown',
      severity: 'low',
      effect: 'warn',
      message: `The signers (${checks.map((c) => c.signer ?? '?').join(', ')}) cannot be compared with the owners: add the owners of this Safe to the policy.`,
    })
  const threshold = context.policy?.threshold ?? input.threshold
  if (checks.length > 0 && ownersKnown && problems.length === 0 && threshold !== undefined) {
    const distinct = new Set(checks.filter((c) => c.isOwner).map((c) => addressKey(c.signer ?? '')))
    if (distinct.size < threshold)
      findings.push({
        rule: 'signatures-below-threshold',
        severity: 'info',
        effect: 'pass',
        message: `${distinct.size} of the ${threshold} owner signatures needed are present.`,
      })
  }
  return { findings, checks }
}

/**
 * Facts about the record itself: a Transaction Service record whose stated safeTxHash is not
 * the hash of its fields (blocks), and several proposals for the same Safe and nonce (only one
 * can execute; the others are what a swapped UI would show).
 */
export function recordRules(context: RuleContext): Finding[] {
  const { input, hashes } = context
  const findings: Finding[] = []
  if (
    input.claimedSafeTxHash &&
    input.claimedSafeTxHash.toLowerCase() !== hashes.safeTxHash.toLowerCase()
  )
    findings.push({
      rule: 'safe-tx-hash-mismatch',
      severity: 'critical',
      effect: 'block',
      message: `The record says its safeTxHash is ${input.claimedSafeTxHash}, but its fields hash to ${hashes.safeTxHash}: the fields shown are not the ones that were signed.`,
    })
  const proposals = input.proposals ?? []
  if (proposals.length > 1)
    findings.push({
      rule: 'conflicting-proposals',
      severity: 'high',
      effect: 'warn',
      proposals,
      message: `${proposals.length} different transactions are proposed for this Safe with nonce ${context.tx.nonce}; only one can execute: ${proposals
        .map((p) => `${p.safeTxHash} (${p.summary}${p.verdict ? `; verdict ${p.verdict}` : ''})`)
        .join('; ')}.`,
    })
  return findings
}
