import { useState } from 'react'
import { api } from '../api.js'

type Result = {
  address: string
  risk: string
  reasons: string[]
  indexed: boolean
  labels: { source: string; name: string; category: string }[]
}

/** Screen one address or a pasted list (one per line, or separated by commas/spaces). */
export function ScreenPage() {
  const [text, setText] = useState('')
  const [results, setResults] = useState<Result[]>([])
  const [error, setError] = useState('')

  const run = async () => {
    setError('')
    const addresses = text.split(/[\s,;]+/).filter(Boolean)
    if (addresses.length === 0) return
    try {
      setResults((await api<{ results: Result[] }>('/api/screen', { body: { addresses } })).results)
    } catch (e) {
      setResults([])
      setError((e as Error).message)
    }
  }

  return (
    <div className="screen-page">
      <section className="panel">
        <h1>Screen addresses</h1>
        <p className="muted">
          Exposure to stolen funds (direct, or within a few hops with the tainted share), sanctions
          and attributions.
        </p>
        <textarea
          data-testid="screen-input"
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="0x… (one or many)"
        />
        <div className="actions">
          <button
            type="button"
            data-testid="screen-button"
            onClick={run}
            disabled={text.trim() === ''}
          >
            Screen
          </button>
        </div>
        {error ? (
          <div className="error" role="alert">
            {error}
          </div>
        ) : null}
      </section>
      {results.length > 0 ? (
        <section className="panel">
          <table className="grid" data-testid="screen-results">
            <thead>
              <tr>
                <th>address</th>
                <th>risk</th>
                <th>why</th>
              </tr>
            </thead>
            <tbody>
              {results.map((r) => (
                <tr key={r.address}>
                  <td>
                    <code>{r.address}</code>
                  </td>
                  <td>
                    <span className={`risk risk-${r.risk}`}>{r.risk.toUpperCase()}</span>
                  </td>
                  <td>
                    {r.reasons.length === 0 ? (
                      <span className="muted">
                        {r.indexed ? 'labelled, no exposure' : 'no known exposure'}
                      </span>
                    ) : (
                      <ul className="reasons">
                        {r.reasons.map((reason) => (
                          <li key={reason}>{reason}</li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </div>
  )
}
