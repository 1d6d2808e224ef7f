import { InputError } from '../core/BaseError.js'
import type { Policy } from './Policy.js'
import type { TraceDictionary } from './TransferColumns.js'
import type { TaintSetup, TaintSource } from './taintEngine.js'

/** A heist as the engine needs it: id, theft transactions and address@block sources. */
export type HeistSpec = {
  id: string
  thefts: string[]
  sources: { address: string; block: number }[]
  /** Where the heist was defined (e.g. `case.yaml:4`), for error messages. */
  where?: string
}

/**
 * Resolves heists and place labels against a trace dictionary. A theft transaction that is not
 * in the data is bad input (exit 2) naming the case key.
 *
 * @example
 * const setup = resolveTaintSetup({ policy: 'haircut', heists, places }, dictionary)
 */
export function resolveTaintSetup(
  input: { policy: Policy; heists: HeistSpec[]; places: Map<string, number> },
  dictionary: TraceDictionary,
): TaintSetup {
  const txIndex = new Map<string, number>()
  for (const [i, h] of dictionary.txHashes.entries()) txIndex.set(h, i)
  const addressIndex = new Map<string, number>()
  for (const [i, a] of dictionary.addresses.entries()) addressIndex.set(a, i)
  const theftTx = new Map<number, number>()
  const sources: TaintSource[] = []
  input.heists.forEach((heist, h) => {
    heist.thefts.forEach((hash, k) => {
      const id = txIndex.get(hash.toLowerCase())
      if (id === undefined)
        throw new InputError(
          `theft transaction ${hash} is not in the transfer store (import it first)`,
          {
            code: 'TRACE_TX_NOT_FOUND',
            field: `${heist.where ?? 'case'}: heists[${h}].thefts[${k}]`,
          },
        )
      if (!theftTx.has(id)) theftTx.set(id, h)
    })
    for (const s of heist.sources) {
      const id = addressIndex.get(s.address.toLowerCase())
      // An address that never moved value in the data holds nothing to taint; skip it quietly.
      if (id !== undefined) sources.push({ address: id, heist: h, block: s.block })
    }
  })
  const placeByAddress = new Uint8Array(dictionary.addresses.length)
  for (const [address, code] of input.places) {
    const id = addressIndex.get(address)
    if (id !== undefined) placeByAddress[id] = code
  }
  return {
    policy: input.policy,
    heistCount: input.heists.length,
    theftTx,
    sources,
    placeOf: (a) => placeByAddress[a] ?? 0,
    addressCount: dictionary.addresses.length,
    placeByAddress,
  }
}
