import { createHash } from 'node:crypto'
import type { Alert } from '../store/StateStore.js'
import { alertId } from './alertId.js'

/** One fetched resource of the signing web app. */
export type FrontendResource = { url: string; sha256: string | null; error?: string }

/**
 * Fetches each page and every script it loads (`<script src>`, resolved against the page),
 * returning their SHA-256 digests. A fetch failure is recorded, not thrown.
 *
 * @example
 * const resources = await hashFrontend(['https://app.safe.global/'])
 */
export async function hashFrontend(
  urls: readonly string[],
  timeoutMs = 10_000,
): Promise<FrontendResource[]> {
  const out: FrontendResource[] = []
  const seen = new Set<string>()
  const get = async (url: string): Promise<{ body: Buffer; type: string } | { error: string }> => {
    try {
      const response = await fetch(url, {
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'follow',
      })
      if (!response.ok) return { error: `HTTP ${response.status}` }
      return {
        body: Buffer.from(await response.arrayBuffer()),
        type: response.headers.get('content-type') ?? '',
      }
    } catch (error) {
      return {
        error: (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message,
      }
    }
  }
  for (const page of urls) {
    if (seen.has(page)) continue
    seen.add(page)
    const result = await get(page)
    if ('error' in result) {
      out.push({ url: page, sha256: null, error: result.error })
      continue
    }
    out.push({ url: page, sha256: sha256(result.body) })
    for (const src of scriptSources(result.body.toString('utf8'))) {
      const url = new URL(src, page).toString()
      if (seen.has(url)) continue
      seen.add(url)
      const script = await get(url)
      out.push(
        'error' in script
          ? { url, sha256: null, error: script.error }
          : { url, sha256: sha256(script.body) },
      )
    }
  }
  return out
}

/** `src` of every script element, and of module preloads, in document order. */
export function scriptSources(html: string): string[] {
  const out: string[] = []
  for (const match of html.matchAll(/<script\b[^>]*\bsrc\s*=\s*["']?([^"'\s>]+)/gi))
    out.push(match[1]!)
  for (const match of html.matchAll(
    /<link\b[^>]*\brel\s*=\s*["']?modulepreload["']?[^>]*\bhref\s*=\s*["']?([^"'\s>]+)/gi,
  ))
    out.push(match[1]!)
  return out
}

/**
 * Checks the signing web app against a pinned manifest (url -> sha256). Alerts when a hash
 * differs, when a page or script is not in the manifest (a newly injected script), or when a
 * pinned resource cannot be fetched. The alert id depends on url and observed hash, so the same
 * change is alerted once, and a further change again.
 *
 * @example
 * const alerts = await checkFrontend({ urls, manifest, chainId: 1, now: Date.now() })
 */
export async function checkFrontend(options: {
  urls: readonly string[]
  manifest: Record<string, string>
  chainId: number
  now: number
}): Promise<Alert[]> {
  const resources = await hashFrontend(options.urls)
  const alerts: Alert[] = []
  for (const r of resources) {
    const pinned = options.manifest[r.url]
    if (r.sha256 !== null && pinned === r.sha256) continue
    const problem =
      r.sha256 === null
        ? `cannot be fetched (${r.error})`
        : pinned
          ? 'changed'
          : 'is not in the pinned manifest'
    alerts.push({
      id: alertId({
        chainId: options.chainId,
        blockHash: 'frontend',
        txHash: null,
        detector: 'frontend',
        discriminator: `${r.url}\n${r.sha256 ?? r.error}`,
      }),
      chainId: options.chainId,
      blockNumber: 0,
      blockHash: 'frontend',
      txHash: null,
      detector: 'frontend',
      severity: r.sha256 === null ? 'medium' : 'critical',
      title: `signing web app resource ${r.url} ${problem}`,
      details: { url: r.url, expected: pinned ?? null, actual: r.sha256, error: r.error ?? null },
      state: 'live',
      revision: 0,
      createdAt: options.now,
    })
  }
  return alerts
}

function sha256(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex')
}
