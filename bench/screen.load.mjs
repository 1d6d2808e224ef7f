// Lean open-loop HTTP load generator for bench/screen.bench.mjs, run in its own process so its
// CPU is measured apart from the server's. Raw keep-alive TCP sockets, requests written on a fixed
// schedule whether or not earlier ones have been answered (pipelined onto the least busy socket
// when all are busy), responses parsed just enough to find their end (Content-Length). Latency is
// measured two ways: from the moment the request was due (the schedule: timer lateness and
// queueing count against us, like wrk2) and from the moment it was written to the socket.
//
// usage: node bench/screen.load.mjs URL RATE SECONDS PATHS_FILE [CONNECTIONS] [WARMUP]
// Prints one JSON line: { sent, done, errors, seconds, fromDue: {...}, fromWrite: {...}, cpuMs }.
import { readFileSync } from 'node:fs'
import net from 'node:net'

const [url, rateArg, secondsArg, pathsFile, connArg, warmArg] = process.argv.slice(2)
const { hostname, port } = new URL(url)
const rate = Number(rateArg)
const seconds = Number(secondsArg)
const connections = Number(connArg ?? 8)
const warmup = Number(warmArg ?? 2000)
const paths = readFileSync(pathsFile, 'utf8').split('\n').filter(Boolean)
const requests = paths.map((p) =>
  Buffer.from(`GET ${p} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\n`, 'latin1'),
)

/** One connection: FIFO of in-flight requests (due time, write time) and a response parser. */
function connect() {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port), noDelay: true })
    const c = { socket, inflight: [], head: 0, buffer: null, need: -1, statusOk: true }
    socket.once('connect', () => resolve(c))
    socket.once('error', reject)
    socket.on('data', (chunk) => onData(c, chunk))
  })
}

let onResponse = () => {}

function onData(c, chunk) {
  let buf = c.buffer ? Buffer.concat([c.buffer, chunk]) : chunk
  for (;;) {
    if (c.need < 0) {
      const end = buf.indexOf('\r\n\r\n', 0, 'latin1')
      if (end < 0) break
      const head = buf.toString('latin1', 0, end)
      const m = /\r\ncontent-length: *(\d+)/i.exec(head)
      c.statusOk = head.startsWith('HTTP/1.1 200')
      if (!m) throw new Error('responses must carry Content-Length (chunked bodies are not parsed)')
      c.need = (m ? Number(m[1]) : 0) + end + 4
    }
    if (buf.length < c.need) break
    buf = buf.subarray(c.need)
    c.need = -1
    const r = c.inflight[c.head]
    c.inflight[c.head++] = undefined
    if (c.head > 1024 && c.head * 2 > c.inflight.length) {
      c.inflight = c.inflight.slice(c.head)
      c.head = 0
    }
    onResponse(r, c.statusOk)
  }
  c.buffer = buf.length > 0 ? buf : null
}

function pending(c) {
  return c.inflight.length - c.head
}

const conns = await Promise.all(Array.from({ length: connections }, connect))

function send(i, due) {
  let best = conns[0]
  for (const c of conns) if (pending(c) < pending(best)) best = c
  const written = performance.now()
  best.inflight.push({ due, written })
  best.socket.write(requests[i % requests.length])
}

// Warm-up: closed loop, one request per connection at a time, not measured.
if (warmup > 0) {
  let left = warmup
  await new Promise((resolve) => {
    let outstanding = 0
    onResponse = () => {
      outstanding--
      if (left > 0) {
        left--
        outstanding++
        send(left, performance.now())
      } else if (outstanding === 0) resolve()
    }
    for (const _ of conns) {
      left--
      outstanding++
      send(left, performance.now())
    }
  })
}

// Tell the parent the measured part starts (it samples the server's CPU time here).
process.stderr.write('WARM\n')
const total = Math.round(rate * seconds)
const fromDue = new Float64Array(total)
const fromWrite = new Float64Array(total)
let done = 0
let errors = 0
const cpu0 = process.cpuUsage()
const start = performance.now()
await new Promise((resolve) => {
  onResponse = (r, ok) => {
    const now = performance.now()
    if (!ok) errors++
    fromDue[done] = now - r.due
    fromWrite[done] = now - r.written
    if (++done === total) resolve()
  }
  let sent = 0
  const tick = () => {
    const now = performance.now()
    const due = Math.min(total, Math.floor(((now - start) / 1000) * rate) + 1)
    while (sent < due) {
      send(sent * 7919, start + (sent * 1000) / rate)
      sent++
    }
    if (sent < total) setTimeout(tick, Math.max(0, start + (sent * 1000) / rate - now))
  }
  tick()
})
const elapsed = (performance.now() - start) / 1000
const cpu = process.cpuUsage(cpu0)
for (const c of conns) c.socket.destroy()

const stats = (a) => {
  const s = Float64Array.from(a).sort()
  const p = (q) => Number(s[Math.min(s.length - 1, Math.floor(q * s.length))].toFixed(3))
  return { p50: p(0.5), p99: p(0.99), p999: p(0.999), max: Number(s[s.length - 1].toFixed(3)) }
}
process.stdout.write(
  `${JSON.stringify({
    sent: total,
    done,
    errors,
    seconds: elapsed,
    achieved: total / elapsed,
    connections,
    fromDue: stats(fromDue),
    fromWrite: stats(fromWrite),
    cpuMs: (cpu.user + cpu.system) / 1000,
  })}\n`,
)
