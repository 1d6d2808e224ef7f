import { z } from 'zod'
import { InputError } from '../core/BaseError.js'
import { addAmounts, amountRatio, amountText, isZeroAmount } from './amounts.js'
import type { ExposureInput, ExposureTransfer } from './buildExposureIndex.js'
import type { DirectExposure, HeistInfo, LabelHit } from './Exposure.js'

const amount = z.union([
  z.string().regex(/^[0-9]+(\.[0-9]+)?$/, 'expected a non-negative decimal amount'),
  z.number().nonnegative().finite(),
  z.bigint().nonnegative(),
])
const taintMap = z.record(z.string(), amount)

const heistSchema = z.union([
  z.string(),
  z.object({ id: z.string(), name: z.string().optional() }).passthrough(),
])

const holderSchema = z
  .object({
    address: z.string(),
    token: z.string().default('native'),
    balance: amount.optional(),
    tainted: taintMap,
    labels: z.array(z.object({ category: z.string(), name: z.string() }).passthrough()).optional(),
  })
  .passthrough()

const exitSchema = z
  .object({
    address: z.string(),
    token: z.string().optional(),
    tainted: taintMap.optional(),
    amount: amount.optional(),
    heist: z.string().optional(),
    /** Who sent it to the exit (for exchanges: the deposit address). */
    from: z.string().optional(),
    name: z.string().optional(),
    category: z.string().optional(),
  })
  .passthrough()

/** The parts of a `heistguard trace` report that screening reads; everything else is ignored. */
const reportSchema = z
  .object({
    heists: z.union([z.array(heistSchema), z.record(z.string(), z.unknown())]).default([]),
    holders: z.array(holderSchema).default([]),
    exits: z.array(exitSchema).default([]),
    evidence: z.unknown().optional(),
    paths: z.unknown().optional(),
    transfers: z
      .array(
        z
          .object({ from: z.string(), to: z.string(), token: z.string().optional(), amount })
          .passthrough(),
      )
      .optional(),
  })
  .passthrough()

/**
 * Turns a trace report (the JSON `heistguard trace` writes) into index input: holders are direct
 * exposure with the tainted share of their balance; exits received stolen funds; every address on
 * an evidence path received them on the way (role `hop`, with its hop count). Zod errors become
 * one InputError naming the JSON path.
 *
 * @example
 * exposureInputFromReport(JSON.parse(text), 'case.json')
 */
export function exposureInputFromReport(report: unknown, source: string): ExposureInput {
  const parsed = reportSchema.safeParse(report)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new InputError(issue.message, {
      code: 'INVALID_REPORT',
      field: `${source}: ${issue.path.join('.') || '(root)'}`,
    })
  }
  const r = parsed.data
  const heists: HeistInfo[] = Array.isArray(r.heists)
    ? r.heists.map((h) =>
        typeof h === 'string' ? { id: h, name: h } : { id: h.id, name: h.name ?? h.id },
      )
    : Object.entries(r.heists).map(([id, v]) => ({
        id,
        name:
          typeof (v as { name?: unknown })?.name === 'string' ? (v as { name: string }).name : id,
      }))
  const direct: (DirectExposure & { address: string })[] = []
  for (const h of r.holders) {
    const balance = h.balance === undefined ? '0' : amountText(h.balance)
    for (const [heist, raw] of Object.entries(h.tainted)) {
      const tainted = amountText(raw)
      if (isZeroAmount(tainted)) continue
      direct.push({
        address: h.address,
        heist,
        token: h.token.toLowerCase(),
        holds: tainted,
        received: tainted,
        share: isZeroAmount(balance) ? 1 : Math.round(amountRatio(tainted, balance) * 1e6) / 1e6,
        role: 'holder',
      })
    }
  }
  for (const e of r.exits) {
    const taint: Record<string, string> = {}
    for (const [heist, raw] of Object.entries(e.tainted ?? {})) taint[heist] = amountText(raw)
    if (e.heist && e.amount !== undefined)
      taint[e.heist] = addAmounts(taint[e.heist] ?? '0', amountText(e.amount))
    for (const [heist, value] of Object.entries(taint)) {
      if (isZeroAmount(value)) continue
      direct.push({
        address: e.address,
        heist,
        token: (e.token ?? 'native').toLowerCase(),
        holds: '0',
        received: value,
        share: 0,
        role: 'exit',
      })
      // The sender into an exit (an exchange deposit address, a bridge user) passed stolen funds.
      if (e.from && /^0x[0-9a-fA-F]{40}$/.test(e.from))
        direct.push({
          address: e.from,
          heist,
          token: (e.token ?? 'native').toLowerCase(),
          holds: '0',
          received: value,
          share: 0,
          role: 'hop',
        })
    }
  }
  const onPath = new Set(direct.map((d) => `${d.address.toLowerCase()}|${d.heist}`))
  for (const hop of collectHops(r.evidence ?? r.paths)) {
    const key = `${hop.address.toLowerCase()}|${hop.heist}`
    if (onPath.has(key)) continue
    onPath.add(key)
    direct.push({
      address: hop.address,
      heist: hop.heist,
      token: hop.token.toLowerCase(),
      holds: '0',
      received: hop.amount,
      share: 0,
      hops: hop.hops,
      role: 'hop',
    })
  }
  const transfers: ExposureTransfer[] = (r.transfers ?? []).map((t) => ({
    from: t.from,
    to: t.to,
    amount: amountText(t.amount),
    ...(t.token ? { token: t.token } : {}),
  }))
  // Labels the trace attached to holders (e.g. a TagPack entity) travel with them.
  const labels: (LabelHit & { address: string })[] = []
  for (const h of r.holders)
    for (const l of h.labels ?? [])
      labels.push({
        address: h.address,
        source: source,
        name: l.name,
        category: l.category,
        sanctioned: l.category === 'sanctioned',
      })
  return { heists, direct, labels, transfers, source }
}

type Hop = { address: string; heist: string; token: string; amount: string; hops: number }

// Evidence paths are read by shape, not by a fixed schema: any array of steps with `to` (and
// optionally `heist`, `token`, `amount`) inside `evidence`/`paths`, so that the trace report can
// add fields without breaking screening. The recipient of step k is k+1 hops from the theft.
function collectHops(value: unknown, heist = 'unknown', out: Hop[] = []): Hop[] {
  if (Array.isArray(value)) {
    const steps = value.filter(isStep)
    if (steps.length > 0 && steps.length === value.length) {
      for (const [k, s] of steps.entries())
        out.push({
          address: s.to,
          heist: typeof s.heist === 'string' ? s.heist : heist,
          token: typeof s.token === 'string' ? s.token : 'native',
          amount: isAmount(s.amount) ? amountText(s.amount) : '0',
          hops: k + 1,
        })
      return out
    }
    for (const item of value) collectHops(item, heist, out)
  } else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>
    const h = typeof o.heist === 'string' ? o.heist : heist
    for (const v of Object.values(o)) if (v && typeof v === 'object') collectHops(v, h, out)
  }
  return out
}

function isStep(v: unknown): v is { to: string; [k: string]: unknown } {
  return (
    !!v &&
    typeof v === 'object' &&
    typeof (v as { to?: unknown }).to === 'string' &&
    /^0x[0-9a-fA-F]{40}$/.test((v as { to: string }).to)
  )
}

function isAmount(v: unknown): v is string | number {
  return (
    (typeof v === 'string' && /^[0-9]+$/.test(v)) ||
    (typeof v === 'number' && Number.isInteger(v) && v >= 0)
  )
}
