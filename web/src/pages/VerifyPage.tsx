import { api } from '../api.js'
import type { VerdictJson } from '../VerdictView.js'
import { VerifyForm } from '../VerifyForm.js'

/** The served Verify page: the server verifies (with its policy, labels and, if set up, a simulation). */
export function ServedVerifyPage() {
  return <VerifyForm offline={false} run={(body) => api<VerdictJson>('/api/verify', { body })} />
}
