import type { DecodedCall, Finding, Verdict } from '../../src/verify/Verdict.js'

/** A Verdict as JSON (bigints arrive as decimal strings from the API; as bigint offline). */
export type VerdictJson = Omit<Verdict, 'tx' | 'calls'> & {
  tx: Record<string, unknown>
  calls: DecodedCall[]
}

const OPERATION = ['CALL', 'DELEGATECALL']

const VERDICT_TEXT: Record<string, { title: string; advice: string }> = {
  block: {
    title: 'BLOCK',
    advice: 'Do not sign. This transaction does something dangerous (see the findings).',
  },
  warn: { title: 'WARN', advice: 'Check every finding below before you sign.' },
  pass: {
    title: 'PASS',
    advice: 'No finding against this transaction. Still compare the hashes with your device.',
  },
}

/** Ledger shows EIP-712 hashes as 0x + upper-case hex; Trezor as lower-case. */
function ledgerHex(hex: string): string {
  return `0x${hex.slice(2).toUpperCase()}`
}

function groups(hex: string): string {
  return (
    hex
      .slice(2)
      .match(/.{1,8}/g)
      ?.join(' ') ?? ''
  )
}

function HashRow({ label, value }: { label: string; value: string }) {
  return (
    <tr>
      <th>{label}</th>
      <td>
        <div className="hash" data-testid={`hash-${label}`}>
          {ledgerHex(value)}
        </div>
        <div className="hash-sub">Trezor / lower case: {value.toLowerCase()}</div>
        <div className="hash-sub">in groups: {groups(value.toUpperCase())}</div>
      </td>
    </tr>
  )
}

function CallView({ call }: { call: DecodedCall }) {
  return (
    <li className={call.operation === 1 ? 'call delegate' : 'call'}>
      <div className="call-summary">{call.summary}</div>
      <div className="call-meta">
        <span className={`op op-${call.operation}`}>{OPERATION[call.operation]}</span> to{' '}
        <code>{call.to}</code>
        {String(call.value) !== '0' ? (
          <>
            {' '}
            value <code>{String(call.value)}</code> wei
          </>
        ) : null}
        {call.function ? (
          <>
            {' '}
            · <code>{call.function.signature}</code>
            {call.function.reencodes ? '' : ' · calldata does NOT re-encode (hidden bytes)'}
          </>
        ) : (
          <> · unknown function {call.data.slice(0, 10)}</>
        )}
      </div>
      {call.function && call.function.args.length > 0 ? (
        <ul className="args">
          {call.function.args.map((a, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: arguments have no identity beyond position
            <li key={i}>
              {a.name || `arg${i}`} ({a.type}):{' '}
              <code>{typeof a.value === 'string' ? a.value : toText(a.value)}</code>
            </li>
          ))}
        </ul>
      ) : null}
      {call.children && call.children.length > 0 ? (
        <ol className="calls">
          {call.children.map((c) => (
            <CallView key={c.path.join('.')} call={c} />
          ))}
        </ol>
      ) : null}
    </li>
  )
}

function FindingView({ finding }: { finding: Finding }) {
  return (
    <li
      className={`finding sev-${finding.severity} eff-${finding.effect}`}
      data-rule={finding.rule}
    >
      <span className="badge">{finding.severity}</span>
      <span className="badge effect">{finding.effect}</span>
      <code className="rule">{finding.rule}</code>
      <div className="finding-message">{finding.message}</div>
    </li>
  )
}

/** A simulation's state diff, as the API returns it: outcome, then every storage write by name. */
function SimulationView({ simulation }: { simulation: unknown }) {
  const sim = simulation as {
    success?: boolean
    revert?: string | null
    gasUsed?: string
    storageWrites?: {
      address?: string
      slot?: string
      name?: string
      before?: string
      after?: string
    }[]
  }
  const writes = sim.storageWrites ?? []
  return (
    <section className="panel" data-testid="simulation">
      <h2>Simulation on a fork</h2>
      <p>
        {sim.success === false ? `Reverts${sim.revert ? `: ${sim.revert}` : ''}` : 'Executes'}
        {sim.gasUsed ? ` · gas used ${sim.gasUsed}` : ''} · {writes.length} storage write
        {writes.length === 1 ? '' : 's'}
      </p>
      {writes.length > 0 ? (
        <table className="grid">
          <thead>
            <tr>
              <th>contract</th>
              <th>what</th>
              <th>before</th>
              <th>after</th>
            </tr>
          </thead>
          <tbody>
            {writes.map((w, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a diff row has no id
              <tr key={i} className={w.name === 'implementation' ? 'danger' : ''}>
                <td>
                  <code>{w.address}</code>
                </td>
                <td>{w.name ?? <code>{w.slot}</code>}</td>
                <td>
                  <code className="wrap">{w.before}</code>
                </td>
                <td>
                  <code className="wrap">{w.after}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <details>
        <summary>full simulation result</summary>
        <pre className="evidence">{toText(simulation)}</pre>
      </details>
    </section>
  )
}

/** The verdict, big and unambiguous, then hashes, calls, findings, signatures. */
export function VerdictView({ verdict }: { verdict: VerdictJson }) {
  const text = VERDICT_TEXT[verdict.verdict] ?? VERDICT_TEXT.warn!
  const ordered = [...verdict.findings].sort((a, b) => rank(b) - rank(a))
  return (
    <div className="verdict-view">
      <div className={`verdict verdict-${verdict.verdict}`} data-testid="verdict" role="status">
        <div className="verdict-word">{text.title}</div>
        <div className="verdict-advice">{text.advice}</div>
        <div className="verdict-summary">{verdict.summary}</div>
      </div>
      <section className="panel">
        <h2>What your hardware wallet must show</h2>
        <p className="muted">
          Safe {verdict.context.safe} · version {verdict.context.version} · chain{' '}
          {String(verdict.context.chainId)} · nonce {String(verdict.tx.nonce)}
        </p>
        <table className="hashes">
          <tbody>
            <HashRow label="Domain hash" value={verdict.hashes.domainHash} />
            <HashRow label="Message hash" value={verdict.hashes.messageHash} />
            <HashRow label="safeTxHash" value={verdict.hashes.safeTxHash} />
          </tbody>
        </table>
      </section>
      <section className="panel">
        <h2>Findings ({verdict.findings.length})</h2>
        <ul className="findings">
          {ordered.map((f, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: two findings may share a rule id
            <FindingView key={`${f.rule}-${i}`} finding={f} />
          ))}
        </ul>
      </section>
      <section className="panel">
        <h2>What it does</h2>
        <ol className="calls">
          {verdict.calls.map((c) => (
            <CallView key={c.path.join('.') || 'root'} call={c} />
          ))}
        </ol>
      </section>
      {verdict.simulation ? <SimulationView simulation={verdict.simulation} /> : null}
      {verdict.signatures && verdict.signatures.length > 0 ? (
        <section className="panel">
          <h2>Signatures</h2>
          <table className="grid">
            <thead>
              <tr>
                <th>#</th>
                <th>type</th>
                <th>signer</th>
                <th>owner?</th>
                <th>verified</th>
              </tr>
            </thead>
            <tbody>
              {verdict.signatures.map((s) => (
                <tr key={s.index}>
                  <td>{s.index}</td>
                  <td>{s.type}</td>
                  <td>
                    <code>{s.signer ?? '—'}</code>
                  </td>
                  <td>{s.isOwner === null ? 'unknown' : s.isOwner ? 'yes' : 'NO'}</td>
                  <td>{s.verified ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </div>
  )
}

const EFFECT: Record<string, number> = { block: 2, warn: 1, pass: 0 }
const SEVERITY: Record<string, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 }
function rank(f: Finding): number {
  return (EFFECT[f.effect] ?? 0) * 10 + (SEVERITY[f.severity] ?? 0)
}

/** Arguments may hold bigints (offline, the verifier's own values): JSON cannot, so print them. */
function toText(value: unknown): string {
  return (
    JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value)
  )
}
