import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Address, Hex } from '../src/core/hex.js'
import { type Devnet, startDevnet } from '../src/devnet/startDevnet.js'
import { alertId } from '../src/watch/alertId.js'
import { type AlertReceiver, startAlertReceiver } from '../src/watch/startAlertReceiver.js'

// kill -9 rounds: the issue asks for 50 in a row. A watcher process needs ~1 s to start on this
// shared 2-core machine, so the file takes about a minute; HG_KILLS=N runs another count.
const KILLS = Number(process.env.HG_KILLS ?? 50)

const root = resolve(import.meta.dirname, '..')

/** Bundles `heistguard watch` alone (the full CLI bundle may hold other engineers' work in progress). */
async function bundleWatcher(): Promise<string> {
  const dir = join(root, 'node_modules', '.cache', `hg-watch-crash-${process.pid}`)
  mkdirSync(dir, { recursive: true })
  const entry = join(dir, 'entry.ts')
  writeFileSync(
    entry,
    `import { run } from ${JSON.stringify(join(root, 'src/cli/watch.ts'))}
const controller = new AbortController()
process.on('SIGTERM', () => controller.abort())
process.exitCode = await run({ argv: process.argv.slice(2), stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), signal: controller.signal })
`,
  )
  const outfile = join(dir, 'watch.mjs')
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile,
    external: ['better-sqlite3', 'nodemailer', 'ws'],
    logLevel: 'error',
    banner: {
      js: "import { createRequire as __c } from 'node:module'; const require = __c(import.meta.url);",
    },
  })
  return outfile
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode)
    child.once('exit', (code) => resolve(code))
  })
}

describe('kill -9 of the watcher at random points', () => {
  let devnet: Devnet
  let receiver: AlertReceiver
  let bundle: string
  let dir: string

  beforeAll(async () => {
    ;[devnet, receiver, bundle] = await Promise.all([
      startDevnet({ accounts: 4 }),
      startAlertReceiver({ secret: 'k', delayMs: 40 }),
      bundleWatcher(),
    ])
    dir = mkdtempSync(join(tmpdir(), 'hg-crash-'))
  })
  afterAll(async () => {
    rmSync(dirname(bundle), { recursive: true, force: true })
    await receiver?.close()
    await devnet?.stop()
  })

  test(`${KILLS} kills while blocks are produced and the receiver is slow: zero missed, zero duplicated`, async () => {
    const watched = devnet.accounts[1]!.address.toLowerCase() as Address
    const startBlock = Number(await devnet.request('eth_blockNumber', [])) + 1
    const config = join(dir, 'watch.yaml')
    writeFileSync(
      config,
      `rpc: ${devnet.url}
startBlock: ${startBlock}
pollIntervalMs: 50
addresses: [${watched}]
notify:
  webhook: { url: ${receiver.url}, secret: k }
delivery: { backoffMs: 10, maxBackoffMs: 100, intervalMs: 20 }
`,
    )
    const db = join(dir, 'watch.db')
    let producing = true
    let sent = 0
    const producer = (async () => {
      while (producing) {
        sent++
        await devnet.request('eth_sendTransaction', [
          { from: watched, to: devnet.accounts[2]!.address, value: `0x${sent.toString(16)}` },
        ])
        await new Promise((r) => setTimeout(r, 300))
      }
    })()

    let seed = 12345
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed / 2147483648
    }
    const stderr: string[] = []
    for (let i = 0; i < KILLS; i++) {
      const child = spawn(process.execPath, [bundle, '--config', config, '--db', db], {
        stdio: ['ignore', 'ignore', 'pipe'],
      })
      const spawnedAt = Date.now()
      child.stderr!.on('data', (d) =>
        stderr.push(`[${i} +${Date.now() - spawnedAt}ms] ${String(d)}`),
      )
      await new Promise((r) => setTimeout(r, 500 + random() * 1500))
      child.kill('SIGKILL')
      await exited(child)
    }
    producing = false
    await producer
    const beforeFinal = receiver.byKey.size
    expect(beforeFinal, stderr.join('').slice(-2000)).toBeGreaterThan(0) // the killed watchers did real work
    // A last run to completion: catch up and drain the outbox.
    const final = spawn(process.execPath, [bundle, '--config', config, '--db', db, '--once'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    final.stderr!.on('data', (d) => stderr.push(String(d)))
    expect(await exited(final)).toBe(0)

    const expected = new Set<string>()
    const last = Number(await devnet.request('eth_blockNumber', []))
    for (let n = startBlock; n <= last; n++) {
      const block = (await devnet.request('eth_getBlockByNumber', [
        `0x${n.toString(16)}`,
        true,
      ])) as {
        hash: string
        transactions: Array<{ hash: string; from: string; value: Hex; transactionIndex: Hex }>
      }
      for (const tx of block.transactions)
        if (tx.from.toLowerCase() === watched)
          expected.add(
            alertId({
              chainId: devnet.chainId,
              blockHash: block.hash,
              txHash: tx.hash,
              detector: 'outflow',
              discriminator: `tx:${Number(tx.transactionIndex)}`,
            }),
          )
    }
    expect(expected.size).toBe(sent)
    // Zero missed: every alert reached the receiver. Zero duplicated ids after idempotency.
    const firsts = [...receiver.byKey.values()].filter((m) => m.kind === 'alert')
    expect(firsts.map((m) => m.alertId).sort()).toEqual([...expected].sort())
    expect(
      [...receiver.byKey.values()].every((m) => m.kind === 'alert' && m.key === m.alertId),
    ).toBe(true)
    expect(receiver.received.every((m) => m.signatureOk)).toBe(true)
    if (process.env.HG_DEBUG) console.log(stderr.join(''))
    console.log(
      `watch crash: ${KILLS} kill -9, ${sent} blocks with alerts, ${receiver.received.length} POSTs, ${receiver.received.length - receiver.byKey.size} re-sent after a kill (deduped by Idempotency-Key), ${beforeFinal} delivered before the final run`,
    )
  }, 400_000)
})
