import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The built UI held in memory: small (a few hundred kB), and immune to files changing under us. */
export type WebAssets = { files: Map<string, { body: Uint8Array; type: string }> }

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  txt: 'text/plain; charset=utf-8',
  woff2: 'font/woff2',
}

/**
 * Strict CSP for the UI: only our own scripts, styles and API; no inline script, no eval, no
 * framing, no plugins, no form posts elsewhere. A tampered page (the Bybit attack vector) cannot
 * pull in a script from another origin, and an injected inline script will not run.
 */
// The one inline style the UI needs: the <style> element Cytoscape.js inserts for its container,
// allowed by its exact hash rather than by 'unsafe-inline'.
const CYTOSCAPE_STYLE = '.__________cytoscape_container { position: relative; }'
const CYTOSCAPE_STYLE_HASH = `'sha256-${createHash('sha256').update(CYTOSCAPE_STYLE).digest('base64')}'`

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  `style-src 'self' ${CYTOSCAPE_STYLE_HASH}`,
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ')

/**
 * web/dist of this installation, if the UI was built (`npm run build:web`): found by walking up
 * from the running module, which is src/… in tests and dist/ in the bundle.
 *
 * @example
 * const dir = findWebDir() // '/opt/heistguard/web/dist' or null
 */
export function findWebDir(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'web', 'dist')
    if (existsSync(join(candidate, 'index.html'))) return candidate
    dir = dirname(dir)
  }
  return null
}

/**
 * Reads every file under `dir` (web/dist). Returns null when the UI was not built.
 *
 * @example
 * const web = loadWebAssets('web/dist')
 */
export function loadWebAssets(dir: string): WebAssets | null {
  try {
    if (!statSync(join(dir, 'index.html')).isFile()) return null
  } catch {
    return null
  }
  const files = new Map<string, { body: Uint8Array; type: string }>()
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name)
      if (entry.isDirectory()) walk(path)
      else {
        const ext = entry.name.split('.').pop() ?? ''
        files.set(`/${relative(dir, path).split('\\').join('/')}`, {
          body: readFileSync(path),
          type: TYPES[ext] ?? 'application/octet-stream',
        })
      }
    }
  }
  walk(dir)
  return { files }
}

/**
 * The response for a UI path: the file, or index.html for client-side routes (paths without an
 * extension), with the CSP and no-sniff headers. Null for a missing asset.
 *
 * @example
 * webResponse(web, '/verify') // index.html
 */
export function webResponse(web: WebAssets, path: string): Response | null {
  const file =
    web.files.get(path === '/' ? '/index.html' : path) ??
    (/\.[a-z0-9]+$/i.test(path) ? undefined : web.files.get('/index.html'))
  if (!file) return null
  // The offline verify page inlines its script (pinned by hash in its own CSP); served here it is a
  // download to keep on a USB stick, never a page running under this origin.
  const download: Record<string, string> =
    path === '/heistguard-verify.html'
      ? { 'Content-Disposition': 'attachment; filename="heistguard-verify.html"' }
      : {}
  return new Response(file.body as Uint8Array<ArrayBuffer>, {
    headers: {
      ...download,
      'Content-Type': file.type,
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': path.startsWith('/assets/')
        ? 'public, max-age=31536000, immutable'
        : 'no-cache',
    },
  })
}
