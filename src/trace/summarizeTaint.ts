import type { TraceDictionary } from './TransferColumns.js'
import { accountTaint, mayHoldTaint, type TaintState } from './taintEngine.js'

/** Flat view of a finished trace keyed by strings, the shape ground truth uses. */
export type TaintSummary = {
  /** `address|token` -> heist id -> amount. */
  holders: Map<string, Map<string, number>>
  /** `place|token|heist` -> amount. */
  exits: Map<string, number>
  gasBurned: Map<string, number>
  taintedTopUps: { count: number; byToken: Map<string, number> }
}

/**
 * Summarizes engine state by address/token/heist strings.
 *
 * @example
 * const summary = summarizeTaint(state, dictionary, ['bybit'])
 */
export function summarizeTaint(
  state: TaintState,
  dictionary: TraceDictionary,
  heistIds: readonly string[],
  minAmount = 0,
): TaintSummary {
  const holders = new Map<string, Map<string, number>>()
  for (let acc = 0; acc < state.accountCount; acc++) {
    if (!mayHoldTaint(state, acc)) continue
    const t = accountTaint(state, acc)
    let entry: Map<string, number> | undefined
    for (let h = 0; h < state.K; h++) {
      if (t[h]! > minAmount) {
        if (!entry) entry = new Map()
        entry.set(heistIds[h]!, t[h]!)
      }
    }
    if (entry)
      holders.set(
        `${dictionary.addresses[state.accountAddress[acc]!]}|${dictionary.tokens[state.accountToken[acc]!]}`,
        entry,
      )
  }
  const exits = new Map<string, number>()
  for (const e of state.exits)
    for (let h = 0; h < state.K; h++) {
      if (!(e.amounts[h]! > 0)) continue
      const key = `${dictionary.addresses[e.to]}|${dictionary.tokens[e.token]}|${heistIds[h]}`
      exits.set(key, (exits.get(key) ?? 0) + e.amounts[h]!)
    }
  const gasBurned = new Map<string, number>()
  const eth = state.ledger.get(0)
  if (eth)
    for (let h = 0; h < state.K; h++)
      if (eth.burned[h]! > 0) gasBurned.set(heistIds[h]!, eth.burned[h]!)
  const byToken = new Map<string, number>()
  state.topUps.taintedByToken.forEach((x, token) => {
    if (x > 0) byToken.set(dictionary.tokens[token]!, x)
  })
  return { holders, exits, gasBurned, taintedTopUps: { count: state.topUps.taintedCount, byToken } }
}
