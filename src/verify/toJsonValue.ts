/**
 * The JSON form of a Verdict (or anything): bigints as decimal strings, `verdict` first.
 *
 * @example
 * JSON.stringify(toJsonValue({ verdict: 'pass', tx: { value: 1n } })) // '{"verdict":"pass","tx":{"value":"1"}}'
 */
export function toJsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (Array.isArray(value)) return value.map(toJsonValue)
  if (value instanceof Date) return value.toISOString()
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    const record = value as Record<string, unknown>
    if ('verdict' in record) out['verdict'] = toJsonValue(record['verdict'])
    for (const [key, item] of Object.entries(record))
      if (item !== undefined && !(key in out)) out[key] = toJsonValue(item)
    return out
  }
  return value
}
