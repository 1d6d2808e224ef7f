import { useState } from 'react'
import bybit from './examples/bybit.json' with { type: 'json' }
import { type VerdictJson, VerdictView } from './VerdictView.js'

/**
 * Paste or load a SafeTx (Safe Transaction Service JSON plus chainId and version), then verify it
 * with `run`: the served page posts it to the API, the offline page runs the verifier in the page.
 */
export function VerifyForm({
  run,
  offline,
}: {
  run: (body: unknown) => Promise<VerdictJson>
  offline: boolean
}) {
  const [text, setText] = useState('')
  const [verdict, setVerdict] = useState<VerdictJson | null>(null)
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)

  const verify = async (source: string) => {
    setError('')
    setVerdict(null)
    let body: unknown
    try {
      body = JSON.parse(source)
    } catch (e) {
      const at = /position (\d+)/.exec(String((e as Error).message))
      const line = at ? source.slice(0, Number(at[1])).split('\n').length : 1
      setError(`line ${line}: not valid JSON`)
      return
    }
    setBusy(true)
    try {
      setVerdict(await run(body))
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="verify-page">
      <section className="panel">
        <h1>Verify a Safe transaction before you sign</h1>
        <p className="muted">
          Paste the transaction as JSON: a Safe Transaction Service record (from{' '}
          <code>/api/v1/multisig-transactions/&lt;safeTxHash&gt;/</code>) with <code>chainId</code>{' '}
          and the Safe's <code>version</code> added, or the same fields typed by hand.{' '}
          {offline
            ? 'This page is one offline file: it makes no network request at all.'
            : 'The server verifies it with its policy and labels.'}
        </p>
        <textarea
          data-testid="tx-input"
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder='{"chainId": 1, "version": "1.3.0", "safe": "0x…", "to": "0x…", "value": "0", "data": "0x…", "operation": 0, "nonce": 1, …}'
        />
        <div className="actions">
          <button
            type="button"
            data-testid="verify-button"
            disabled={busy || text.trim() === ''}
            onClick={() => verify(text)}
          >
            {busy ? 'Verifying…' : 'Verify'}
          </button>
          <label className="file">
            Load a JSON file
            <input
              type="file"
              accept=".json,application/json"
              onChange={async (e) => {
                const file = e.target.files?.[0]
                if (!file) return
                const content = await file.text()
                setText(content)
                await verify(content)
              }}
            />
          </label>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              const example = JSON.stringify(bybit, null, 2)
              setText(example)
            }}
          >
            Load the Bybit example
          </button>
        </div>
        {error ? (
          <div className="error" role="alert" data-testid="verify-error">
            {error}
          </div>
        ) : null}
      </section>
      {verdict ? <VerdictView verdict={verdict} /> : null}
    </div>
  )
}
