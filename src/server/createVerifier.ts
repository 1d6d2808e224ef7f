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
export function createVerifier(options: { policy?: Policy; labels?: VerifyLabels } = {}) {
  return async (body: unknown): Promise<Verdict> => {
    const input = await recoverSignatures(parseVerifyRequest(body))
    return verifySafeTransaction(input, {
      ...(options.policy ? { policy: options.policy } : {}),
      ...(options.labels ? { labels: options.labels } : {}),
    })
  }
}
