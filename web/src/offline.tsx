import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { parseVerifyRequest } from '../../src/server/parseVerifyRequest.js'
import { recoverSignatures, verifySafeTransaction } from '../../src/verify/verifySafeTransaction.js'
import type { VerdictJson } from './VerdictView.js'
import { VerifyForm } from './VerifyForm.js'
import './styles.css'

// The offline page: the verifier runs here, in the page, with no network (the page's CSP forbids
// every connection). Same parse and verify code as the server, so the same input gives the same
// hashes and verdict.
async function run(body: unknown): Promise<VerdictJson> {
  const input = await recoverSignatures(parseVerifyRequest(body))
  return verifySafeTransaction(input) as unknown as VerdictJson
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <div className="app offline">
      <header className="top">
        <span className="brand">heistguard verify</span>
        <span className="note">offline · no network · check this file's SHA-256 before use</span>
      </header>
      <main>
        <VerifyForm offline run={run} />
      </main>
    </div>
  </StrictMode>,
)
