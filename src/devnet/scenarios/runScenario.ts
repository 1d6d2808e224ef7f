import { InputError } from '../../core/BaseError.js'
import type { Devnet } from '../startDevnet.js'
import { executeBybitTheft, setupBybit } from './bybit.js'

export type ScenarioName = 'bybit' | 'wazirx' | 'radiant' | 'benign'
/** How far to play a scenario: `setup` leaves the victim just before the malicious transaction. */
export type ScenarioStage = 'setup' | 'attack' | 'launder'

export const SCENARIO_NAMES: readonly ScenarioName[] = ['bybit']

export type RunScenarioParameters = {
  name: ScenarioName
  stage?: ScenarioStage
  /** Seed of generated laundering steps. */
  seed?: number
  /** Where laundering writes its ground-truth JSON. */
  groundTruthPath?: string
}

/** JSON-safe summary of what a scenario did (bigints as decimal strings). */
export type ScenarioSummary = { name: ScenarioName; stage: ScenarioStage; [key: string]: unknown }

/**
 * Plays a named scenario on a devnet up to `stage` and returns a JSON-safe summary; the scenario's
 * addresses are added to `devnet.addresses`. Used by `heistguard devnet --scenario`.
 *
 * @example
 * await runScenario(devnet, { name: 'bybit', stage: 'setup' })
 */
export async function runScenario(
  devnet: Devnet,
  parameters: RunScenarioParameters,
): Promise<ScenarioSummary> {
  const stage = parameters.stage ?? 'setup'
  switch (parameters.name) {
    case 'bybit': {
      const setup = await setupBybit(devnet)
      const summary: ScenarioSummary = { name: 'bybit', stage, setup: jsonSafe(setup) }
      if (stage === 'setup') return summary
      summary.attack = jsonSafe(await executeBybitTheft(devnet))
      return summary
    }
    default:
      throw new InputError(
        `unknown scenario ${JSON.stringify(parameters.name)}; one of ${SCENARIO_NAMES.join(', ')}`,
        {
          code: 'USAGE',
          field: '--scenario',
        },
      )
  }
}

/** bigint -> decimal string, recursively, so that the result survives JSON.stringify. */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (Array.isArray(value)) return value.map(jsonSafe)
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]))
  return value
}
