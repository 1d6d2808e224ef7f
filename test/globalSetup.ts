import { execFileSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

// End-to-end tests run the real CLI (node bin/heistguard.js); build it once if src/ changed since.
function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

export default function setup(): void {
  let built = 0
  try {
    built = statSync('dist/cli/main.js').mtimeMs
  } catch {}
  if (built < newestMtime('src'))
    execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' })
}
