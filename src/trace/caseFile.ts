import { readFile } from 'node:fs/promises'
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml'
import { z } from 'zod'
import { InputError } from '../core/BaseError.js'
import { POLICIES, type Policy } from './Policy.js'
import type { HeistSpec } from './resolveTaintSetup.js'

/**
 * A trace case file (YAML):
 *
 * ```yaml
 * policy: haircut              # optional; --policy wins
 * labels: [labels.csv]         # optional; paths relative to this file
 * heists:
 *   - id: bybit                # the name used in every report
 *     thefts: [0x46deef0f…]    # every transfer in these transactions is stolen funds
 *     sources: ["0x47666Fab8bd0Ac7003bce3f5C3585383F09486E2@21895251"]  # whole balance from that block
 * ```
 */
export type CaseFile = { policy?: Policy; labels: string[]; heists: HeistSpec[] }

const hash = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected a 32-byte 0x transaction hash')
const source = z.string().regex(/^0x[0-9a-fA-F]{40}@[0-9]+$/, 'expected "0xaddress@block"')
const schema = z
  .object({
    policy: z.enum(POLICIES as [Policy, ...Policy[]]).optional(),
    labels: z.array(z.string().min(1)).default([]),
    heists: z
      .array(
        z
          .object({
            id: z
              .string()
              .regex(
                /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
                'expected an id of letters, digits, . _ -',
              ),
            name: z.string().optional(),
            thefts: z.array(hash).default([]),
            sources: z.array(source).default([]),
          })
          .strict()
          .refine(
            (h) => h.thefts.length + h.sources.length > 0,
            'a heist needs at least one theft transaction or source',
          ),
      )
      .min(1, 'at least one heist'),
  })
  .strict()

/**
 * Parses a case file; errors name `file:line` and the key (e.g. `case.yaml:7: heists[1].thefts[0]`).
 *
 * @example
 * parseCaseFile('heists:\n  - id: bybit\n    thefts: [0x46de…]\n', 'case.yaml')
 */
export function parseCaseFile(text: string, source: string): CaseFile {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter })
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!
    throw new InputError(e.message.split('\n')[0] ?? 'invalid YAML', {
      code: 'CASE_FILE',
      field: `${source}:${e.linePos?.[0]?.line ?? 1}`,
    })
  }
  // Thefts are often written unquoted; YAML would read 0x… as a number, so read scalars as text.
  const value = doc.toJS({ mapAsMap: false }) as unknown
  const parsed = schema.safeParse(stringifyHexNumbers(doc.contents, value))
  const lineAt = (path: (string | number)[]) => {
    let node: unknown = doc.contents
    let line = 1
    for (const key of path) {
      if (isMap(node)) node = node.get(key, true)
      else if (isSeq(node)) node = node.get(Number(key), true)
      else break
      const range = (node as YamlNode | undefined)?.range
      if (range) line = lineCounter.linePos(range[0]).line
    }
    return line
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const key = issue.path
      .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`))
      .join('')
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown key ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`
        : issue.message
    throw new InputError(message, {
      code: 'CASE_FILE',
      field: `${source}:${lineAt(issue.path)}${key ? `: ${key}` : ''}`,
    })
  }
  const seen = new Set<string>()
  const heists: HeistSpec[] = parsed.data.heists.map((h, i) => {
    if (seen.has(h.id))
      throw new InputError(`duplicate heist id ${JSON.stringify(h.id)}`, {
        code: 'CASE_FILE',
        field: `${source}:${lineAt(['heists', i, 'id'])}: heists[${i}].id`,
      })
    seen.add(h.id)
    return {
      id: h.id,
      thefts: h.thefts.map((t) => t.toLowerCase()),
      sources: h.sources.map((s) => {
        const [address, block] = s.split('@')
        return { address: address!.toLowerCase(), block: Number(block) }
      }),
      where: `${source}:${lineAt(['heists', i])}`,
    }
  })
  return {
    ...(parsed.data.policy ? { policy: parsed.data.policy } : {}),
    labels: parsed.data.labels,
    heists,
  }
}

/** Replaces numbers that YAML parsed from 0x… scalars by their source text. */
function stringifyHexNumbers(node: unknown, value: unknown): unknown {
  if (isMap(node) && value && typeof value === 'object' && !Array.isArray(value)) {
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) }
    for (const pair of node.items) {
      const key = String((pair.key as { value?: unknown } | null)?.value ?? pair.key)
      out[key] = stringifyHexNumbers(pair.value, out[key])
    }
    return out
  }
  if (isSeq(node) && Array.isArray(value))
    return value.map((v, i) => stringifyHexNumbers(node.items[i], v))
  const src = (node as { source?: unknown } | null)?.source
  if (typeof value === 'number' && typeof src === 'string' && /^0x/i.test(src)) return src
  return value
}

/**
 * Reads a case file from disk.
 *
 * @example
 * const kase = await readCaseFile('case.yaml')
 */
export async function readCaseFile(path: string): Promise<CaseFile> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new InputError('cannot read the case file', { code: 'CASE_FILE', field: path })
  }
  return parseCaseFile(text, path)
}
