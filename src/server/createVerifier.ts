import { simulateForVerdict } from '../chain/simulateForVerdict.js'
import type { Policy } from '../verify/policy.js'
import type { Verdict } from '../verify/Verdict.js'
import {
  recoverSignatures,
  type VerifyLabels,
  verifySafeTransaction,
} from '../verify/verifySafeTransaction.js'
import { parseVerifyRequest } from './parseVerifyRequest.js'

/**
 * The function POST /api/verify runs: parse the pasted JSON, recover signatures, verify with the
 * server's policy and labels. Same Verdict as `heistguard verify --json` for the same input.
 *
 * @example
 * const verify = createVerifier({ policy })
 * (await verify(bybitJson)).verdict // 'block'
 */
export function createVerifier(
  options: {
    policy?: Policy
    labels?: VerifyLabels
    /** Simulate every transaction on a fork of this node (the Verdict then has `simulation`). */
    simulateRpcUrl?: string
    /** Passed to simulateForVerdict; false on a devnet whose state changes without blocks. */
    simulationCache?: boolean
  } = {},
) {
  return async (body: unknown): Promise<Verdict> => {
    const input = await recoverSignatures(parseVerifyRequest(body))
    const simulated = options.simulateRpcUrl
      ? await simulateForVerdict(options.simulateRpcUrl, input.context, input.tx, {
          ...(options.simulationCache === undefined ? {} : { cache: options.simulationCache }),
        })
      : undefined
    return verifySafeTransaction(input, {
      ...(options.policy ? { policy: options.policy } : {}),
      ...(options.labels ? { labels: options.labels } : {}),
      ...(simulated ? { simulation: simulated.simulation, extraFindings: simulated.findings } : {}),
    })
  }
}
