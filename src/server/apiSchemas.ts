import { z } from 'zod'

/**
 * Request bodies of the write endpoints. One schema each, strict (unknown keys are an error, so a
 * typo such as `maxAmmount` is caught instead of silently ignored). The OpenAPI document is written
 * from the same shapes.
 */
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 20-byte 0x address')
const hash32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected a 32-byte 0x hash')
const decimal = z.string().regex(/^[0-9]{1,78}$/, 'expected a decimal integer string')
const severity = z.enum(['info', 'low', 'medium', 'high', 'critical'])

export const alertInputSchema = z
  .object({
    id: z.string().min(1).max(200).optional(),
    chainId: z.number().int().positive(),
    blockNumber: z.number().int().nonnegative(),
    blockHash: hash32,
    txHash: hash32.nullable().default(null),
    detector: z.string().min(1).max(100),
    severity,
    title: z.string().min(1).max(500),
    details: z.record(z.string(), z.unknown()).default({}),
  })
  .strict()

export const ackInputSchema = z.object({ note: z.string().max(1000).optional() }).strict()

export const intentInputSchema = z
  .object({
    id: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and ._:- only')
      .optional(),
    chainId: z.number().int().positive(),
    from: address,
    to: address,
    token: address.nullable().default(null),
    maxAmount: decimal,
    validFrom: z.number().int().nonnegative(),
    validUntil: z.number().int().nonnegative(),
    note: z.string().max(1000).optional(),
  })
  .strict()
  .refine((i) => i.validUntil > i.validFrom, {
    message: 'must be after validFrom',
    path: ['validUntil'],
  })

export const intentStateSchema = z.object({ state: z.enum(['open', 'used', 'cancelled']) }).strict()

export const receiptInputSchema = z
  .object({
    safeTxHash: hash32,
    signer: address,
    verdict: z.enum(['pass', 'warn', 'block']),
    time: z.number().int().nonnegative(),
    document: z.record(z.string(), z.unknown()),
  })
  .strict()

export const traceCaseInputSchema = z
  .object({
    id: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and ._:- only')
      .optional(),
    /** Passed to the trace runner as is; it validates its own fields. */
    request: z.record(z.string(), z.unknown()),
  })
  .strict()

export const screenManyInputSchema = z
  .object({ addresses: z.array(z.string().max(100)).min(1).max(10_000) })
  .strict()
