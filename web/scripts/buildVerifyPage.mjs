// Builds the offline verify page: ONE self-contained HTML file (web/dist/heistguard-verify.html),
// with its inline script pinned in the page's own CSP by SHA-256 (no 'unsafe-inline' for scripts),
// then builds it a second time and fails unless both builds are byte-identical (reproducible).
// Prints the file's SHA-256 and writes it to web/verify-page.sha256 (sha256sum format) for the
// README, so a signer can check the copy on their USB stick: `sha256sum -c verify-page.sha256`.
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'

const web = join(dirname(fileURLToPath(import.meta.url)), '..')
const NAME = 'heistguard-verify.html'

async function buildOnce(outDir) {
  // Fixed environment for determinism: no timestamps or absolute paths reach the output.
  await build({
    configFile: join(web, 'vite.verify-page.config.ts'),
    build: { outDir, emptyOutDir: true },
    logLevel: 'warn',
  })
  let html = readFileSync(join(outDir, 'verify.html'), 'utf8')
  const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1])
  const hashes = scripts.map((s) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`)
  const before = html
  html = html.replace("script-src 'unsafe-inline'", `script-src ${hashes.join(' ')}`)
  if (html === before) throw new Error('verify.html: CSP script-src placeholder not found')
  return html
}

const tmp = join(web, '.build-verify')
rmSync(tmp, { recursive: true, force: true })
const first = await buildOnce(join(tmp, 'a'))
const second = await buildOnce(join(tmp, 'b'))
rmSync(tmp, { recursive: true, force: true })
if (first !== second) {
  process.stderr.write('build:verify-page: two builds differ: the offline page is not reproducible\n')
  process.exit(1)
}
mkdirSync(join(web, 'dist'), { recursive: true })
writeFileSync(join(web, 'dist', NAME), first)
const sha = createHash('sha256').update(first).digest('hex')
writeFileSync(join(web, 'verify-page.sha256'), `${sha}  ${NAME}\n`)
process.stdout.write(`web/dist/${NAME}  ${(first.length / 1024).toFixed(0)} KiB  reproducible\nSHA-256 ${sha}\n`)
