/** Small fetch helpers for the served UI. The API token (for writes) lives in sessionStorage only. */
export type ApiError = { error: { code: string; message: string; field?: string } }

const TOKEN_KEY = 'heistguard.token'

export function getToken(): string {
  return sessionStorage.getItem(TOKEN_KEY) ?? ''
}

export function setToken(token: string): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token)
  else sessionStorage.removeItem(TOKEN_KEY)
}

/** GET or POST JSON; throws an Error with the API's one-line message on failure. */
export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; auth?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = {}
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  if (init.auth && getToken()) headers.authorization = `Bearer ${getToken()}`
  const response = await fetch(path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.body === undefined
      ? {}
      : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
  })
  const text = await response.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new Error(`${response.status}: ${text.slice(0, 200)}`)
  }
  if (!response.ok) {
    const e = (json as ApiError).error
    throw new Error(e ? `${e.field ? `${e.field}: ` : ''}${e.message}` : `HTTP ${response.status}`)
  }
  return json as T
}
