import { getAddress, parseUnits } from 'viem'
import { LineCounter, parseDocument } from 'yaml'
import { z } from 'zod'
import { InputError } from '../core/BaseError.js'
import type { Address } from '../core/hex.js'

/** How much an address-book entry is trusted. `untrusted` entries block (a deny list). */
export type Trust = 'trusted' | 'known' | 'untrusted'

export type PolicyAddressEntry = {
  address: Address
  name: string
  trust: Trust
  /** For tokens: what to print and how to read amounts. */
  symbol?: string
  decimals?: number
}

/** `token` is `ETH` or a token contract; `max` is in base units. */
export type PolicyLimit = { token: 'ETH' | Address; max: bigint }

/** A pre-approved transfer. A transaction matching an open intent is reported as such. */
export type PolicyIntent = {
  id: string
  destination: Address
  token: 'ETH' | Address
  maxAmount: bigint
  notBefore?: Date
  notAfter?: Date
}

/** Everything the policy says about one Safe. Paths stay as written (relative to the file). */
export type SafePolicy = {
  address: Address
  chainId?: bigint
  name?: string
  owners?: Address[]
  threshold?: number
  addressBook: PolicyAddressEntry[]
  /** `undefined` means the default: the canonical libraries of `defaultDelegatecallAllowlist`. */
  delegatecallAllowlist?: Address[]
  limits: PolicyLimit[]
  /** What a change of owners, threshold, modules, guard, fallback handler or masterCopy does. */
  configChanges: 'warn' | 'block'
  intents: PolicyIntent[]
  sanctionsLists: string[]
  abis: string[]
}

export type Policy = { source: string; safes: SafePolicy[] }

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/

const address = z.string().transform((value, ctx): Address => {
  const text = value.trim()
  if (!ADDRESS_RE.test(text)) {
    ctx.addIssue({
      code: 'custom',
      message: `not a 20-byte 0x address: ${JSON.stringify(text.slice(0, 50))}`,
    })
    return z.NEVER
  }
  const checksummed = getAddress(text.toLowerCase())
  const body = text.slice(2)
  if (body !== body.toLowerCase() && body !== body.toUpperCase() && checksummed !== text) {
    ctx.addIssue({
      code: 'custom',
      message: `bad EIP-55 checksum in ${text} (expected ${checksummed})`,
    })
    return z.NEVER
  }
  return checksummed
})

const tokenRef = z.string().transform((value, ctx): 'ETH' | Address => {
  if (value.trim().toUpperCase() === 'ETH') return 'ETH'
  const result = address.safeParse(value)
  if (!result.success) {
    ctx.addIssue({
      code: 'custom',
      message: `expected ETH or a token address, got ${JSON.stringify(value.slice(0, 50))}`,
    })
    return z.NEVER
  }
  return result.data
})

// The YAML is read with the failsafe schema (every scalar a string): `0x1Db9…` must not become a
// number and `no` must not become false. Numbers are parsed here, strictly.
const integer = (min: number, max: number) =>
  z.string().transform((value, ctx) => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
      })
      return z.NEVER
    }
    return Number(value)
  })

const date = z.string().transform((value, ctx) => {
  const time = Date.parse(value)
  if (Number.isNaN(time) || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
    ctx.addIssue({
      code: 'custom',
      message: `expected an ISO date like 2025-02-21T14:00:00Z, got ${JSON.stringify(value)}`,
    })
    return z.NEVER
  }
  return new Date(time)
})

const entrySchema = z
  .object({
    address,
    name: z.string(),
    trust: z.enum(['trusted', 'known', 'untrusted']).default('known'),
    symbol: z.string().optional(),
    decimals: integer(0, 77).optional(),
  })
  .strict()

const limitSchema = z
  .object({
    token: tokenRef,
    max: z.string(),
    decimals: integer(0, 77).optional(),
    symbol: z.string().optional(),
  })
  .strict()

const intentSchema = z
  .object({
    id: z.string(),
    destination: address,
    token: tokenRef.default('ETH'),
    maxAmount: z.string(),
    decimals: integer(0, 77).optional(),
    notBefore: date.optional(),
    notAfter: date.optional(),
  })
  .strict()

const safeSchema = z
  .object({
    address,
    chainId: z
      .string()
      .regex(/^\d+$/, 'expected a decimal chain id')
      .transform((value) => BigInt(value))
      .optional(),
    name: z.string().optional(),
    owners: z.array(address).optional(),
    threshold: integer(1, 1000).optional(),
    addressBook: z.array(entrySchema).default([]),
    delegatecallAllowlist: z.array(address).optional(),
    limits: z.array(limitSchema).default([]),
    configChanges: z.enum(['warn', 'block']).default('warn'),
    intents: z.array(intentSchema).default([]),
    sanctionsLists: z.array(z.string()).default([]),
    abis: z.array(z.string()).default([]),
  })
  .strict()

const policySchema = z
  .object({
    version: z.literal('1').optional(),
    safes: z.array(safeSchema).min(1, 'list at least one Safe'),
  })
  .strict()

/**
 * Parses and validates a policy file (YAML). Every error names `file:line`, the key path and
 * what is wrong, e.g. `policy.yaml:7: safes[0].owners[1]: bad EIP-55 checksum in 0x…`.
 * Amounts are decimal strings in base units (`30000000000000000000000`) or with a unit
 * (`30000 ETH`, `1.5 ether`, `20 gwei`, `1000 USDC` when the token's decimals are known from the
 * limit or the address book).
 *
 * @example
 * parsePolicy('safes:\n  - address: 0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4\n', 'policy.yaml')
 *   .safes[0].configChanges // 'warn'
 */
export function parsePolicy(text: string, file: string): Policy {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {
    lineCounter,
    schema: 'failsafe',
    prettyErrors: false,
    uniqueKeys: true,
  })
  const syntax = doc.errors[0]
  if (syntax) {
    const pos = syntax.linePos?.[0] ?? lineCounter.linePos(syntax.pos[0])
    throw new InputError(
      `YAML syntax error: ${syntax.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`,
      {
        code: 'INVALID_POLICY',
        field: pos ? `${file}:${pos.line}:${pos.col}` : file,
      },
    )
  }
  const lineOf = (path: readonly (string | number)[]): number => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = doc.getIn(path.slice(0, depth), true) as
        | { range?: [number, number, number] }
        | undefined
      if (node?.range) return lineCounter.linePos(node.range[0]).line
    }
    return 1
  }
  const fail = (path: readonly (string | number)[], message: string): never => {
    throw new InputError(`${formatPath(path)}: ${message}`, {
      code: 'INVALID_POLICY',
      field: `${file}:${lineOf(path)}`,
    })
  }
  const parsed = policySchema.safeParse(doc.toJS() ?? {})
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    fail(issue.path, issueMessage(issue))
  }
  const safes = parsed.data!.safes.map((safe, s): SafePolicy => {
    const book = safe.addressBook.map((entry) => ({ ...entry }) as PolicyAddressEntry)
    const tokenMeta = (token: 'ETH' | Address, decimals?: number, symbol?: string) => {
      if (token === 'ETH') return { eth: true, decimals: 18, symbol: 'ETH' }
      const entry = book.find((e) => e.address === token)
      return { eth: false, decimals: decimals ?? entry?.decimals, symbol: symbol ?? entry?.symbol }
    }
    const limits = safe.limits.map((limit, i) => {
      const max = parseAmount(limit.max, tokenMeta(limit.token, limit.decimals, limit.symbol))
      if (typeof max === 'string') return fail(['safes', s, 'limits', i, 'max'], max)
      return { token: limit.token, max }
    })
    const intents = safe.intents.map((intent, i) => {
      const maxAmount = parseAmount(intent.maxAmount, tokenMeta(intent.token, intent.decimals))
      if (typeof maxAmount === 'string')
        return fail(['safes', s, 'intents', i, 'maxAmount'], maxAmount)
      const out: PolicyIntent = {
        id: intent.id,
        destination: intent.destination,
        token: intent.token,
        maxAmount,
      }
      if (intent.notBefore) out.notBefore = intent.notBefore
      if (intent.notAfter) out.notAfter = intent.notAfter
      return out
    })
    const out: SafePolicy = {
      address: safe.address,
      addressBook: book,
      limits,
      configChanges: safe.configChanges,
      intents,
      sanctionsLists: safe.sanctionsLists,
      abis: safe.abis,
    }
    if (safe.chainId !== undefined) out.chainId = safe.chainId
    if (safe.name !== undefined) out.name = safe.name
    if (safe.owners) out.owners = safe.owners
    if (safe.threshold !== undefined) out.threshold = safe.threshold
    if (safe.delegatecallAllowlist) out.delegatecallAllowlist = safe.delegatecallAllowlist
    return out
  })
  return { source: file, safes }
}

function formatPath(path: readonly (string | number)[]): string {
  let out = ''
  for (const part of path)
    out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`
  return out || '(top level)'
}

function issueMessage(issue: z.ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.received === 'undefined') return `missing required key`
  if (issue.code === 'invalid_type') return `expected ${issue.expected}, got ${issue.received}`
  if (issue.code === 'unrecognized_keys')
    return `unknown key ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`
  if (issue.code === 'invalid_enum_value')
    return `expected one of ${issue.options.join(', ')}, got ${JSON.stringify(issue.received)}`
  return issue.message
}

/**
 * Reads an amount written for people: base units, or a decimal with a unit the token is known by.
 * Returns the error text instead of throwing so that the caller can name the line.
 *
 * @example
 * parseAmount('30000 ETH', { eth: true, decimals: 18, symbol: 'ETH' }) // 30000000000000000000000n
 */
export function parseAmount(
  text: string,
  token: { eth: boolean; decimals?: number | undefined; symbol?: string | undefined },
): bigint | string {
  const value = text.trim().replace(/_/g, '')
  if (/^\d+$/.test(value)) return BigInt(value)
  const match = /^(\d+(?:\.\d+)?)\s*([A-Za-z][A-Za-z0-9.]*)$/.exec(value)
  if (!match)
    return `expected an amount like 30000 ETH or 1000000 (base units), got ${JSON.stringify(text)}`
  const [, number, unit] = match as unknown as [string, string, string]
  const lower = unit.toLowerCase()
  let decimals: number | undefined
  if (token.eth && (lower === 'eth' || lower === 'ether')) decimals = 18
  else if (token.eth && lower === 'gwei') decimals = 9
  else if (token.eth && lower === 'wei') decimals = 0
  else if (!token.eth && token.symbol && lower === token.symbol.toLowerCase())
    decimals = token.decimals
  else if (!token.eth && token.decimals !== undefined && lower === 'units')
    decimals = token.decimals
  else
    return `unit ${JSON.stringify(unit)} does not match this token (${token.eth ? 'ETH, ether, gwei or wei' : token.symbol ? token.symbol : 'give the amount in base units, or add symbol and decimals to the address book entry'})`
  if (decimals === undefined)
    return `the decimals of ${unit} are unknown; add decimals to its address book entry`
  if ((number.split('.')[1]?.length ?? 0) > decimals)
    return `${text} has more decimals than the token (${decimals})`
  return parseUnits(number, decimals)
}
