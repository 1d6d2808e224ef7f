/**
 * A PostgreSQL URL safe for logs and errors: no password, no user name, no query (which may
 * carry `password=` or `sslkey=`).
 *
 * @example
 * redactPostgresUrl('postgres://watch:s3cret@db:5432/hg') // 'postgres://***@db:5432/hg'
 */
export function redactPostgresUrl(url: string): string {
  try {
    const u = new URL(url)
    u.username = u.username ? '***' : ''
    u.password = ''
    u.search = ''
    return u.toString()
  } catch {
    return 'postgres://…'
  }
}
