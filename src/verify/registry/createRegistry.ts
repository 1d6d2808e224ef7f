import { type AbiFunction, parseAbiItem, toFunctionSelector, toFunctionSignature } from 'viem'
import { InputError } from '../../core/BaseError.js'
import type { Hex } from '../../core/hex.js'
import { BUILTIN_FUNCTIONS } from './builtinFunctions.js'
import { SAFE_FUNCTIONS } from './safeFunctions.js'

/** One decodable function. `kind` is what the rules act on (`custom` for user ABIs). */
export type RegistryEntry = {
  selector: Hex
  /** Canonical signature, e.g. `transfer(address,uint256)`. */
  signature: string
  name: string
  abiItem: AbiFunction
  kind: string
  /** `builtin`, `safe`, or the ABI file a user entry came from. */
  source: string
}

/** Offline selector registry: built-ins first, then user ABIs for selectors not yet known. */
export type Registry = {
  bySelector: ReadonlyMap<Hex, RegistryEntry>
  /** User entries whose selector was already taken by a built-in (kept out, reported). */
  shadowed: RegistryEntry[]
}

/** A user-supplied ABI: JSON ABI items or human-readable `function ...` strings. */
export type AbiSource = { source: string; abi: readonly (AbiFunction | string)[] }

let builtin: Map<Hex, RegistryEntry> | undefined

function toEntry(item: AbiFunction | string, kind: string, source: string): RegistryEntry | null {
  const abiItem = typeof item === 'string' ? (parseAbiItem(item) as AbiFunction) : item
  if (abiItem.type !== 'function') return null
  const signature = toFunctionSignature(abiItem)
  return {
    selector: toFunctionSelector(signature),
    signature,
    name: abiItem.name,
    abiItem,
    kind,
    source,
  }
}

function builtinEntries(): Map<Hex, RegistryEntry> {
  if (builtin) return builtin
  const map = new Map<Hex, RegistryEntry>()
  // Safe's functions first: on a Safe, `approveHash` etc. must not be shadowed by token ABIs.
  for (const { kind, item } of SAFE_FUNCTIONS()) {
    const entry = toEntry(item, kind, 'safe')
    if (entry && !map.has(entry.selector)) map.set(entry.selector, entry)
  }
  for (const { kind, signature } of BUILTIN_FUNCTIONS) {
    const entry = toEntry(signature, kind, 'builtin')
    if (entry && !map.has(entry.selector)) map.set(entry.selector, entry)
  }
  builtin = map
  return map
}

/**
 * Builds the selector registry: the shipped ABIs (tokens, WETH, proxies, access control,
 * Permit2, every Safe function) plus user ABIs. A user entry never replaces a built-in with the
 * same selector (a malicious or careless ABI file must not rename `transfer`); such entries are
 * listed in `shadowed`.
 *
 * @example
 * const registry = createRegistry([{ source: 'vault.json', abi: ['function sweep(address to)'] }])
 * registry.bySelector.get('0x01681a62')?.name // 'sweep'
 */
export function createRegistry(extra: readonly AbiSource[] = []): Registry {
  const base = builtinEntries()
  if (extra.length === 0) return { bySelector: base, shadowed: [] }
  const map = new Map(base)
  const shadowed: RegistryEntry[] = []
  for (const { source, abi } of extra) {
    for (const item of abi) {
      let entry: RegistryEntry | null
      try {
        entry = toEntry(item, 'custom', source)
      } catch (error) {
        throw new InputError(
          `cannot read ABI entry ${JSON.stringify(typeof item === 'string' ? item.slice(0, 60) : (item.name ?? '?'))}: ${(error as { shortMessage?: string }).shortMessage ?? (error as Error).message.split('\n')[0]}`,
          { code: 'INVALID_ABI', field: source },
        )
      }
      if (!entry) continue
      const existing = map.get(entry.selector)
      if (!existing) map.set(entry.selector, entry)
      else if (existing.signature !== entry.signature) shadowed.push(entry)
    }
  }
  return { bySelector: map, shadowed }
}
