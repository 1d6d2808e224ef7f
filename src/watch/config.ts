import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { LineCounter, parseDocument } from 'yaml'
import { z } from 'zod'
import { InputError } from '../core/BaseError.js'
import { SAFE_VERSIONS } from '../safe/safeVersionFeatures.js'
import { DETECTOR_NAMES, type DetectorName } from './WatchState.js'

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x-prefixed 20-byte address')
  .transform((s) => s.toLowerCase())
const hex = z.string().regex(/^0x([0-9a-fA-F]{2})*$/, 'expected 0x-prefixed hex')
const severity = z.enum(['info', 'low', 'medium', 'high', 'critical'])
const safeVersion = z.enum(SAFE_VERSIONS)
const amount = z
  .union([
    z.string().regex(/^[0-9]+$/, 'expected a decimal integer (wei / token units)'),
    z.number().int().nonnegative(),
  ])
  .transform(String)
const time = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .datetime({ offset: true })
    .transform((s) => Math.floor(Date.parse(s) / 1000)),
])

const response = z
  .object({
    /** POST the alert JSON here (an exchange's "freeze withdrawals" endpoint). */
    url: z.string().url().optional(),
    headers: z.record(z.string()).optional(),
    /** A pre-signed raw transaction broadcast with eth_sendRawTransaction (e.g. a pause via guard/module). */
    rawTransaction: hex.optional(),
    /** Only for alerts of at least this severity. Default: every alert of the detector. */
    minSeverity: severity.optional(),
  })
  .strict()
  .refine((r) => r.url || r.rawTransaction, 'a response needs url or rawTransaction')

const detector = z
  .object({
    enabled: z.boolean().default(true),
    severity: severity.optional(),
    response: response.optional(),
  })
  .strict()

const endpoint = z.union([
  z.string().url(),
  z.object({ url: z.string().url(), weight: z.number().positive().default(1) }).strict(),
])

export const watchConfigSchema = z
  .object({
    /** One URL, or several with weights for failover. ws:// URLs also give newHeads pushes. */
    rpc: z.union([endpoint, z.array(endpoint).min(1)]),
    /** Checked against eth_chainId at start. */
    chainId: z.number().int().positive().optional(),
    /** First block when the database has no checkpoint. Default: the head at start. */
    startBlock: z.union([z.number().int().nonnegative(), z.literal('latest')]).default('latest'),
    pollIntervalMs: z.number().int().min(50).default(1000),
    ringSize: z.number().int().min(2).max(100_000).default(128),
    concurrency: z.number().int().min(1).max(64).default(8),
    /** A block that keeps failing this long raises a `watcher` alert (the follower never skips it). */
    stallAfterMs: z.number().int().min(100).default(60_000),
    rpcTimeoutMs: z.number().int().min(50).default(10_000),
    /** First RPC retry delay (doubles per round over all endpoints). */
    rpcBackoffMs: z.number().int().min(1).default(100),
    /**
     * Send requests of the same tick as one JSON-RPC batch of up to this many (0 = off). On by
     * default: catch-up over HTTP goes from ~380 to ~1,000 blocks/s here (bench/RESULTS.md), and
     * an item or batch an endpoint refuses is re-sent alone, so batching never changes an answer.
     */
    rpcBatchSize: z.number().int().min(0).max(1000).default(50),
    /** Watched Safes: an address, or an object with version and receipt policy. */
    safes: z
      .array(
        z.union([
          address,
          z
            .object({ address, version: safeVersion.optional(), label: z.string().optional() })
            .strict(),
        ]),
      )
      .default([]),
    /** Other watched addresses (EOAs, hot wallets). */
    addresses: z
      .array(z.union([address, z.object({ address, label: z.string().optional() }).strict()]))
      .default([]),
    /** Files of watched addresses, one per line (plain lists as read by labels/addressList). */
    addressFiles: z.array(z.string()).default([]),
    /** Sanctions or trace-flagged lists (OFAC TSV/JSON, FBI list, plain). */
    sanctions: z.array(z.string()).default([]),
    flagged: z.array(address).default([]),
    knownSpenders: z.array(address).default([]),
    intents: z
      .array(
        z
          .object({
            id: z.string().optional(),
            from: address,
            to: address,
            token: address.nullable().default(null),
            maxAmount: amount,
            validFrom: time.default(0),
            validUntil: time,
            note: z.string().optional(),
          })
          .strict(),
      )
      .default([]),
    receipts: z
      .object({
        /** Independent receipts required per executed Safe transaction. */
        required: z.number().int().min(1).default(1),
        /** Directories or HTTP(S) URLs to collect receipts from. */
        sources: z.array(z.string()).default([]),
        /** Only receipts from these signers count (addresses or HMAC key ids). */
        signers: z.array(z.string().transform((s) => s.toLowerCase())).default([]),
        /** HMAC keys by key id, for HMAC-signed receipts; `env:NAME` reads an environment variable. */
        hmacKeys: z.record(z.string()).default({}),
        intervalMs: z.number().int().min(100).default(5000),
      })
      .strict()
      .optional(),
    outflow: z.enum(['unapproved', 'all']).default('unapproved'),
    detectors: z
      .object(
        Object.fromEntries(DETECTOR_NAMES.map((name) => [name, detector.optional()])) as Record<
          DetectorName,
          z.ZodOptional<typeof detector>
        >,
      )
      .strict()
      .default({}),
    notify: z
      .object({
        stdout: z.boolean().optional(),
        webhook: z
          .union([
            z.string().url(),
            z.object({ url: z.string().url(), secret: z.string().optional() }).strict(),
          ])
          .optional(),
        slack: z.string().url().optional(),
        email: z
          .object({
            host: z.string(),
            port: z.number().int().positive().default(587),
            secure: z.boolean().default(false),
            ignoreTLS: z.boolean().default(false),
            user: z.string().optional(),
            password: z.string().optional(),
            from: z.string(),
            to: z
              .union([z.string(), z.array(z.string()).min(1)])
              .transform((v) => (Array.isArray(v) ? v : [v])),
          })
          .strict()
          .optional(),
      })
      .strict()
      .default({}),
    delivery: z
      .object({
        maxAttempts: z.number().int().min(1).default(10),
        backoffMs: z.number().int().min(1).default(1000),
        maxBackoffMs: z.number().int().min(1).default(300_000),
        intervalMs: z.number().int().min(10).default(200),
      })
      .strict()
      .default({}),
    frontend: z
      .object({
        /** Pages of the signing web app; their scripts are discovered and pinned too. */
        urls: z.array(z.string().url()).min(1),
        /** url -> sha256 hex of the pinned content. A page or script missing here is alerted too. */
        manifest: z
          .record(z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 hex digest'))
          .default({}),
        intervalMs: z.number().int().min(100).default(60_000),
      })
      .strict()
      .optional(),
    metrics: z
      .object({ port: z.number().int().min(0).max(65535) })
      .strict()
      .optional(),
  })
  .strict()

export type WatchConfig = z.infer<typeof watchConfigSchema> & { baseDir: string; file: string }

/**
 * Reads and validates a watch config (YAML). Secrets can be given as `env:NAME` in webhook
 * secrets, SMTP passwords and HMAC keys. Errors are one line with `file:line` and the key.
 *
 * @example
 * const config = loadWatchConfig('watch.yaml')
 */
export function loadWatchConfig(
  file: string,
  env: Record<string, string | undefined> = process.env,
): WatchConfig {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new InputError(
      `cannot read config: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { code: 'CONFIG_READ', field: file },
    )
  }
  return parseWatchConfig(text, file, env)
}

/**
 * Parses config text; `file` is used in error positions and to resolve relative paths.
 *
 * @example
 * parseWatchConfig('rpc: http://127.0.0.1:8545\nsafes: [0x...]', 'watch.yaml')
 */
export function parseWatchConfig(
  text: string,
  file: string,
  env: Record<string, string | undefined> = {},
): WatchConfig {
  const lineCounter = new LineCounter()
  // Addresses and hashes are written unquoted; YAML's core schema would read 0x... as an integer.
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    customTags: (tags) => tags.filter((tag) => (tag as { format?: string }).format !== 'HEX'),
  })
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!
    const line = lineCounter.linePos(error.pos[0]).line
    throw new InputError(`invalid YAML: ${error.message.split('\n')[0]}`, {
      code: 'CONFIG_INVALID',
      field: `${file}:${line}`,
    })
  }
  const raw = doc.toJS() ?? {}
  const parsed = watchConfigSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = mostSpecific(parsed.error.issues[0]!)
    const path = issue.path
    let line = 1
    for (let depth = path.length; depth >= 0; depth--) {
      const node = doc.getIn(path.slice(0, depth), true) as
        | { range?: [number, number, number] }
        | undefined
      if (node?.range) {
        line = lineCounter.linePos(node.range[0]).line
        break
      }
    }
    const key = path.length ? path.join('.') : '(top level)'
    throw new InputError(`${key}: ${issue.message}`, {
      code: 'CONFIG_INVALID',
      field: `${file}:${line}`,
    })
  }
  const config = parsed.data
  const secret = (value: string | undefined, key: string): string | undefined => {
    if (value === undefined || !value.startsWith('env:')) return value
    const name = value.slice(4)
    const resolved = env[name]
    if (resolved === undefined)
      throw new InputError(`${key}: environment variable ${name} is not set`, {
        code: 'CONFIG_INVALID',
        field: file,
      })
    return resolved
  }
  if (config.notify.webhook && typeof config.notify.webhook === 'object')
    config.notify.webhook.secret = secret(config.notify.webhook.secret, 'notify.webhook.secret')
  if (config.notify.email)
    config.notify.email.password = secret(config.notify.email.password, 'notify.email.password')
  if (config.receipts)
    for (const [id, key] of Object.entries(config.receipts.hmacKeys))
      config.receipts.hmacKeys[id] = secret(key, `receipts.hmacKeys.${id}`)!
  const baseDir = dirname(resolve(file))
  return { ...config, baseDir, file }
}

/** For a union that matched no branch, the branch issue that got furthest (longest path), first on ties. */
function mostSpecific(issue: z.ZodIssue): z.ZodIssue {
  if (issue.code !== 'invalid_union') return issue
  let best: z.ZodIssue | undefined
  for (const error of issue.unionErrors)
    for (const inner of error.issues) {
      const candidate = mostSpecific(inner)
      if (!best || candidate.path.length > best.path.length) best = candidate
    }
  return best ?? issue
}
