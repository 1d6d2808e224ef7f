import type { ScenarioName } from './runScenario.js'

/**
 * The genesis date that lets a scenario use its real dates: blocks can only move forward in time,
 * so a replay of 21 Feb 2025 must start before it.
 *
 * @example
 * await startDevnet({ initialDate: scenarioGenesisDate('bybit') })
 */
export function scenarioGenesisDate(name: ScenarioName): Date {
  switch (name) {
    case 'bybit':
      // the morning of 21 Feb 2025, before the theft at 14:13:35 UTC
      return new Date('2025-02-21T12:00:00Z')
    case 'wazirx':
      return new Date('2024-07-18T00:00:00Z')
    case 'radiant':
      return new Date('2024-10-16T00:00:00Z')
    case 'benign':
      return new Date('2025-01-01T00:00:00Z')
  }
}
