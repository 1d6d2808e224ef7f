import { InputError } from '../../core/BaseError.js'
import type { Devnet } from '../startDevnet.js'
import { runBenignMonth } from './benign.js'
import { executeBybitTheft, setupBybit } from './bybit.js'
import { launderBybit } from './launderBybit.js'
import { attackRadiant, setupRadiant } from './radiant.js'
import { attackWazirx, setupWazirx } from './wazirx.js'

export type ScenarioName = 'bybit' | 'wazirx' | 'radiant' | 'benign'
/** How far to play a scenario: `setup` leaves the victim just before the malicious transaction. */
export type ScenarioStage = 'setup' | 'attack' | 'launder'

export const SCENARIO_NAMES: readonly ScenarioName[] = ['bybit', 'wazirx', 'radiant', 'benign']

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
      const theft = await executeBybitTheft(devnet)
      summary.attack = jsonSafe(theft)
      if (stage === 'attack') return summary
      const truth = await launderBybit(devnet, {
        seed: parameters.seed ?? 1,
        theft,
        ...(parameters.groundTruthPath ? { groundTruthPath: parameters.groundTruthPath } : {}),
      })
      // The full ground truth can be large; the CLI line carries its size and where it was written.
      summary.launder = {
        seed: truth.seed,
        transfers: truth.transfers.length,
        bridgeDeposits: truth.exits.bridge.length,
        exchangeDeposits: truth.exits.exchange.length,
        groundTruthPath: parameters.groundTruthPath ?? null,
      }
      return summary
    }
    case 'wazirx':
    case 'radiant': {
      if (stage === 'launder')
        throw new InputError(`--stage launder exists only for bybit`, {
          code: 'USAGE',
          field: '--stage',
        })
      if (parameters.name === 'wazirx') {
        const setup = await setupWazirx(devnet)
        const summary: ScenarioSummary = {
          name: 'wazirx',
          stage,
          setup: jsonSafe({ ...setup, signerKeys: undefined }),
        }
        if (stage === 'attack') summary.attack = jsonSafe(await attackWazirx(devnet, setup))
        return summary
      }
      const setup = await setupRadiant(devnet)
      const summary: ScenarioSummary = {
        name: 'radiant',
        stage,
        setup: jsonSafe({ ...setup, signerKeys: undefined }),
      }
      if (stage === 'attack') summary.attack = jsonSafe(await attackRadiant(devnet, setup))
      return summary
    }
    case 'benign': {
      // A month of routine operations has no attack stage: it always runs to the end.
      const month = await runBenignMonth(devnet, { seed: parameters.seed ?? 1 })
      return { name: 'benign', stage, month: jsonSafe(month) }
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
