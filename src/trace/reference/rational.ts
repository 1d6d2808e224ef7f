/**
 * Exact non-negative rationals over bigint, for the reference taint implementation only.
 * Always kept reduced with a positive denominator.
 */
export type Rational = { n: bigint; d: bigint }

export const ZERO: Rational = { n: 0n, d: 1n }

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a
  let y = b
  while (y !== 0n) [x, y] = [y, x % y]
  return x === 0n ? 1n : x
}

/**
 * Builds a reduced rational.
 *
 * @example
 * rational(2n, 4n) // { n: 1n, d: 2n }
 */
export function rational(n: bigint, d = 1n): Rational {
  if (d === 0n) throw new Error('rational: zero denominator')
  if (d < 0n) return rational(-n, -d)
  const g = gcd(n, d)
  return { n: n / g, d: d / g }
}

/** a + b. @example add(rational(1n, 2n), rational(1n, 3n)) // 5/6 */
export function add(a: Rational, b: Rational): Rational {
  return a.d === b.d ? rational(a.n + b.n, a.d) : rational(a.n * b.d + b.n * a.d, a.d * b.d)
}

/** a - b. @example sub(rational(1n), rational(1n, 2n)) // 1/2 */
export function sub(a: Rational, b: Rational): Rational {
  return a.d === b.d ? rational(a.n - b.n, a.d) : rational(a.n * b.d - b.n * a.d, a.d * b.d)
}

/** a * b. @example mul(rational(1n, 2n), rational(2n)) // 1 */
export function mul(a: Rational, b: Rational): Rational {
  return rational(a.n * b.n, a.d * b.d)
}

/** a / b. @example div(rational(1n), rational(4n)) // 1/4 */
export function div(a: Rational, b: Rational): Rational {
  return rational(a.n * b.d, a.d * b.n)
}

/** a < b. @example lt(rational(1n, 3n), rational(1n, 2n)) // true */
export function lt(a: Rational, b: Rational): boolean {
  return a.n * b.d < b.n * a.d
}

/** Smaller of a and b. @example min(rational(1n), rational(2n)) // 1 */
export function min(a: Rational, b: Rational): Rational {
  return lt(b, a) ? b : a
}

/** True when a is zero. @example isZero(ZERO) // true */
export function isZero(a: Rational): boolean {
  return a.n === 0n
}

/** Nearest float64, for comparisons with the fast engine. @example toNumber(rational(1n, 4n)) // 0.25 */
export function toNumber(a: Rational): number {
  // Divide in bigint first so that huge numerators and denominators do not overflow to Infinity.
  const whole = a.n / a.d
  const rest = a.n % a.d
  const scale = 10n ** 18n
  return Number(whole) + Number((rest * scale) / a.d) / 1e18
}

/**
 * Exact decimal string with up to `digits` fractional digits (truncated), e.g. for ground truth.
 *
 * @example
 * toDecimal(rational(1n, 3n), 4) // '0.3333'
 */
export function toDecimal(a: Rational, digits = 18): string {
  const whole = a.n / a.d
  let rest = a.n % a.d
  if (rest === 0n) return whole.toString()
  let frac = ''
  for (let i = 0; i < digits && rest !== 0n; i++) {
    rest *= 10n
    frac += (rest / a.d).toString()
    rest %= a.d
  }
  frac = frac.replace(/0+$/, '')
  return frac ? `${whole}.${frac}` : whole.toString()
}
