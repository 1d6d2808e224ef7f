import { createHmac } from 'node:crypto'
import { BaseError } from '../../core/BaseError.js'
import { messageBody, type Notifier } from './Notifier.js'

/**
 * POSTs each message as JSON with `X-Heistguard-Signature: sha256=<hex HMAC-SHA256 of the
 * body>` (when a secret is set) and `Idempotency-Key: <message id>`; any 2xx is success. The
 * receiver dedupes by the key: delivery is at least once.
 *
 * @example
 * createWebhookNotifier({ url: 'https://hooks.example/hg', secret: process.env.HG_SECRET })
 */
export function createWebhookNotifier(options: {
  url: string
  secret?: string
  timeoutMs?: number
  name?: string
}): Notifier {
  return {
    name: options.name ?? 'webhook',
    async send(message) {
      const body = JSON.stringify(messageBody(message))
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'idempotency-key': message.messageId,
      }
      if (options.secret)
        headers['x-heistguard-signature'] = `sha256=${signBody(options.secret, body)}`
      await postOrThrow(options.url, body, headers, options.timeoutMs ?? 10_000)
    },
  }
}

/** Hex HMAC-SHA256 of a body, as receivers recompute it. */
export function signBody(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('hex')
}

/** POST that throws a redacted BaseError on a transport failure or a non-2xx status. */
export async function postOrThrow(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<void> {
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause
    throw new BaseError(`POST ${url} failed: ${cause?.code ?? (error as Error).message}`, {
      code: 'NOTIFY_FAILED',
    })
  }
  await response.arrayBuffer().catch(() => undefined)
  if (!response.ok)
    throw new BaseError(`POST ${url} answered HTTP ${response.status}`, { code: 'NOTIFY_FAILED' })
}
