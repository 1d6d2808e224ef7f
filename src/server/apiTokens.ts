import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { ServerStore } from './ServerStore.js'

const TOKEN_RE = /^hg_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/

/**
 * Creates an API token, stores only its salted SHA-256, and returns the token: the one and only
 * time it exists in clear. A 256-bit random secret needs no slow hash; the salt stops a leaked
 * database from being matched against tokens seen elsewhere.
 *
 * @example
 * const { token, id } = await createApiToken(store, 'ci', Date.now())
 * // token: 'hg_3f1a…_…' (give it to the client), id: '3f1a…' (safe to log)
 */
export async function createApiToken(
  store: ServerStore,
  name: string,
  now: number,
): Promise<{ token: string; id: string }> {
  const id = randomBytes(6).toString('hex')
  const secret = randomBytes(32).toString('base64url')
  const salt = randomBytes(16)
  await store.putToken({
    id,
    name,
    salt: salt.toString('hex'),
    hash: digest(salt, secret),
    createdAt: now,
  })
  return { token: `hg_${id}_${secret}`, id }
}

/**
 * Checks a presented token; returns its public id when valid, null otherwise. Constant-time
 * comparison of the hashes.
 *
 * @example
 * await checkApiToken(store, request.headers.get('authorization')?.slice(7) ?? '') // 'a1b2c3…' | null
 */
export async function checkApiToken(store: ServerStore, token: string): Promise<string | null> {
  const m = TOKEN_RE.exec(token)
  if (!m) return null
  const stored = await store.getToken(m[1]!)
  if (!stored) return null
  const expected = Buffer.from(stored.hash, 'hex')
  const actual = Buffer.from(digest(Buffer.from(stored.salt, 'hex'), m[2]!), 'hex')
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? stored.id : null
}

function digest(salt: Buffer, secret: string): string {
  return createHash('sha256').update(salt).update(secret).digest('hex')
}
