/**
 * The one error type of heistguard. A risky transaction is never an error (it is a Verdict);
 * errors mean the tool could not do its job, and carry a stable `code` that scripts can match.
 *
 * `exitCode` follows shared/DESIGN.md: 2 for bad input or usage, 1 when the tool itself failed.
 *
 * @example
 * throw new BaseError('odd-length hex', { code: 'INVALID_HEX', field: '--data', exitCode: 2 })
 */
export type BaseErrorParameters = {
  /** Stable machine-readable code, e.g. `INVALID_ADDRESS`. */
  code: string
  /** 2 = bad input or usage, 1 = the tool failed. Default 1. */
  exitCode?: 1 | 2
  /** Where the problem is: a flag, a JSON path, or `file:line`. */
  field?: string
  details?: string
  metaMessages?: string[]
  cause?: unknown
}

export class BaseError extends Error {
  override name = 'HeistguardError'
  readonly code: string
  readonly exitCode: 1 | 2
  readonly shortMessage: string
  readonly field: string | undefined
  readonly details: string | undefined
  readonly metaMessages: string[] | undefined

  constructor(shortMessage: string, parameters: BaseErrorParameters) {
    const where = parameters.field ? `${parameters.field}: ` : ''
    super(
      redactSecrets(`${where}${shortMessage}`),
      parameters.cause ? { cause: parameters.cause } : {},
    )
    this.shortMessage = redactSecrets(shortMessage)
    this.code = parameters.code
    this.exitCode = parameters.exitCode ?? 1
    this.field = parameters.field
    this.details = parameters.details === undefined ? undefined : redactSecrets(parameters.details)
    this.metaMessages = parameters.metaMessages?.map(redactSecrets)
  }

  /** Walks the cause chain; returns the deepest error, or the first one `fn` accepts. */
  walk(fn?: (error: unknown) => boolean): unknown {
    let current: unknown = this
    for (let depth = 0; depth < 32; depth++) {
      if (fn?.(current)) return current
      const next = (current as { cause?: unknown } | null)?.cause
      if (next === undefined || next === null) return fn ? null : current
      current = next
    }
    return fn ? null : current
  }

  /** One line for a terminal: what is wrong and where, never a stack trace. */
  toLine(): string {
    return this.message.split('\n')[0] ?? this.message
  }
}

/** An error caused by the caller's input; exits with code 2. */
export class InputError extends BaseError {
  constructor(shortMessage: string, parameters: Omit<BaseErrorParameters, 'exitCode'>) {
    super(shortMessage, { ...parameters, exitCode: 2 })
  }
}

/**
 * Strips credentials from anything that may reach a log or error text: `user:pass@` in URLs,
 * API keys in URL paths and query strings of well-known RPC providers, bearer tokens.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+(:[^/\s@]*)?@/gi, '$1***@')
    .replace(/([?&](?:api[-_]?key|key|token|secret|access_token|auth)=)[^&\s#]+/gi, '$1***')
    .replace(/(\/v[0-9]+\/)[0-9a-f]{24,}/gi, '$1***')
    .replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, '$1***')
}
