/**
 * Amounts arrive as base-unit integer strings (exact) or as numbers (the taint engine works in
 * float64). They are kept as decimal text so JSON never loses digits; arithmetic is exact when both
 * sides are integers and float otherwise.
 *
 * @example
 * amountText(1e21) // '1000000000000000000000'
 * addAmounts('1', '2.5') // '3.5'
 */
export function amountText(value: string | number | bigint): string {
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'number')
    return Number.isInteger(value) ? BigInt(value).toString() : String(value)
  return value
}

const INT_RE = /^[0-9]+$/

/** Sum of two amount texts (see amountText). */
export function addAmounts(a: string, b: string): string {
  if (INT_RE.test(a) && INT_RE.test(b)) return (BigInt(a) + BigInt(b)).toString()
  return String(Number(a) + Number(b))
}

/** a / b as a float in 0..1 (0 when b is zero). */
export function amountRatio(a: string, b: string): number {
  const d = Number(b)
  return d > 0 ? Math.min(1, Number(a) / d) : 0
}

/** True when the amount is zero (or not positive). */
export function isZeroAmount(a: string): boolean {
  return !(Number(a) > 0)
}
