import { createServer, type Server } from 'node:http'

/** Label set of one series, e.g. `{ endpoint: 'rpc-1', reason: 'timeout' }`. */
export type Labels = Record<string, string>

/**
 * A tiny Prometheus registry: counters, gauges and histograms kept as plain maps. Passed to the
 * RPC client, follower and outbox so each records what it sees; `renderMetrics` writes the text
 * exposition format.
 */
export type Metrics = {
  inc(name: string, labels?: Labels, by?: number): void
  set(name: string, labels: Labels, value: number): void
  observe(name: string, value: number, labels?: Labels): void
  /** Current value of a counter or gauge series (0 when never set). */
  get(name: string, labels?: Labels): number
  readonly help: Record<string, string>
  readonly series: Map<string, { kind: 'counter' | 'gauge'; values: Map<string, number> }>
  readonly histograms: Map<
    string,
    Map<string, { buckets: number[]; counts: number[]; sum: number; count: number }>
  >
}

const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

/**
 * Creates an empty registry.
 *
 * @example
 * const metrics = createMetrics()
 * metrics.inc('heistguard_rpc_errors_total', { reason: 'timeout' })
 */
export function createMetrics(): Metrics {
  const series: Metrics['series'] = new Map()
  const histograms: Metrics['histograms'] = new Map()
  const slot = (name: string, kind: 'counter' | 'gauge') => {
    let entry = series.get(name)
    if (!entry) {
      entry = { kind, values: new Map() }
      series.set(name, entry)
    }
    return entry.values
  }
  return {
    help: {},
    series,
    histograms,
    inc(name, labels = {}, by = 1) {
      const values = slot(name, 'counter')
      const key = labelKey(labels)
      values.set(key, (values.get(key) ?? 0) + by)
    },
    set(name, labels, value) {
      slot(name, 'gauge').set(labelKey(labels), value)
    },
    observe(name, value, labels = {}) {
      let byLabel = histograms.get(name)
      if (!byLabel) {
        byLabel = new Map()
        histograms.set(name, byLabel)
      }
      const key = labelKey(labels)
      let h = byLabel.get(key)
      if (!h) {
        h = { buckets: DEFAULT_BUCKETS, counts: DEFAULT_BUCKETS.map(() => 0), sum: 0, count: 0 }
        byLabel.set(key, h)
      }
      h.count++
      h.sum += value
      for (let i = 0; i < h.buckets.length; i++) if (value <= h.buckets[i]!) h.counts[i]!++
    },
    get(name, labels = {}) {
      return series.get(name)?.values.get(labelKey(labels)) ?? 0
    },
  }
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map(
      (k) =>
        `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
    )
    .join(',')
}

/**
 * Prometheus text exposition (version 0.0.4) of every series.
 *
 * @example
 * renderMetrics(metrics) // '# TYPE heistguard_rpc_errors_total counter\n...'
 */
export function renderMetrics(metrics: Metrics): string {
  const lines: string[] = []
  for (const [name, { kind, values }] of [...metrics.series].sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    if (metrics.help[name]) lines.push(`# HELP ${name} ${metrics.help[name]}`)
    lines.push(`# TYPE ${name} ${kind}`)
    for (const [key, value] of values) lines.push(`${name}${key ? `{${key}}` : ''} ${value}`)
  }
  for (const [name, byLabel] of metrics.histograms) {
    lines.push(`# TYPE ${name} histogram`)
    for (const [key, h] of byLabel) {
      const prefix = key ? `${key},` : ''
      h.buckets.forEach((le, i) => {
        lines.push(`${name}_bucket{${prefix}le="${le}"} ${h.counts[i]}`)
      })
      lines.push(`${name}_bucket{${prefix}le="+Inf"} ${h.count}`)
      lines.push(`${name}_sum${key ? `{${key}}` : ''} ${h.sum}`)
      lines.push(`${name}_count${key ? `{${key}}` : ''} ${h.count}`)
    }
  }
  return `${lines.join('\n')}\n`
}

/**
 * Serves `GET /metrics` on 127.0.0.1 (port 0 = ephemeral). `refresh` runs before each scrape so
 * gauges read from the store (alerts by state) are current.
 *
 * @example
 * const { url, close } = await serveMetrics(metrics, { port: 9464 })
 */
export async function serveMetrics(
  metrics: Metrics,
  options: { port?: number; host?: string; refresh?: () => Promise<void> } = {},
): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end()
      return
    }
    Promise.resolve(options.refresh?.())
      .then(() => {
        response
          .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
          .end(renderMetrics(metrics))
      })
      .catch(() => response.writeHead(500).end())
  })
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, resolve)
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://${host}:${port}/metrics`,
    server,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
