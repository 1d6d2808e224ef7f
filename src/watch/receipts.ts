import { createHmac, timingSafeEqual } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { recoverMessageAddress } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { BaseError, InputError } from '../core/BaseError.js'
import type { Hex } from '../core/hex.js'

/** What a verifier attests: "I checked this safeTxHash and my verdict was ...". */
export type ReceiptFields = {
  safeTxHash: string
  verdict: 'pass' | 'warn' | 'block'
  /** Decoded summary shown to the verifier (e.g. "transfer 30,000 ETH to hot wallet"). */
  summary: string
  verifierVersion: string
  /** ISO 8601 time of the verification. */
  time: string
}

/** A signed receipt as written to disk or served over HTTP. */
export type Receipt = ReceiptFields & {
  type: 'heistguard-receipt/v1'
  /** The signer's address (EIP-191 key signature) or `hmac:<keyId>`. */
  signer: string
  scheme: 'eip191' | 'hmac-sha256'
  signature: string
}

export type ReceiptSigner = { privateKey: Hex } | { hmacKey: string; keyId: string }

/** The exact bytes signed: canonical JSON of type, fields and signer, keys sorted. */
export function receiptPayload(
  receipt: Omit<Receipt, 'signature' | 'scheme'> & { scheme?: string },
): string {
  const { type, safeTxHash, verdict, summary, verifierVersion, time, signer } = receipt
  return JSON.stringify({
    safeTxHash: safeTxHash.toLowerCase(),
    signer: signer.toLowerCase(),
    summary,
    time,
    type,
    verdict,
    verifierVersion,
  })
}

/**
 * Creates a verification receipt signed with an EIP-191 key signature (the verifier's own key)
 * or an HMAC-SHA256 key shared with the watcher.
 *
 * @example
 * const receipt = await createReceipt({ safeTxHash, verdict: 'pass', summary: 'transfer', verifierVersion: '0.1.0', time: new Date().toISOString() }, { privateKey })
 */
export async function createReceipt(
  fields: ReceiptFields,
  signer: ReceiptSigner,
): Promise<Receipt> {
  if (!/^0x[0-9a-fA-F]{64}$/.test(fields.safeTxHash))
    throw new InputError('safeTxHash must be 32 bytes of hex', {
      code: 'INVALID_HEX',
      field: 'safeTxHash',
    })
  if (!['pass', 'warn', 'block'].includes(fields.verdict))
    throw new InputError(`verdict must be pass, warn or block`, {
      code: 'INVALID_RECEIPT',
      field: 'verdict',
    })
  if (Number.isNaN(Date.parse(fields.time)))
    throw new InputError('time must be an ISO 8601 date', {
      code: 'INVALID_RECEIPT',
      field: 'time',
    })
  const base = {
    type: 'heistguard-receipt/v1' as const,
    ...fields,
    safeTxHash: fields.safeTxHash.toLowerCase(),
  }
  if ('privateKey' in signer) {
    const account = privateKeyToAccount(signer.privateKey)
    const unsigned = { ...base, signer: account.address.toLowerCase(), scheme: 'eip191' as const }
    const signature = await account.signMessage({ message: receiptPayload(unsigned) })
    return { ...unsigned, signature }
  }
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(signer.keyId))
    throw new InputError('keyId must be 1-64 of [A-Za-z0-9._-]', {
      code: 'INVALID_RECEIPT',
      field: 'keyId',
    })
  const unsigned = {
    ...base,
    signer: `hmac:${signer.keyId}`.toLowerCase(),
    scheme: 'hmac-sha256' as const,
  }
  const signature = createHmac('sha256', signer.hmacKey)
    .update(receiptPayload(unsigned))
    .digest('hex')
  return { ...unsigned, signature }
}

/**
 * Checks a receipt's shape and signature. HMAC receipts need their key in `hmacKeys` (by key id).
 * A bad receipt is a result, not an exception.
 *
 * @example
 * const check = await verifyReceipt(receipt, { hmacKeys: { ops: 'secret' } })
 */
export async function verifyReceipt(
  value: unknown,
  options: { hmacKeys?: Record<string, string> } = {},
): Promise<{ ok: true; receipt: Receipt } | { ok: false; reason: string }> {
  const r = value as Partial<Receipt> | null
  if (!r || typeof r !== 'object' || r.type !== 'heistguard-receipt/v1')
    return { ok: false, reason: 'not a heistguard-receipt/v1 document' }
  for (const key of [
    'safeTxHash',
    'verdict',
    'summary',
    'verifierVersion',
    'time',
    'signer',
    'scheme',
    'signature',
  ] as const)
    if (typeof r[key] !== 'string') return { ok: false, reason: `missing ${key}` }
  const receipt = r as Receipt
  if (!/^0x[0-9a-fA-F]{64}$/.test(receipt.safeTxHash))
    return { ok: false, reason: 'safeTxHash is not 32 bytes' }
  if (!['pass', 'warn', 'block'].includes(receipt.verdict))
    return { ok: false, reason: 'unknown verdict' }
  const payload = receiptPayload(receipt)
  if (receipt.scheme === 'eip191') {
    if (!/^0x[0-9a-fA-F]{130}$/.test(receipt.signature))
      return { ok: false, reason: 'signature is not 65 bytes' }
    try {
      const recovered = await recoverMessageAddress({
        message: payload,
        signature: receipt.signature as Hex,
      })
      if (recovered.toLowerCase() !== receipt.signer.toLowerCase())
        return { ok: false, reason: 'signature does not match signer' }
    } catch {
      return { ok: false, reason: 'signature does not recover' }
    }
    return { ok: true, receipt }
  }
  if (receipt.scheme === 'hmac-sha256') {
    const keyId = receipt.signer.replace(/^hmac:/, '')
    const key = Object.entries(options.hmacKeys ?? {}).find(
      ([id]) => id.toLowerCase() === keyId,
    )?.[1]
    if (!key) return { ok: false, reason: `no HMAC key for ${keyId}` }
    const expected = Buffer.from(createHmac('sha256', key).update(payload).digest('hex'))
    const given = Buffer.from(receipt.signature)
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      return { ok: false, reason: 'HMAC does not match' }
    return { ok: true, receipt }
  }
  return { ok: false, reason: 'unknown scheme' }
}

/**
 * Collects receipts from a directory (every *.json file: one receipt or an array) or an HTTP(S)
 * URL (a JSON receipt or array). Returns the valid ones and one line per rejected document.
 *
 * @example
 * const { receipts, rejected } = await collectReceipts('./receipts', { hmacKeys })
 */
export async function collectReceipts(
  source: string,
  options: { hmacKeys?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ receipts: Receipt[]; rejected: string[] }> {
  const documents: Array<{ where: string; value: unknown }> = []
  if (/^https?:\/\//.test(source)) {
    let response: Response
    try {
      response = await fetch(source, { signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) })
    } catch (error) {
      throw new BaseError(`cannot fetch receipts from ${source}: ${(error as Error).message}`, {
        code: 'RECEIPTS_FETCH',
      })
    }
    if (!response.ok)
      throw new BaseError(`receipts source ${source} answered HTTP ${response.status}`, {
        code: 'RECEIPTS_FETCH',
      })
    documents.push({ where: source, value: await response.json().catch(() => null) })
  } else {
    const names = (await readdir(source)).filter((n) => n.endsWith('.json')).sort()
    for (const name of names) {
      const where = join(source, name)
      try {
        documents.push({ where, value: JSON.parse(await readFile(where, 'utf8')) })
      } catch {
        documents.push({ where, value: null })
      }
    }
  }
  const receipts: Receipt[] = []
  const rejected: string[] = []
  for (const { where, value } of documents) {
    for (const item of Array.isArray(value) ? value : [value]) {
      const check = await verifyReceipt(item, options)
      if (check.ok) receipts.push(check.receipt)
      else rejected.push(`${where}: ${check.reason}`)
    }
  }
  return { receipts, rejected }
}
