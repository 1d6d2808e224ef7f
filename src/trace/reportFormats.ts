import type { TraceReport } from './report.js'

const csvCell = (v: string | number) => {
  const s = String(v)
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/**
 * The report as CSV files (name -> content): `holders.csv`, `exits.csv`, `freezable.csv`, one
 * row per (place, token, heist) amount so spreadsheets can sum them.
 *
 * @example
 * for (const [name, text] of Object.entries(reportToCsv(report))) writeFileSync(join(dir, name), text)
 */
export function reportToCsv(report: TraceReport): Record<string, string> {
  const rows = (header: string[], body: (string | number)[][]) =>
    [header, ...body].map((r) => r.map(csvCell).join(',')).join('\n') + '\n'
  return {
    'holders.csv': rows(
      ['address', 'token', 'balance', 'heist', 'tainted', 'labels', 'evidence'],
      report.holders.flatMap((h) =>
        Object.entries(h.tainted).map(([heist, amount]) => [
          h.address,
          h.token,
          h.balance,
          heist,
          amount,
          h.labels.map((l) => `${l.category}:${l.name}`).join(';'),
          h.evidence.join(' '),
        ]),
      ),
    ),
    'exits.csv': rows(
      ['address', 'category', 'name', 'token', 'heist', 'tainted', 'tx', 'block', 'from', 'memo'],
      report.exits.flatMap((e) =>
        Object.entries(e.tainted).map(([heist, amount]) => [
          e.address,
          e.category,
          e.name,
          e.token,
          heist,
          amount,
          e.tx,
          e.block,
          e.from,
          e.memo ?? '',
        ]),
      ),
    ),
    'freezable.csv': rows(
      ['kind', 'who', 'where', 'token', 'heist', 'tainted', 'tx'],
      report.freezable.flatMap((f) =>
        Object.entries(f.tainted).map(([heist, amount]) =>
          f.kind === 'token'
            ? ['token', f.issuer, f.holder, f.token, heist, amount, '']
            : ['exchange', f.exchange, f.depositAddress, f.token, heist, amount, f.tx],
        ),
      ),
    ),
  }
}

const esc = (s: string | number) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** Groups digits of a base-unit amount for reading (1234567 -> 1 234 567). */
function readable(amount: string): string {
  const [whole = '0', frac] = amount.split('.')
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f')
  return frac ? `${grouped}.${frac}` : grouped
}

/**
 * A self-contained HTML case report (inline CSS, no scripts, no external resources): summary,
 * freezable points first (what to ask issuers and exchanges to freeze), holders with their
 * evidence paths, exits with memos, gas and clean top-ups.
 *
 * @example
 * writeFileSync('case.html', reportToHtml(report, { title: 'Bybit' }))
 */
export function reportToHtml(
  report: TraceReport,
  options: { title?: string; maxRows?: number } = {},
): string {
  const max = options.maxRows ?? 500
  const title = options.title ?? `Trace: ${report.heists.join(', ')}`
  const taint = (t: Record<string, string>) =>
    Object.entries(t)
      .map(([h, a]) => `<div><b>${esc(h)}</b> ${esc(readable(a))}</div>`)
      .join('')
  const path = (p: string[]) =>
    p.length === 0
      ? ''
      : `<details><summary>${p.length} tx</summary><ol>${p.map((x) => `<li><code>${esc(x)}</code></li>`).join('')}</ol></details>`
  const more = (n: number) =>
    n > max ? `<p class="note">${n - max} more rows in the JSON/CSV report.</p>` : ''
  const stolen = Object.entries(report.stolen)
    .map(
      ([h, byToken]) =>
        `<tr><td>${esc(h)}</td><td>${Object.entries(byToken)
          .map(([t, a]) => `${esc(readable(a))} <small>${esc(t)}</small>`)
          .join('<br>')}</td></tr>`,
    )
    .join('')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#111;max-width:1400px}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border:1px solid #ddd;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f3f3f3}code{font-size:12px;word-break:break-all}.note{color:#555}.ok{color:#070}.bad{color:#b00}
.freeze{background:#fff6e0}small{color:#555}
</style></head><body>
<h1>${esc(title)}</h1>
<p>Policy <b>${esc(report.policy)}</b> over ${report.transfersScanned.toLocaleString('en')} transfers. Amounts in base units (wei for ETH).
Conservation: ${report.conservation.checked ? (report.conservation.ok ? `<span class="ok">holds</span> (max relative error ${report.conservation.maxRelativeError.toExponential(2)})` : `<span class="bad">violated</span> (${report.conservation.maxRelativeError})`) : 'not applicable (poison grows taint)'}.</p>
<h2>Stolen</h2><table><tr><th>heist</th><th>amount</th></tr>${stolen}</table>
<h2>Freezable now (${report.freezable.length})</h2>
<table class="freeze"><tr><th>kind</th><th>who can freeze</th><th>where</th><th>token</th><th>tainted</th></tr>
${report.freezable
  .slice(0, max)
  .map((f) =>
    f.kind === 'token'
      ? `<tr><td>token issuer</td><td>${esc(f.issuer)}</td><td><code>${esc(f.holder)}</code></td><td><code>${esc(f.token)}</code></td><td>${taint(f.tainted)}</td></tr>`
      : `<tr><td>exchange</td><td>${esc(f.exchange)}</td><td>deposit <code>${esc(f.depositAddress)}</code><br>tx <code>${esc(f.tx)}</code></td><td><code>${esc(f.token)}</code></td><td>${taint(f.tainted)}</td></tr>`,
  )
  .join('\n')}</table>${more(report.freezable.length)}
<h2>Holders (${report.holders.length})</h2>
<table><tr><th>address</th><th>token</th><th>balance</th><th>tainted</th><th>labels</th><th>evidence</th></tr>
${report.holders
  .slice(0, max)
  .map(
    (h) =>
      `<tr><td><code>${esc(h.address)}</code></td><td><code>${esc(h.token)}</code></td><td>${esc(readable(h.balance))}</td><td>${taint(h.tainted)}</td><td>${h.labels.map((l) => `${esc(l.category)}: ${esc(l.name)}`).join('<br>')}</td><td>${path(h.evidence)}</td></tr>`,
  )
  .join('\n')}</table>${more(report.holders.length)}
<h2>Exits (${report.exits.length})</h2>
<table><tr><th>place</th><th>token</th><th>tainted</th><th>tx / block</th><th>from</th><th>memo</th></tr>
${report.exits
  .slice(0, max)
  .map(
    (e) =>
      `<tr><td>${esc(e.category)} ${esc(e.name)}<br><code>${esc(e.address)}</code></td><td><code>${esc(e.token)}</code></td><td>${taint(e.tainted)}</td><td><code>${esc(e.tx)}</code><br>${e.block}</td><td><code>${esc(e.from)}</code></td><td><code>${esc(e.memo ?? '')}</code></td></tr>`,
  )
  .join('\n')}</table>${more(report.exits.length)}
<h2>Gas and clean top-ups</h2>
<p>Gas burned: ${
    Object.entries(report.gasBurned)
      .map(([h, a]) => `${esc(h)} ${esc(readable(a))} wei`)
      .join('; ') || 'none'
  }.</p>
<p>Clean top-ups (balance too small in the data; missing part treated as clean): ${report.cleanTopUps.count}, of which ${report.cleanTopUps.intoTainted.count} on accounts holding taint.</p>
</body></html>
`
}
