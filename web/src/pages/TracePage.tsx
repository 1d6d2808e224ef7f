import cytoscape from 'cytoscape'
import { useEffect, useMemo, useRef, useState } from 'react'
import { api } from '../api.js'
import { buildTraceGraph, type CaseReport, evidenceSteps, type GraphNode } from '../traceGraph.js'

const PALETTE = [
  '#d7263d',
  '#1b998b',
  '#f46036',
  '#2e86ab',
  '#8e44ad',
  '#c5a000',
  '#3d5a80',
  '#e07a5f',
]

type TraceCase = { id: string; report: CaseReport }

/** The case graph: theft -> hops -> holders / exits; click a node for its transfers and evidence. */
export function TracePage() {
  const [ids, setIds] = useState<string[]>([])
  const [caseId, setCaseId] = useState(
    () => new URLSearchParams(window.location.search).get('case') ?? '',
  )
  const [data, setData] = useState<TraceCase | null>(null)
  const [error, setError] = useState('')
  const [filter, setFilter] = useState({ heist: '', token: '', minAmount: '' })
  const [selected, setSelected] = useState<GraphNode | null>(null)
  const container = useRef<HTMLDivElement>(null)

  useEffect(() => {
    api<{ ids: string[] }>('/api/trace/cases')
      .then((r) => {
        setIds(r.ids)
        setCaseId((c) => c || r.ids[0] || '')
      })
      .catch((e: Error) => setError(e.message))
  }, [])
  useEffect(() => {
    if (!caseId) return
    setSelected(null)
    api<TraceCase>(`/api/trace/cases/${encodeURIComponent(caseId)}`)
      .then(setData)
      .catch((e: Error) => setError(e.message))
  }, [caseId])

  const graph = useMemo(
    () =>
      data
        ? buildTraceGraph(data.report, {
            ...(filter.heist ? { heist: filter.heist } : {}),
            ...(filter.token ? { token: filter.token } : {}),
            ...(filter.minAmount ? { minAmount: Number(filter.minAmount) } : {}),
            maxNodes: 800,
          })
        : null,
    [data, filter],
  )

  useEffect(() => {
    if (!graph || !container.current) return
    const max = Math.max(1, ...graph.nodes.map((n) => n.amount))
    const color = (heist: string) =>
      PALETTE[Math.max(0, graph.heists.indexOf(heist)) % PALETTE.length]!
    // Columns by hop depth; a column with many nodes becomes a square block so the graph stays
    // readable when zoomed to fit (700 holders in one column would be a 50,000-pixel sliver).
    const sorted = [...graph.nodes].sort((a, b) => a.depth - b.depth || b.amount - a.amount)
    const counts = new Map<number, number>()
    for (const n of sorted) counts.set(n.depth, (counts.get(n.depth) ?? 0) + 1)
    const blockCols = new Map<number, number>()
    const columnX = new Map<number, number>()
    let x = 0
    for (const depth of [...counts.keys()].sort((a, b) => a - b)) {
      const cols = Math.max(1, Math.ceil(Math.sqrt(counts.get(depth)! / 3)))
      blockCols.set(depth, cols)
      columnX.set(depth, x)
      x += (cols - 1) * 90 + 320
    }
    const perDepth = new Map<number, number>()
    const cy = cytoscape({
      container: container.current,
      elements: [
        ...sorted.map((n) => {
          const i = perDepth.get(n.depth) ?? 0
          perDepth.set(n.depth, i + 1)
          const cols = blockCols.get(n.depth)!
          const rows = Math.ceil(counts.get(n.depth)! / cols)
          return {
            group: 'nodes' as const,
            data: {
              id: n.id,
              label: n.label,
              size: 14 + 56 * Math.sqrt(n.amount / max),
              color: color(n.heist),
              role: n.role,
            },
            position: {
              x: columnX.get(n.depth)! + (i % cols) * 90,
              y: (Math.floor(i / cols) - (rows - 1) / 2) * 70,
            },
          }
        }),
        ...graph.edges.map((e) => ({
          group: 'edges' as const,
          data: {
            id: e.id,
            source: e.source,
            target: e.target,
            width: 1 + 9 * Math.sqrt(e.amount / max),
            color: color(e.heist),
          },
        })),
      ],
      layout: { name: 'preset' },
      style: [
        {
          selector: 'node',
          style: {
            width: 'data(size)',
            height: 'data(size)',
            'background-color': 'data(color)',
            label: 'data(label)',
            'font-size': 11,
            color: '#222',
            'text-valign': 'bottom',
            'text-margin-y': 4,
            'min-zoomed-font-size': 7,
          },
        },
        { selector: 'node[role = "theft"]', style: { shape: 'diamond', 'font-weight': 'bold' } },
        { selector: 'node[role = "exit"]', style: { shape: 'round-rectangle' } },
        {
          selector: 'node[role = "aggregate"]',
          style: { shape: 'round-octagon', 'background-opacity': 0.5 },
        },
        { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#000' } },
        {
          selector: 'edge',
          style: {
            width: 'data(width)',
            'line-color': 'data(color)',
            'target-arrow-color': 'data(color)',
            'target-arrow-shape': 'triangle',
            'curve-style': 'bezier',
            opacity: 0.6,
          },
        },
      ],
      wheelSensitivity: 0.3,
      textureOnViewport: true,
      hideEdgesOnViewport: graph.edges.length > 2000,
    })
    cy.on('tap', 'node', (event) => {
      setSelected(graph.nodes.find((n) => n.id === event.target.id()) ?? null)
    })
    // Exposed for the browser tests, which click real nodes at their rendered positions.
    ;(window as unknown as { heistguardGraph?: unknown }).heistguardGraph = cy
    return () => cy.destroy()
  }, [graph])

  const edgesOf = (id: string) =>
    graph?.edges.filter((e) => e.source === id || e.target === id) ?? []

  return (
    <div className="trace-page">
      <section className="panel">
        <h1>Trace</h1>
        <div className="filters">
          <select value={caseId} onChange={(e) => setCaseId(e.target.value)} aria-label="case">
            {ids.length === 0 ? <option value="">no cases yet</option> : null}
            {ids.map((id) => (
              <option key={id} value={id}>
                case {id}
              </option>
            ))}
          </select>
          <select
            value={filter.heist}
            onChange={(e) => setFilter({ ...filter, heist: e.target.value })}
            aria-label="heist"
          >
            <option value="">all heists</option>
            {graph?.heists.map((h) => (
              <option key={h} value={h}>
                {h}
              </option>
            ))}
          </select>
          <select
            value={filter.token}
            onChange={(e) => setFilter({ ...filter, token: e.target.value })}
            aria-label="token"
          >
            <option value="">all tokens</option>
            {graph?.tokens.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
          <input
            placeholder="min tainted amount (base units)"
            value={filter.minAmount}
            onChange={(e) =>
              setFilter({ ...filter, minAmount: e.target.value.replace(/[^0-9.e]/g, '') })
            }
          />
          {data ? (
            <a
              className="button secondary"
              href={`/api/trace/cases/${encodeURIComponent(data.id)}`}
              download={`case-${data.id}.json`}
            >
              Export case JSON
            </a>
          ) : null}
          {data ? (
            <a
              className="button secondary"
              data-testid="export-html"
              href={`/api/trace/cases/${encodeURIComponent(data.id)}/report.html`}
              download={`case-${data.id}.html`}
            >
              Export HTML report
            </a>
          ) : null}
        </div>
        {error ? (
          <div className="error" role="alert">
            {error}
          </div>
        ) : null}
        {graph ? (
          <p className="muted" data-testid="graph-stats">
            {graph.nodes.length} nodes, {graph.edges.length} flows
            {graph.aggregated > 0
              ? `; ${graph.aggregated} smaller holders grouped to keep the graph responsive`
              : ''}
          </p>
        ) : null}
      </section>
      <div className="trace-body">
        <div className="graph" ref={container} data-testid="graph" />
        <aside className="panel node-panel" data-testid="node-panel">
          {selected ? (
            <>
              <h2>{selected.role === 'theft' ? selected.label : selected.role}</h2>
              <p>
                <code className="wrap">{selected.id.replace(/^theft:/, '')}</code>
              </p>
              {selected.names.length > 0 ? <p>{selected.names.join(', ')}</p> : null}
              {selected.count ? <p>{selected.count} addresses grouped</p> : null}
              <table className="kv">
                <tbody>
                  {Object.entries(selected.heists).map(([h, v]) => (
                    <tr key={h}>
                      <th>{h}</th>
                      <td>{amountText(v, selected.tokens)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <h3>Transfers</h3>
              <ul className="transfers">
                {edgesOf(selected.id)
                  .slice(0, 50)
                  .map((e) => (
                    <li key={e.id}>
                      {e.source === selected.id ? '→ ' : '← '}
                      <code>
                        {(e.source === selected.id ? e.target : e.source).replace(
                          /^theft:/,
                          'theft ',
                        )}
                      </code>{' '}
                      {amountText(e.amount, selected.tokens)}
                      {e.txs.length > 0 ? (
                        <div className="muted small-text">{e.txs.join(', ')}</div>
                      ) : null}
                    </li>
                  ))}
              </ul>
              {selected.evidence.length > 0 && data ? (
                <>
                  <h3>Evidence path</h3>
                  <ol className="evidence-path" data-testid="evidence-path">
                    {evidenceSteps(data.report, selected.evidence).map(({ tx, step }) => (
                      <li key={tx}>
                        <code>{tx}</code>
                        {step ? (
                          <div className="small-text">
                            {step.from} → {step.to}
                            {step.amount !== undefined ? ` · ${String(step.amount)}` : ''}
                          </div>
                        ) : null}
                      </li>
                    ))}
                  </ol>
                </>
              ) : null}
            </>
          ) : (
            <p className="muted">
              Click a node: its tainted amounts, its transfers and the evidence path from the theft.
            </p>
          )}
        </aside>
      </div>
    </div>
  )
}

/** ETH amounts (wei in the report) in ETH; other tokens in base units, as the report has them. */
function amountText(value: number, tokens: string[]): string {
  const eth = tokens.length === 0 || tokens.every((t) => t === 'ETH' || t === 'native')
  return eth
    ? `${(value / 1e18).toLocaleString('en-US', { maximumFractionDigits: 4 })} ETH`
    : `${value.toLocaleString('en-US', { maximumFractionDigits: 0 })} (base units)`
}
