import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'

// The README publishes the offline verify page's SHA-256 for signers to check their USB copy.
// The test command builds the page first; a code change that alters the page must also update
// the published value, or signers would reject the genuine page.
test('the README publishes the SHA-256 of the verify page as built', () => {
  const [published] = readFileSync('web/verify-page.sha256', 'utf8').split(/\s+/)
  expect(published).toMatch(/^[0-9a-f]{64}$/)
  expect(readFileSync('README.md', 'utf8')).toContain(published!)
  const page = readFileSync('web/dist/heistguard-verify.html') // built by `npm test` (build:web)
  expect(createHash('sha256').update(page).digest('hex')).toBe(published)
})
