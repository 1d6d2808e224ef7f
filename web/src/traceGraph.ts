/**
 * Turns a trace case (the report `heistguard trace` writes, optionally with the transfers of its
 * evidence transactions) into graph elements: theft -> hops -> holders / exits, sized by tainted
 * amount and coloured by heist. Small leaves are aggregated so the graph stays responsive at
 * 10,000+ holders. Pure: the page renders what this returns, and tests can call it directly.
 */
export type Step = {
  from: string
  to: string
  tx?: string
  token?: string
  amount?: string | number
  heist?: string
}

export type CaseReport = {
  heists?: (string | { id: string })[]
  stolen?: Record<string, Record<string, string>>
  holders?: {
    address: string
    token: string
    balance?: string
    tainted: Record<string, string | number>
    labels?: { category: string; name: string }[]
    evidence?: unknown
  }[]
  exits?: {
    address: string
    name?: string
    category?: string
    token?: string
    tainted?: Record<string, string | number>
    tx?: string
    from?: string
    evidence?: unknown
  }[]
  transfers?: Step[]
  evidence?: unknown
}

export type GraphNode = {
  id: string
  label: string
  role: 'theft' | 'hop' | 'holder' | 'exit' | 'aggregate'
  heist: string
  heists: Record<string, number>
  tokens: string[]
  amount: number
  /** Evidence path: transaction hashes from the theft to here (as the report gives them). */
  evidence: string[]
  names: string[]
  /** For aggregates: how many nodes it stands for. */
  count?: number
  depth: number
}

export type GraphEdge = {
  id: string
  source: string
  target: string
  heist: string
  amount: number
  txs: string[]
}

export type Graph = {
  nodes: GraphNode[]
  edges: GraphEdge[]
  heists: string[]
  tokens: string[]
  aggregated: number
}

export type GraphFilter = { heist?: string; token?: string; minAmount?: number; maxNodes?: number }

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0)) || 0

/**
 * @example
 * const g = buildTraceGraph(report, { maxNodes: 800 })
 * g.nodes.length <= 800 // true
 */
export function buildTraceGraph(report: CaseReport, filter: GraphFilter = {}): Graph {
  const heists = (report.heists ?? []).map((h) => (typeof h === 'string' ? h : h.id))
  const nodes = new Map<string, GraphNode>()
  const edges = new Map<string, GraphEdge>()
  const tokens = new Set<string>()
  const heistOK = (h: string) => !filter.heist || filter.heist === h
  const node = (id: string, role: GraphNode['role'], label: string): GraphNode => {
    let n = nodes.get(id)
    if (!n) {
      n = {
        id,
        label,
        role,
        heist: '',
        heists: {},
        tokens: [],
        amount: 0,
        evidence: [],
        names: [],
        depth: 0,
      }
      nodes.set(id, n)
    } else if (rank(role) > rank(n.role)) n.role = role
    return n
  }
  const edge = (source: string, target: string, heist: string, amount: number, tx?: string) => {
    const id = `${source}>${target}|${heist}`
    const e = edges.get(id) ?? { id, source, target, heist, amount: 0, txs: [] }
    e.amount += amount
    if (tx && !e.txs.includes(tx) && e.txs.length < 20) e.txs.push(tx)
    edges.set(id, e)
  }
  const theftOf = (heist: string) => {
    const n = node(`theft:${heist}`, 'theft', `theft: ${heist}`)
    n.heists[heist] = Object.values(report.stolen?.[heist] ?? {}).reduce((s, v) => s + num(v), 0)
    return n
  }
  for (const h of heists) if (heistOK(h)) theftOf(h)

  // Address-level hops, when the case carries the transfers of its evidence transactions.
  const steps = report.transfers ?? collectSteps(report.evidence)
  const hasSteps = steps.length > 0
  const stepByTx = new Map<string, Step>()
  for (const s of steps) if (s.tx) stepByTx.set(s.tx, s)

  for (const h of report.holders ?? []) {
    if (filter.token && h.token !== filter.token) continue
    tokens.add(h.token)
    for (const [heist, raw] of Object.entries(h.tainted)) {
      const amount = num(raw)
      if (!heistOK(heist) || amount <= 0 || amount < (filter.minAmount ?? 0)) continue
      const n = node(h.address.toLowerCase(), 'holder', short(h.address))
      n.heists[heist] = (n.heists[heist] ?? 0) + amount
      n.amount += amount
      if (!n.tokens.includes(h.token)) n.tokens.push(h.token)
      for (const l of h.labels ?? []) if (!n.names.includes(l.name)) n.names.push(l.name)
      n.evidence = txList(h.evidence)
      if (!hasSteps) {
        theftOf(heist)
        edge(`theft:${heist}`, n.id, heist, amount, n.evidence[0])
      }
    }
  }
  for (const x of report.exits ?? []) {
    const token = x.token ?? 'ETH'
    if (filter.token && token !== filter.token) continue
    tokens.add(token)
    for (const [heist, raw] of Object.entries(x.tainted ?? {})) {
      const amount = num(raw)
      if (!heistOK(heist) || amount <= 0 || amount < (filter.minAmount ?? 0)) continue
      const n = node(x.address.toLowerCase(), 'exit', x.name ?? short(x.address))
      if (x.name && !n.names.includes(x.name)) n.names.push(x.name)
      n.heists[heist] = (n.heists[heist] ?? 0) + amount
      n.amount += amount
      if (!n.tokens.includes(token)) n.tokens.push(token)
      n.evidence = txList(x.evidence)
      if (!hasSteps) {
        theftOf(heist)
        if (x.from) {
          const d = node(x.from.toLowerCase(), 'hop', short(x.from))
          d.heists[heist] = (d.heists[heist] ?? 0) + amount
          d.amount = Math.max(d.amount, amount)
          d.evidence = n.evidence
          edge(`theft:${heist}`, d.id, heist, amount)
          edge(d.id, n.id, heist, amount, x.tx)
        } else edge(`theft:${heist}`, n.id, heist, amount, x.tx)
      }
    }
  }
  if (hasSteps) {
    const stepHeist = (s: Step) => s.heist ?? heists[0] ?? 'unknown'
    const targets = new Set(
      steps.filter((s) => heistOK(stepHeist(s))).map((s) => s.to.toLowerCase()),
    )
    for (const s of steps) {
      const heist = s.heist ?? heists[0] ?? 'unknown'
      if (!heistOK(heist)) continue
      const from = s.from.toLowerCase()
      const to = s.to.toLowerCase()
      const amount = num(s.amount)
      const a = nodes.get(from) ?? node(from, 'hop', short(s.from))
      const b = nodes.get(to) ?? node(to, 'hop', short(s.to))
      b.heists[heist] = Math.max(b.heists[heist] ?? 0, amount)
      if (b.role === 'hop') b.amount = Math.max(b.amount, amount)
      if (a.role === 'hop') a.amount = Math.max(a.amount, amount)
      edge(from, to, heist, amount, s.tx)
      if (!targets.has(from)) {
        theftOf(heist)
        edge(`theft:${heist}`, from, heist, amount)
      }
    }
  }
  for (const n of nodes.values()) {
    n.heist = Object.entries(n.heists).sort((a, b) => b[1] - a[1])[0]?.[0] ?? heists[0] ?? ''
    if (n.role === 'theft')
      n.amount = Math.max(
        n.heists[n.heist] ?? 0,
        ...[...edges.values()].filter((e) => e.source === n.id).map((e) => e.amount),
      )
  }
  const aggregated = aggregate(nodes, edges, filter.maxNodes ?? 800)
  layoutDepth(nodes, edges)
  return {
    nodes: [...nodes.values()],
    edges: [...edges.values()],
    heists,
    tokens: [...tokens].sort(),
    aggregated,
  }
}

/** The steps (from -> to, tx) along a node's evidence path, in order, when the case has them. */
export function evidenceSteps(
  report: CaseReport,
  evidence: string[],
): { tx: string; step?: Step }[] {
  const steps = report.transfers ?? collectSteps(report.evidence)
  const byTx = new Map(steps.filter((s) => s.tx).map((s) => [s.tx!, s]))
  return evidence.map((tx) => ({ tx, ...(byTx.has(tx) ? { step: byTx.get(tx)! } : {}) }))
}

function aggregate(
  nodes: Map<string, GraphNode>,
  edges: Map<string, GraphEdge>,
  maxNodes: number,
): number {
  if (nodes.size <= maxNodes) return 0
  const outgoing = new Set([...edges.values()].map((e) => e.source))
  const leaves = [...nodes.values()].filter(
    (n) => (n.role === 'holder' || n.role === 'exit' || n.role === 'hop') && !outgoing.has(n.id),
  )
  leaves.sort((a, b) => b.amount - a.amount)
  const keep = Math.max(0, maxNodes - (nodes.size - leaves.length) - 50)
  const small = new Set(leaves.slice(keep).map((n) => n.id))
  let merged = 0
  const incoming = new Map<string, GraphEdge[]>()
  for (const e of edges.values()) {
    const list = incoming.get(e.target) ?? []
    list.push(e)
    incoming.set(e.target, list)
  }
  for (const id of small) {
    const n = nodes.get(id)!
    const parents = incoming.get(id) ?? []
    const parent = parents[0]?.source ?? 'orphans'
    const aggId = `agg:${parent}|${n.heist}`
    let agg = nodes.get(aggId)
    if (!agg) {
      agg = {
        id: aggId,
        label: '',
        role: 'aggregate',
        heist: n.heist,
        heists: {},
        tokens: [],
        amount: 0,
        evidence: [],
        names: [],
        count: 0,
        depth: 0,
      }
      nodes.set(aggId, agg)
    }
    agg.count = (agg.count ?? 0) + 1
    agg.amount += n.amount
    for (const [h, v] of Object.entries(n.heists)) agg.heists[h] = (agg.heists[h] ?? 0) + v
    for (const t of n.tokens) if (!agg.tokens.includes(t)) agg.tokens.push(t)
    agg.label = `${agg.count} smaller`
    for (const e of parents) {
      edges.delete(e.id)
      const eid = `${e.source}>${aggId}|${e.heist}`
      const ae = edges.get(eid) ?? {
        id: eid,
        source: e.source,
        target: aggId,
        heist: e.heist,
        amount: 0,
        txs: [],
      }
      ae.amount += e.amount
      edges.set(eid, ae)
    }
    nodes.delete(id)
    merged++
  }
  return merged
}

function layoutDepth(nodes: Map<string, GraphNode>, edges: Map<string, GraphEdge>): void {
  const out = new Map<string, string[]>()
  for (const e of edges.values()) {
    const list = out.get(e.source) ?? []
    list.push(e.target)
    out.set(e.source, list)
  }
  const queue = [...nodes.values()].filter((n) => n.role === 'theft').map((n) => n.id)
  const seen = new Set(queue)
  for (const n of nodes.values()) n.depth = n.role === 'theft' ? 0 : -1
  while (queue.length > 0) {
    const id = queue.shift()!
    const d = nodes.get(id)!.depth
    for (const t of out.get(id) ?? []) {
      if (seen.has(t)) continue
      seen.add(t)
      nodes.get(t)!.depth = d + 1
      queue.push(t)
    }
  }
  // Not reachable from a theft under the current filter: one column after the thefts.
  for (const n of nodes.values()) if (n.depth < 0) n.depth = 1
}

function rank(role: GraphNode['role']): number {
  return { hop: 0, aggregate: 1, holder: 2, exit: 3, theft: 4 }[role]
}

function short(address: string): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`
}

function txList(value: unknown): string[] {
  if (!Array.isArray(value)) return []
  return value
    .map((v) =>
      typeof v === 'string'
        ? v
        : typeof v === 'object' && v && 'tx' in v
          ? String((v as { tx: unknown }).tx)
          : '',
    )
    .filter(Boolean)
}

function collectSteps(value: unknown, heist?: string, out: Step[] = []): Step[] {
  if (Array.isArray(value)) for (const v of value) collectSteps(v, heist, out)
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>
    const h = typeof o.heist === 'string' ? o.heist : heist
    if (typeof o.from === 'string' && typeof o.to === 'string')
      out.push({ ...(o as Step), ...(h && !o.heist ? { heist: h } : {}) })
    else for (const v of Object.values(o)) if (v && typeof v === 'object') collectSteps(v, h, out)
  }
  return out
}
