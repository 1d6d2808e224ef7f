import { createHash } from 'node:crypto'
import { isAbsolute, resolve } from 'node:path'
import { hexToString } from 'viem'
import { createFailoverRpcClient, type RequestClient } from '../chain/createFailoverRpcClient.js'
import { type FollowStall, followChain } from '../chain/followChain.js'
import { followNewHeads } from '../chain/followNewHeads.js'
import type { BlockData } from '../chain/followTypes.js'
import { BaseError, InputError, redactSecrets } from '../core/BaseError.js'
import { readAddressList, readAddressSet } from '../labels/addressList.js'
import { parseSafeVersion } from '../safe/parseSafeVersion.js'
import type { SafeVersion } from '../safe/types.js'
import type { Alert, Severity, StateStore } from '../store/StateStore.js'
import { alertId } from './alertId.js'
import { checkFrontend } from './checkFrontend.js'
import type { WatchConfig } from './config.js'
import { deliverOutbox } from './deliverOutbox.js'
import { safeStateReads } from './detectors/detectSafeChanges.js'
import { safeExecutions } from './detectors/detectUnverifiedExecutions.js'
import { runDetectors } from './detectors/runDetectors.js'
import { createMetrics, type Metrics, serveMetrics } from './metrics.js'
import { createEmailNotifier } from './notifiers/createEmailNotifier.js'
import { createResponseNotifier } from './notifiers/createResponseNotifier.js'
import { createSlackNotifier } from './notifiers/createSlackNotifier.js'
import { createStdoutNotifier } from './notifiers/createStdoutNotifier.js'
import { createWebhookNotifier } from './notifiers/createWebhookNotifier.js'
import type { Notifier } from './notifiers/Notifier.js'
import { collectReceipts } from './receipts.js'
import { DETECTOR_NAMES, type DetectorName, type WatchState } from './WatchState.js'

const DEFAULT_SEVERITY: Record<DetectorName, Severity> = {
  outflow: 'high',
  'safe-config': 'critical',
  approval: 'high',
  sanctioned: 'critical',
  'unverified-execution': 'critical',
}

export type RunWatchOptions = {
  store: StateStore
  dryRun?: boolean
  once?: boolean
  signal?: AbortSignal
  /** JSONL alerts (stdout notifier). */
  stdout: { write: (chunk: string) => unknown }
  /** Logs, failures and dead letters. */
  log: (line: string) => void
  metrics?: Metrics
  /** Called after each block's alerts and checkpoint committed. */
  afterCommit?: (block: BlockData, alerts: Alert[]) => void
}

export type RunWatchResult = {
  blocks: number
  reorgs: number
  checkpoint: number
  outbox: Record<'pending' | 'delivered' | 'dead', number>
}

/**
 * Runs `heistguard watch`: follows the chain, runs the detectors on every block, commits alerts
 * with the checkpoint, delivers the outbox through the configured notifiers and response hooks,
 * collects verification receipts and checks the signing frontend, until `signal` aborts (or,
 * with `once`, until caught up and the outbox is drained).
 *
 * @example
 * await runWatch(loadWatchConfig('watch.yaml'), { store, stdout: process.stdout, log: console.error })
 */
export async function runWatch(
  config: WatchConfig,
  options: RunWatchOptions,
): Promise<RunWatchResult> {
  const { store, log } = options
  const metrics = options.metrics ?? createMetrics()
  const endpoints = (Array.isArray(config.rpc) ? config.rpc : [config.rpc]).map((e) =>
    typeof e === 'string' ? { url: e, weight: 1 } : e,
  )
  const httpEndpoints = endpoints.map((e, i) => ({
    url: e.url.replace(/^ws(s?):\/\//, 'http$1://'),
    weight: e.weight,
    name: `rpc-${i}`,
  }))
  const client = createFailoverRpcClient(httpEndpoints, {
    timeoutMs: config.rpcTimeoutMs,
    backoffMs: config.rpcBackoffMs,
    batchSize: config.rpcBatchSize,
    metrics,
    log,
  })
  const chainId = Number(await client.request('eth_chainId', []))
  if (config.chainId !== undefined && config.chainId !== chainId)
    throw new InputError(
      `the RPC endpoint is on chain ${chainId}, the config says ${config.chainId}`,
      { code: 'WRONG_CHAIN', field: `${config.file}: chainId` },
    )

  const path = (p: string) => (isAbsolute(p) ? p : resolve(config.baseDir, p))
  const safes = new Map<string, { version: SafeVersion | null }>()
  for (const entry of config.safes) {
    const safe = typeof entry === 'string' ? { address: entry, version: undefined } : entry
    safes.set(safe.address, {
      version: safe.version ?? (await readSafeVersion(client, safe.address)),
    })
  }
  const watched = new Set<string>([
    ...safes.keys(),
    ...config.addresses.map((a) => (typeof a === 'string' ? a : a.address)),
  ])
  for (const file of config.addressFiles)
    for (const a of await readAddressSet(path(file))) watched.add(a.toLowerCase())
  const flagged = new Map<string, string>()
  for (const file of config.sanctions) {
    const list = await readAddressList(path(file))
    for (const entry of list.entries) flagged.set(entry.address.toLowerCase(), list.source ?? file)
  }
  for (const a of config.flagged) flagged.set(a, 'flagged')

  for (const intent of config.intents) {
    const id =
      intent.id ??
      `intent-${createHash('sha256').update(JSON.stringify(intent)).digest('hex').slice(0, 16)}`
    await store.putIntent({ ...intent, id, chainId, state: 'open' })
  }

  // Notifiers, including response hooks, all go through the outbox.
  const notifiers: Record<string, Notifier> = {}
  const add = (n: Notifier) => {
    notifiers[n.name] = n
  }
  const notify = config.notify
  if (notify.stdout ?? !(notify.webhook || notify.slack || notify.email))
    add(createStdoutNotifier(options.stdout))
  if (notify.webhook)
    add(
      createWebhookNotifier(
        typeof notify.webhook === 'string' ? { url: notify.webhook } : notify.webhook,
      ),
    )
  if (notify.slack) add(createSlackNotifier({ url: notify.slack }))
  if (notify.email) add(createEmailNotifier(notify.email))
  const enabled = {} as Record<DetectorName, boolean>
  const severity = {} as Record<DetectorName, Severity>
  for (const name of DETECTOR_NAMES) {
    const d = config.detectors[name]
    enabled[name] = d?.enabled ?? true
    severity[name] = d?.severity ?? DEFAULT_SEVERITY[name]
    if (d?.response)
      add(
        createResponseNotifier(
          client,
          { detector: name, ...d.response },
          { dryRun: options.dryRun ?? false, log },
        ),
      )
  }
  const notifierNames = Object.keys(notifiers)

  const receiptPolicy = config.receipts
  const state: Omit<WatchState, 'intents' | 'receipts' | 'now'> = {
    chainId,
    watched,
    safes,
    knownSpenders: new Set(config.knownSpenders),
    flagged,
    receiptsRequired: receiptPolicy?.required ?? 0,
    trustedReceiptSigners: new Set(receiptPolicy?.signers ?? []),
    enabled,
    severity,
    outflowMode: config.outflow,
  }
  const onBlock = async (block: BlockData): Promise<Alert[]> => {
    const receipts = new Map<string, Awaited<ReturnType<StateStore['listReceipts']>>>()
    if (state.receiptsRequired > 0)
      for (const e of safeExecutions(block, safes))
        receipts.set(e.safeTxHash, await store.listReceipts(e.safeTxHash))
    const intents = await store.listIntents({ chainId, state: 'open' })
    const started = performance.now()
    const alerts = runDetectors(block, { ...state, intents, receipts, now: Date.now() })
    metrics.observe('heistguard_detect_seconds', (performance.now() - started) / 1000)
    for (const a of alerts) metrics.inc('heistguard_alerts_total', { detector: a.detector })
    return alerts
  }

  const controller = new AbortController()
  const stop = () => controller.abort()
  options.signal?.addEventListener('abort', stop, { once: true })
  const background: Promise<unknown>[] = []
  const loop = (intervalMs: number, fn: () => Promise<unknown>) =>
    background.push(
      (async () => {
        while (!controller.signal.aborted) {
          try {
            await fn()
          } catch (error) {
            log(redactSecrets(`${(error as Error).message.split('\n')[0]}`))
          }
          await sleep(intervalMs, controller.signal)
        }
      })(),
    )
  const deliveryOptions = { ...config.delivery, metrics, log }
  if (!options.once)
    loop(config.delivery.intervalMs, () => deliverOutbox(store, notifiers, deliveryOptions))
  const pullReceipts = async () => {
    for (const source of receiptPolicy?.sources ?? []) {
      const where = /^https?:\/\//.test(source) ? source : path(source)
      const { receipts, rejected } = await collectReceipts(where, {
        hmacKeys: receiptPolicy?.hmacKeys,
      })
      for (const r of receipts)
        await store.putReceipt({
          safeTxHash: r.safeTxHash,
          signer: r.signer,
          verdict: r.verdict,
          time: Date.parse(r.time),
          document: r,
        })
      for (const line of rejected) log(`receipt rejected: ${line}`)
    }
  }
  if (receiptPolicy?.sources.length) {
    // A receipts source that is down must not keep the watcher from starting; it is retried.
    await pullReceipts().catch((error: Error) =>
      log(redactSecrets(`receipts: ${error.message.split('\n')[0]}`)),
    )
    if (!options.once) loop(receiptPolicy.intervalMs, pullReceipts)
  }
  const frontend = config.frontend
  const checkPages = async () => {
    if (!frontend) return
    const alerts = await checkFrontend({
      urls: frontend.urls,
      manifest: frontend.manifest,
      chainId,
      now: Date.now(),
    })
    if (alerts.length) await store.putAlerts(alerts, notifierNames)
  }
  if (frontend) {
    await checkPages()
    if (!options.once) loop(frontend.intervalMs, checkPages)
  }
  const refreshGauges = async () => {
    const counts = await store.countMessages()
    for (const [k, v] of Object.entries(counts))
      metrics.set('heistguard_outbox_messages', { state: k }, v)
    const live = await store.listAlerts({ chainId, state: 'live' })
    const retracted = await store.listAlerts({ chainId, state: 'retracted' })
    metrics.set('heistguard_alerts', { state: 'live' }, live.length)
    metrics.set('heistguard_alerts', { state: 'retracted' }, retracted.length)
  }
  const metricsServer =
    config.metrics && !options.once
      ? await serveMetrics(metrics, { port: config.metrics.port, refresh: refreshGauges })
      : undefined
  if (metricsServer) log(`metrics on ${metricsServer.url}`)
  const wsUrl = endpoints.find((e) => /^wss?:\/\//.test(e.url))?.url
  const heads = wsUrl && !options.once ? followNewHeads(wsUrl, { log }) : undefined

  log(
    `watching chain ${chainId}: ${safes.size} Safe(s), ${watched.size} address(es), notifiers ${notifierNames.join(', ') || 'none'}`,
  )
  try {
    const result = await followChain(client, store, {
      chainId,
      onBlock,
      notifiers: notifierNames,
      reads: safeStateReads(
        [...safes.keys()],
        [...safes.keys(), ...config.addresses.map((a) => (typeof a === 'string' ? a : a.address))],
      ),
      ringSize: config.ringSize,
      startBlock: config.startBlock === 'latest' ? undefined : config.startBlock,
      concurrency: config.concurrency,
      pollIntervalMs: config.pollIntervalMs,
      once: options.once,
      signal: controller.signal,
      metrics,
      log,
      waitForHead: heads?.wait,
      stallAfterMs: config.stallAfterMs,
      onStall: async (stall) => {
        await store.putAlerts([stallAlert(stall)], notifierNames)
      },
      afterCommit: (block, alerts) => {
        if (alerts.length) log(`block ${block.number}: ${alerts.length} alert(s)`)
        options.afterCommit?.(block, alerts)
      },
    })
    if (options.once) {
      // Drain: deliver until nothing is pending (retries included) or the attempts run out.
      for (;;) {
        await deliverOutbox(store, notifiers, deliveryOptions)
        const pending = await store.listMessages({ state: 'pending' })
        if (pending.length === 0 || controller.signal.aborted) break
        const next = Math.min(...pending.map((m) => m.nextAttemptAt))
        await sleep(Math.max(10, next - Date.now()), controller.signal)
      }
    }
    const outbox = await store.countMessages()
    const dead = await store.listMessages({ state: 'dead' })
    for (const d of dead)
      log(`dead letter: ${d.kind} ${d.messageId} to ${d.notifier}: ${d.lastError ?? ''}`)
    return {
      blocks: result.blocks,
      reorgs: result.reorgs,
      checkpoint: result.checkpoint.number,
      outbox,
    }
  } finally {
    controller.abort()
    heads?.close()
    await Promise.allSettled(background)
    await metricsServer?.close()
    options.signal?.removeEventListener('abort', stop)
  }
}

/**
 * The alert for a follower stuck on one block: one per (chain, block), so a restart that gets
 * stuck on the same block does not raise it twice.
 */
function stallAlert(stall: FollowStall): Alert {
  const seconds = Math.round((Date.now() - stall.since) / 1000)
  return {
    id: alertId({
      chainId: stall.chainId,
      blockHash: `stall:${stall.block}`,
      txHash: null,
      detector: 'watcher',
      discriminator: 'stalled',
    }),
    chainId: stall.chainId,
    blockNumber: stall.block,
    blockHash: '',
    txHash: null,
    detector: 'watcher',
    severity: 'high',
    title: `watcher stuck at block ${stall.block} for ${seconds} s: nothing after it is being checked`,
    details: {
      block: stall.block,
      since: new Date(stall.since).toISOString(),
      failures: stall.failures,
      reason: stall.reason,
    },
    state: 'live',
    revision: 0,
    createdAt: Date.now(),
  }
}

/** VERSION() of a Safe, via eth_call; null when it cannot be read (then pre-1.3 hashing is off). */
async function readSafeVersion(
  client: RequestClient,
  address: string,
): Promise<SafeVersion | null> {
  try {
    const result = String(
      await client.request('eth_call', [{ to: address, data: '0xffa1ad74' }, 'latest']),
    )
    if (result.length < 130) return null
    const length = Number(BigInt(`0x${result.slice(66, 130)}`))
    const text = hexToString(`0x${result.slice(130, 130 + length * 2)}`)
    return parseSafeVersion(text, 'VERSION()')
  } catch (error) {
    if (error instanceof BaseError && error.code === 'RPC_UNAVAILABLE') throw error
    return null
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}
