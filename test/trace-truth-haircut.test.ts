import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { columnsFromRecords } from '../src/trace/columnsFromRecords.js'
import { compareWithTruth } from '../src/trace/generate/compareWithTruth.js'
import { generateInMemory } from '../src/trace/generate/generateInMemory.js'
import { computeGroundTruth } from '../src/trace/generate/groundTruth.js'
import { resolveTaintSetup } from '../src/trace/resolveTaintSetup.js'
import { summarizeTaint } from '../src/trace/summarizeTaint.js'
import { checkConservation, runTaint } from '../src/trace/taintEngine.js'

// Ground truth from the exact reference implementation (src/trace/reference) must equal the
// float64 engine within a relative 1e-9 of the largest amount, on 1,000 random generated
// datasets with 1 to 3 blended heists; conservation must hold on every run.
describe('engine == generator ground truth (haircut)', () => {
  test('1,000 random seeds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 100, max: 400 }),
        (seed, heists, transfers) => {
          const data = generateInMemory({ transfers, heists, seed })
          const truth = computeGroundTruth(data.scenario, data.heistRecords, 'haircut')
          const { columns, dictionary } = columnsFromRecords(data.records)
          const state = runTaint(
            columns,
            resolveTaintSetup(
              { policy: 'haircut', heists: data.heists, places: data.places },
              dictionary,
            ),
          )
          const summary = summarizeTaint(
            state,
            dictionary,
            data.heists.map((h) => h.id),
          )
          expect(compareWithTruth(summary, truth)).toEqual([])
          expect(checkConservation(state).ok).toBe(true)
        },
      ),
      { numRuns: 1000, seed: 20261124 },
    )
  })
})
