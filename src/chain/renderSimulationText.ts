import type { SimulationJson } from './simulateToJson.js'

type CallNodeJson = SimulationJson['callTree']

const MAX_CALL_LINES = 40

/**
 * The simulation part of `heistguard verify --simulate` as text: outcome, every storage write of
 * the Safe by name (before -> after), balance changes and the call tree. Pure.
 *
 * @example
 * renderSimulationText(simulation)
 * // 'Simulated on a fork of block 12 (chain 31337): executed, inner call succeeded …'
 */
export function renderSimulationText(simulation: SimulationJson): string {
  const lines: string[] = []
  const outcome = simulation.revert
    ? `REVERTS: ${simulation.revert.message}`
    : simulation.executionFailure
      ? `executed, but the Safe's call FAILED${simulation.executionFailure.reason ? `: ${simulation.executionFailure.reason.message}` : ''}`
      : 'executes and succeeds'
  lines.push(
    `Simulated on a fork of block ${simulation.blockNumber} (chain ${simulation.chainId}): ${outcome}, gas ${simulation.gasUsed}.`,
  )

  lines.push('', `Storage writes (${simulation.storageWrites.length}):`)
  if (simulation.storageWrites.length === 0) lines.push('  none')
  for (const write of simulation.storageWrites) {
    const name = write.name ?? `slot ${write.slot}`
    const own =
      write.address.toLowerCase() === simulation.safe.toLowerCase() ? '' : ` of ${write.address}`
    lines.push(
      `  ${name}${own}: ${word(write.before, write.name)} -> ${word(write.after, write.name)}`,
    )
  }

  lines.push('', `Balance changes (${simulation.balanceChanges.length}):`)
  if (simulation.balanceChanges.length === 0) lines.push('  none')
  for (const change of simulation.balanceChanges) {
    const unit = change.token === null ? 'ETH' : (change.symbol ?? change.token)
    const amount = units(BigInt(change.delta), change.token === null ? 18 : (change.decimals ?? 0))
    lines.push(`  ${change.address} ${amount.startsWith('-') ? amount : `+${amount}`} ${unit}`)
  }

  lines.push('', 'Call tree:')
  const calls: string[] = []
  walk(simulation.callTree, calls)
  lines.push(...calls.slice(0, MAX_CALL_LINES))
  if (calls.length > MAX_CALL_LINES) lines.push(`  … ${calls.length - MAX_CALL_LINES} more calls`)
  return `${lines.join('\n')}\n`
}

function walk(node: CallNodeJson, out: string[]): void {
  const value = BigInt(node.value) > 0n ? ` value ${units(BigInt(node.value), 18)} ETH` : ''
  const selector = node.selector ? ` ${node.selector}` : ''
  const failed = node.success ? '' : ' (failed)'
  out.push(
    `  ${'  '.repeat(node.depth)}${node.type} ${node.to ?? '(creation failed)'}${selector}${value}${failed}`,
  )
  for (const child of node.calls) walk(child, out)
}

/** Storage words that hold an address are shown as one; everything else as a number. */
function word(hex: string, name: string | null): string {
  const value = BigInt(hex)
  const holdsAddress =
    name !== null && /implementation|guard|handler|owners|modules/.test(name) && value < 1n << 160n
  if (holdsAddress) return `0x${value.toString(16).padStart(40, '0')}`
  return value.toString()
}

function units(value: bigint, decimals: number): string {
  const negative = value < 0n
  const abs = negative ? -value : value
  const base = 10n ** BigInt(decimals)
  const whole = abs / base
  const fraction =
    decimals > 0 ? (abs % base).toString().padStart(decimals, '0').replace(/0+$/, '') : ''
  return `${negative ? '-' : ''}${whole.toLocaleString('en-US')}${fraction ? `.${fraction}` : ''}`
}
