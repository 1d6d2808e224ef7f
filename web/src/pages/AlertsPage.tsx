import { useEffect, useMemo, useState } from 'react'
import { api } from '../api.js'

type Alert = {
  id: string
  chainId: number
  blockNumber: number
  blockHash: string
  txHash: string | null
  detector: string
  severity: string
  title: string
  details: Record<string, unknown>
  state: string
  revision: number
  createdAt: number
  ack: { by: string; at: number; note: string | null } | null
}

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info']

/** Live alerts: the list loads once, then server-sent events add and update alerts in place. */
export function AlertsPage() {
  const [alerts, setAlerts] = useState<Alert[]>([])
  const [live, setLive] = useState(false)
  const [error, setError] = useState('')
  const [filter, setFilter] = useState({ severity: '', text: '', unacked: false })
  const [selected, setSelected] = useState<string | null>(null)

  useEffect(() => {
    let closed = false
    api<{ alerts: Alert[] }>('/api/alerts')
      .then((r) => !closed && setAlerts((old) => merge(r.alerts, old)))
      .catch((e: Error) => setError(e.message))
    const source = new EventSource('/api/alerts/stream')
    source.addEventListener('ready', () => setLive(true))
    source.addEventListener('alert', (event) => {
      const alert = JSON.parse((event as MessageEvent).data) as Alert
      setAlerts((old) => merge([alert], old))
    })
    source.onerror = () => setLive(false)
    return () => {
      closed = true
      source.close()
    }
  }, [])

  const shown = useMemo(
    () =>
      alerts.filter(
        (a) =>
          (!filter.severity || a.severity === filter.severity) &&
          (!filter.unacked || a.ack === null) &&
          (!filter.text ||
            `${a.title} ${a.detector} ${a.txHash ?? ''}`
              .toLowerCase()
              .includes(filter.text.toLowerCase())),
      ),
    [alerts, filter],
  )
  const current = alerts.find((a) => a.id === selected) ?? null

  const ack = async (id: string) => {
    setError('')
    try {
      const updated = await api<Alert>(`/api/alerts/${encodeURIComponent(id)}/ack`, {
        body: {},
        auth: true,
      })
      setAlerts((old) => merge([updated], old))
    } catch (e) {
      setError((e as Error).message)
    }
  }

  return (
    <div className="alerts-page">
      <section className="panel">
        <h1>
          Alerts{' '}
          <span className={live ? 'live on' : 'live'} data-testid="live">
            {live ? '● live' : '○ connecting'}
          </span>
        </h1>
        <div className="filters">
          <select
            value={filter.severity}
            onChange={(e) => setFilter({ ...filter, severity: e.target.value })}
            aria-label="severity"
          >
            <option value="">all severities</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <input
            placeholder="filter by text"
            value={filter.text}
            onChange={(e) => setFilter({ ...filter, text: e.target.value })}
          />
          <label>
            <input
              type="checkbox"
              checked={filter.unacked}
              onChange={(e) => setFilter({ ...filter, unacked: e.target.checked })}
            />{' '}
            not acknowledged
          </label>
        </div>
        {error ? (
          <div className="error" role="alert">
            {error}
          </div>
        ) : null}
        <table className="grid alerts" data-testid="alerts-table">
          <thead>
            <tr>
              <th>severity</th>
              <th>alert</th>
              <th>detector</th>
              <th>block</th>
              <th>state</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {shown.map((a) => (
              <tr
                key={a.id}
                className={`${a.id === selected ? 'selected' : ''} ${a.state === 'retracted' ? 'retracted' : ''}`}
                onClick={() => setSelected(a.id)}
                data-alert-id={a.id}
              >
                <td>
                  <span className={`badge sev-${a.severity}`}>{a.severity}</span>
                </td>
                <td>{a.title}</td>
                <td>
                  <code>{a.detector}</code>
                </td>
                <td>{a.blockNumber}</td>
                <td>{a.ack ? 'acknowledged' : a.state}</td>
                <td>
                  {a.ack ? null : (
                    <button
                      type="button"
                      className="small"
                      onClick={(e) => {
                        e.stopPropagation()
                        void ack(a.id)
                      }}
                    >
                      acknowledge
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {shown.length === 0 ? (
          <p className="muted">No alerts{alerts.length > 0 ? ' match the filter' : ' yet'}.</p>
        ) : null}
      </section>
      {current ? (
        <section className="panel" data-testid="alert-details">
          <h2>{current.title}</h2>
          <table className="kv">
            <tbody>
              <tr>
                <th>id</th>
                <td>
                  <code>{current.id}</code>
                </td>
              </tr>
              <tr>
                <th>chain</th>
                <td>{current.chainId}</td>
              </tr>
              <tr>
                <th>block</th>
                <td>
                  {current.blockNumber} <code>{current.blockHash}</code>
                </td>
              </tr>
              <tr>
                <th>transaction</th>
                <td>
                  <code>{current.txHash ?? '—'}</code>
                </td>
              </tr>
              <tr>
                <th>detector</th>
                <td>
                  <code>{current.detector}</code>
                </td>
              </tr>
              <tr>
                <th>raised</th>
                <td>{new Date(current.createdAt).toISOString()}</td>
              </tr>
              <tr>
                <th>acknowledged</th>
                <td>
                  {current.ack
                    ? `${new Date(current.ack.at).toISOString()} by token ${current.ack.by}`
                    : 'no'}
                </td>
              </tr>
            </tbody>
          </table>
          <h3>Evidence</h3>
          <pre className="evidence">{JSON.stringify(current.details, null, 2)}</pre>
        </section>
      ) : null}
    </div>
  )
}

function merge(incoming: Alert[], old: Alert[]): Alert[] {
  const byId = new Map(old.map((a) => [a.id, a]))
  for (const a of incoming) {
    const prev = byId.get(a.id)
    if (!prev || a.revision >= prev.revision) byId.set(a.id, a)
  }
  return [...byId.values()].sort(
    (a, b) => b.createdAt - a.createdAt || b.blockNumber - a.blockNumber,
  )
}
