import type { Simulation } from './simulateSafeTx.js'

/** `T` as JSON carries it: bigints become decimal strings, everything else keeps its shape. */
export type Jsonify<T> = T extends bigint
  ? string
  : T extends string | number | boolean | null | undefined
    ? T
    : T extends readonly (infer U)[]
      ? Jsonify<U>[]
      : T extends object
        ? { [K in keyof T]: Jsonify<T[K]> }
        : T

/** A Simulation as printed by `--json`: amounts and gas as decimal strings. */
export type SimulationJson = Jsonify<Simulation>

/**
 * Converts a Simulation to plain JSON data (bigints as decimal strings, nothing else changes), so
 * `JSON.stringify` works and no precision is lost.
 *
 * @example
 * JSON.stringify(simulationToJson(simulation)) // '{"chainId":"31337",…}'
 */
export function simulationToJson(simulation: Simulation): SimulationJson {
  return toJson(simulation) as SimulationJson
}

/**
 * Any value as JSON data: bigints to decimal strings, undefined properties dropped.
 *
 * @example
 * toJsonValue({ amount: 10n }) // { amount: '10' }
 */
export function toJsonValue(value: unknown): unknown {
  return toJson(value)
}

function toJson(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (Array.isArray(value)) return value.map(toJson)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, entry] of Object.entries(value))
      if (entry !== undefined) out[key] = toJson(entry)
    return out
  }
  return value
}
