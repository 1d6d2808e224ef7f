import { formatUnits, getAddress, toFunctionSelector } from 'viem'
import type { Address, Hex } from '../core/hex.js'
import {
  type CanonicalContract,
  canonicalContracts,
  findCanonical,
  findCanonicalOnAnyChain,
} from '../safe/deployments.js'
import type { Finding } from '../verify/Verdict.js'
import type { CallNode } from './callTree.js'
import type { Simulation } from './simulateSafeTx.js'
import { toJsonValue } from './simulateToJson.js'
import type { BalanceChange, StorageWrite } from './stateDiff.js'

const CHANGE_MASTER_COPY = toFunctionSelector('function changeMasterCopy(address)')

/**
 * Turns a simulation into findings a signer can act on:
 * - slot 0 (the implementation) written by anything but `changeMasterCopy` (or a canonical
 *   SafeMigration) to a canonical singleton: `critical`, `block`, naming the new value: the
 *   Bybit and WazirX pattern;
 * - owners, threshold, modules, guard, module guard, fallback handler changed: `high`, `warn`;
 * - writes to Safe storage outside its layout: `high`, `block` (only foreign code running in
 *   the Safe's context writes there);
 * - a revert of execTransaction, or a failed inner call (nonce used, nothing done): `medium`;
 * - ETH and token outflows from the Safe, summarised: `info`;
 * - the Safe's on-chain version differing from the stated one, a nonce that is not next.
 * Pure: no I/O, so the verifier can run it on a simulation from anywhere.
 *
 * @example
 * simulationFindings(simulation).filter((f) => f.effect === 'block')
 * // [{ rule: 'simulation-implementation-changed', severity: 'critical', … }]
 */
export function simulationFindings(simulation: Simulation): Finding[] {
  const findings: Finding[] = []
  const safeWrites = simulation.storageWrites.filter((w) => w.address === simulation.safe)

  if (simulation.revert)
    findings.push({
      rule: 'simulation-reverted',
      severity: 'medium',
      effect: 'warn',
      message: `execTransaction would revert (${simulation.revert.message}): nothing happens and the nonce stays unused, but the signatures stay valid for later.`,
      reason: simulation.revert,
    })
  if (simulation.executionFailure) {
    const why = simulation.executionFailure.reason?.message ?? 'no reason given'
    findings.push({
      rule: 'simulation-call-failed',
      severity: 'medium',
      effect: 'warn',
      message: `The Safe's call would fail (${why}): the Safe emits ExecutionFailure, uses nonce ${simulation.tx.nonce} and does nothing else.`,
      reason: simulation.executionFailure.reason,
    })
  }

  for (const write of safeWrites.filter((w) => w.name === 'implementation'))
    findings.push(implementationFinding(simulation, write))
  findings.push(...managementFindings(safeWrites))

  const unknown = safeWrites.filter((w) => w.name === null)
  if (unknown.length > 0)
    findings.push({
      rule: 'simulation-unknown-safe-storage-written',
      severity: 'high',
      effect: 'block',
      message: `Writes ${unknown.length} storage slot${unknown.length === 1 ? '' : 's'} of the Safe outside its own layout (${unknown
        .slice(0, 3)
        .map((w) => w.slot)
        .join(
          ', ',
        )}${unknown.length > 3 ? ', …' : ''}): only foreign code running in the Safe's context does that.`,
      slots: unknown.map(({ slot, before, after }) => ({ slot, before, after })),
    })

  const outflow = outflowFinding(simulation)
  if (outflow) findings.push(outflow)

  if (simulation.versionMismatch)
    findings.push({
      rule: 'simulation-version-mismatch',
      severity: 'medium',
      effect: 'warn',
      message: `The Safe reports version ${simulation.versionMismatch.onChain ?? 'none'}, not ${simulation.versionMismatch.expected}: the hash being signed may not be the one the Safe checks.`,
    })
  const { nonce } = simulation.safeState
  if (simulation.tx.nonce < nonce)
    findings.push({
      rule: 'simulation-nonce-used',
      severity: 'medium',
      effect: 'warn',
      message: `Nonce ${simulation.tx.nonce} is already used (the Safe is at nonce ${nonce}): this transaction can never execute; it was simulated as if it were next.`,
    })
  else if (simulation.tx.nonce > nonce)
    findings.push({
      rule: 'simulation-nonce-queued',
      severity: 'info',
      effect: 'pass',
      message: `Nonce ${simulation.tx.nonce} is not next (the Safe is at nonce ${nonce}); simulated as if the ${simulation.tx.nonce - nonce} transaction(s) before it had not changed anything.`,
    })

  for (const change of simulation.codeChanges)
    findings.push(
      change.afterCodeHash === EMPTY_CODE_HASH
        ? {
            rule: 'simulation-code-removed',
            severity: 'high',
            effect: 'warn',
            message: `Removes the code of ${change.address} (self-destruct).`,
            address: change.address,
          }
        : {
            rule: 'simulation-contract-created',
            severity: 'info',
            effect: 'pass',
            message: `Creates a contract at ${change.address}.`,
            address: change.address,
          },
    )
  // Findings end up in the Verdict's JSON: no bigints in them.
  return findings.map((finding) => toJsonValue(finding) as Finding)
}

const EMPTY_CODE_HASH: Hex = '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470'

function implementationFinding(simulation: Simulation, write: StorageWrite): Finding {
  const before = wordAddress(write.before)
  const after = wordAddress(write.after)
  const canonical = after === null ? undefined : canonicalSingleton(simulation.chainId, after)
  const upgradePath = after === null ? null : legitimateUpgradeCall(simulation, after)
  if (canonical && upgradePath)
    return {
      rule: 'simulation-implementation-changed',
      severity: 'high',
      effect: 'warn',
      message: `Upgrades the Safe's implementation (slot 0) from ${before ?? write.before} to the canonical Safe ${canonical.safeVersion ?? canonical.version} singleton ${after} through ${upgradePath}.`,
      slot: write.slot,
      before: write.before,
      after: write.after,
      newImplementation: after,
    }
  const what =
    after === null
      ? `the non-address value ${write.after}`
      : canonical
        ? `the canonical singleton ${after}, but not through changeMasterCopy or a canonical SafeMigration`
        : `${after}, which is not a canonical Safe singleton`
  return {
    rule: 'simulation-implementation-changed',
    severity: 'critical',
    effect: 'block',
    message: `Overwrites the Safe's implementation (storage slot 0) from ${before ?? write.before} to ${what}: whoever controls that code controls the Safe and everything in it. No event announces this.`,
    slot: write.slot,
    before: write.before,
    after: write.after,
    newImplementation: after ?? write.after,
  }
}

/**
 * On chains the deployment list knows, the singleton must be canonical there; on others (a
 * devnet, a new chain) an address canonical on any chain counts: CREATE2 addresses imply code.
 */
function canonicalSingleton(chainId: bigint, address: Address): CanonicalContract | undefined {
  const isSingleton = (c: CanonicalContract | undefined) =>
    c && (c.kind === 'singleton' || c.kind === 'singletonL2') ? c : undefined
  if (canonicalContracts(chainId).length > 0) return isSingleton(findCanonical(chainId, address))
  return isSingleton(findCanonicalOnAnyChain(address))
}

/** 'changeMasterCopy' or 'SafeMigration …' when the call tree shows one setting `singleton`. */
function legitimateUpgradeCall(simulation: Simulation, singleton: Address): string | null {
  const { safe, chainId } = simulation
  let found: string | null = null
  walk(simulation.callTree, (node) => {
    if (found || !node.success || node.from !== safe) return
    if (
      node.type === 'CALL' &&
      node.to === safe &&
      node.selector === CHANGE_MASTER_COPY &&
      node.input.length >= 10 + 64 &&
      wordAddress(`0x${node.input.slice(10, 74)}`) === singleton
    )
      found = 'changeMasterCopy'
    if (node.type === 'DELEGATECALL' && node.to) {
      const target =
        canonicalContracts(chainId).length > 0
          ? findCanonical(chainId, node.to)
          : findCanonicalOnAnyChain(node.to)
      if (target?.kind === 'safeMigration' || target?.kind === 'safeToL2Migration')
        found = `a DELEGATECALL to the canonical ${target.contractName} ${target.version}`
    }
  })
  return found
}

type ManagementKind =
  | 'owners'
  | 'threshold'
  | 'modules'
  | 'guard'
  | 'moduleGuard'
  | 'fallbackHandler'
  | 'domainSeparator'
  | 'signedMessages'

function managementFindings(writes: StorageWrite[]): Finding[] {
  const findings: Finding[] = []
  const byKind = (kind: ManagementKind) =>
    writes.filter(
      ({ name }) =>
        name !== null &&
        (name === kind ||
          name.startsWith(`${kind}[`) ||
          (kind === 'owners' && name === 'ownerCount')),
    )

  const owners = byKind('owners')
  if (owners.length > 0) {
    const { added, removed } = listChanges(owners, 'owners')
    findings.push({
      rule: 'simulation-owners-changed',
      severity: 'high',
      effect: 'warn',
      message: `Changes the Safe's owners${describeList(added, removed, 'adds owner', 'removes owner')}.`,
      added,
      removed,
    })
  }
  const threshold = byKind('threshold')[0]
  if (threshold)
    findings.push({
      rule: 'simulation-threshold-changed',
      severity: 'high',
      effect: 'warn',
      message: `Changes the signature threshold from ${BigInt(threshold.before)} to ${BigInt(threshold.after)}.`,
      before: BigInt(threshold.before),
      after: BigInt(threshold.after),
    })
  const modules = byKind('modules')
  if (modules.length > 0) {
    const { added, removed } = listChanges(modules, 'modules')
    findings.push({
      rule: 'simulation-modules-changed',
      severity: 'high',
      effect: 'warn',
      message: `Changes the Safe's modules${describeList(added, removed, 'enables module', 'disables module')}; an enabled module can move funds without any owner signature.`,
      added,
      removed,
    })
  }
  for (const [kind, label, rule] of [
    ['guard', 'transaction guard', 'simulation-guard-changed'],
    ['moduleGuard', 'module guard', 'simulation-module-guard-changed'],
    ['fallbackHandler', 'fallback handler', 'simulation-fallback-handler-changed'],
  ] as const) {
    const write = byKind(kind)[0]
    if (!write) continue
    const before = wordAddress(write.before)
    const after = wordAddress(write.after)
    findings.push({
      rule,
      severity: 'high',
      effect: 'warn',
      message: `Changes the Safe's ${label} from ${before ?? 'none'} to ${after ?? 'none'}.`,
      before,
      after,
    })
  }
  if (byKind('domainSeparator').length > 0)
    findings.push({
      rule: 'simulation-domain-separator-changed',
      severity: 'high',
      effect: 'warn',
      message:
        "Rewrites the Safe's cached EIP-712 domain separator (slot 6): future signatures would be checked against another domain.",
    })
  const signed = byKind('signedMessages')
  if (signed.length > 0)
    findings.push({
      rule: 'simulation-message-signed',
      severity: 'medium',
      effect: 'warn',
      message: `Signs ${signed.length} message hash${signed.length === 1 ? '' : 'es'} on chain for the Safe (EIP-1271): ${signed.map((w) => w.name).join(', ')}; such a signature can authorise permits and orders.`,
    })
  return findings
}

/** Linked-list entries whose pointer went from zero to set (added) or from set to zero (removed). */
function listChanges(
  writes: StorageWrite[],
  kind: 'owners' | 'modules',
): { added: Address[]; removed: Address[] } {
  const added: Address[] = []
  const removed: Address[] = []
  const sentinel = '0x0000000000000000000000000000000000000001'
  for (const write of writes) {
    const match = write.name?.match(new RegExp(`^${kind}\\[(0x[0-9a-fA-F]{40})\\]$`))
    if (!match || match[1]!.toLowerCase() === sentinel) continue
    const key = getAddress(match[1]!)
    if (BigInt(write.before) === 0n && BigInt(write.after) !== 0n) added.push(key)
    if (BigInt(write.before) !== 0n && BigInt(write.after) === 0n) removed.push(key)
  }
  return { added, removed }
}

function describeList(
  added: Address[],
  removed: Address[],
  addVerb: string,
  removeVerb: string,
): string {
  const parts = [
    ...added.map((a) => `${addVerb} ${a}`),
    ...removed.map((a) => `${removeVerb} ${a}`),
  ]
  return parts.length === 0 ? '' : `: ${parts.join('; ')}`
}

function outflowFinding(simulation: Simulation): Finding | null {
  const out = simulation.balanceChanges.filter((c) => c.address === simulation.safe && c.delta < 0n)
  if (out.length === 0) return null
  const receivers = simulation.balanceChanges.filter(
    (c) => c.address !== simulation.safe && c.delta > 0n,
  )
  const amounts = out.map((c) => `${formatAmount(-c.delta, c)} ${assetName(c)}`)
  const to = receivers
    .slice(0, 5)
    .map((c) => `${c.address} (+${formatAmount(c.delta, c)} ${assetName(c)})`)
  return {
    rule: 'simulation-outflows',
    severity: 'info',
    effect: 'pass',
    message: `The Safe sends out ${amounts.join(', ')}${to.length > 0 ? `; received by ${to.join(', ')}${receivers.length > 5 ? ', …' : ''}` : ''}.`,
    outflows: out.map((c) => ({ token: c.token, symbol: c.symbol, amount: -c.delta })),
  }
}

function assetName(change: BalanceChange): string {
  return change.token === null ? 'ETH' : (change.symbol ?? `tokens of ${change.token}`)
}

function formatAmount(amount: bigint, change: BalanceChange): string {
  return change.decimals === null ? amount.toString() : formatUnits(amount, change.decimals)
}

function wordAddress(word: Hex): Address | null {
  const value = BigInt(word)
  if (value === 0n || value >= 1n << 160n) return null
  return getAddress(`0x${value.toString(16).padStart(40, '0')}`)
}

function walk(node: CallNode, visit: (node: CallNode) => void): void {
  visit(node)
  for (const child of node.calls) walk(child, visit)
}
