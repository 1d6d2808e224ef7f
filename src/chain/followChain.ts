import { BaseError, redactSecrets } from '../core/BaseError.js'
import type { Alert, BlockRef, Checkpoint, StateStore } from '../store/StateStore.js'
import type { Metrics } from '../watch/metrics.js'
import type { RequestClient } from './createFailoverRpcClient.js'
import {
  BlockInconsistentError,
  fetchBlockHeader,
  fillParentReads,
  followFetchBlock,
  type NodeCapabilities,
  toHex,
} from './followFetchBlock.js'
import type { BlockData, StateReads } from './followTypes.js'

export type FollowChainOptions = {
  chainId: number
  /** Runs the detectors on one block; returns its alerts (ids already stable). */
  onBlock: (block: BlockData) => Promise<Alert[]> | Alert[]
  /** Notifier names: each new alert gets one outbox message per notifier. */
  notifiers: string[]
  reads?: StateReads
  /**
   * How many recent block hashes to keep: the deepest reorg we can roll back. Default 128, more
   * than mainnet's distance to the finalized block (64-95). A deeper reorg stops the follower.
   */
  ringSize?: number
  /** First block when the store has no checkpoint. Default: the head at start. */
  startBlock?: number
  /** Blocks fetched in parallel while catching up. Default 8. */
  concurrency?: number
  pollIntervalMs?: number
  /** Stop once caught up with the head (for `--once` and tests). */
  once?: boolean
  signal?: AbortSignal
  metrics?: Metrics
  log?: (line: string) => void
  /** Resolves early when a new head is announced (WebSocket newHeads); polling otherwise. */
  waitForHead?: (ms: number, signal?: AbortSignal) => Promise<void>
  /** Called after each block's transaction committed (for tests and the delivery loop). */
  afterCommit?: (block: BlockData, alerts: Alert[]) => void
  /** Called after a reorg was rolled back. */
  onReorg?: (event: { depth: number; ancestor: BlockRef; retracted: Alert[] }) => void
  /**
   * How long the next block may keep failing (node errors, receipts that do not belong to the
   * block, ...) before `onStall` fires. Default 60 s. The follower keeps retrying either way: it
   * never skips a block, so someone has to be told that it is stuck.
   */
  stallAfterMs?: number
  /** Called once per stuck block when it has failed for `stallAfterMs`. */
  onStall?: (stall: FollowStall) => Promise<void> | void
  now?: () => number
}

export type FollowChainResult = { checkpoint: Checkpoint; blocks: number; reorgs: number }

/** The follower has failed to process `block` since `since` (ms epoch), `failures` times. */
export type FollowStall = {
  chainId: number
  block: number
  since: number
  failures: number
  /** The last error's first line, secrets redacted. */
  reason: string
}

/**
 * Follows a chain block by block and never skips one: each block's parent hash must equal the
 * hash stored for the block before it. When it does not, the follower walks back through the
 * ring of recent hashes to the common ancestor, retracts the alerts of the orphaned blocks (a
 * follow-up message per notifier) and re-runs the detectors on the new branch. The checkpoint
 * and the alerts of a block commit in one store transaction, so a crash (even kill -9) at any
 * point leads to the same alerts, with the same ids, after restart.
 *
 * @example
 * await followChain(client, store, { chainId: 1, notifiers: ['stdout'], onBlock: (b) => detect(b), once: true })
 */
export async function followChain(
  client: RequestClient,
  store: StateStore,
  options: FollowChainOptions,
): Promise<FollowChainResult> {
  const { chainId } = options
  const ringSize = options.ringSize ?? 128
  const concurrency = Math.max(1, options.concurrency ?? 8)
  const pollIntervalMs = options.pollIntervalMs ?? 1000
  const reads: StateReads = options.reads ?? { slots: [], balances: [] }
  const now = options.now ?? Date.now
  const log = options.log ?? (() => {})
  const metrics = options.metrics
  const capabilities: NodeCapabilities = {}
  const wait = options.waitForHead ?? sleepUnlessAborted
  let blocks = 0
  let reorgs = 0
  let previous: BlockData | undefined
  let failures = 0
  const stallAfterMs = options.stallAfterMs ?? 60_000
  // The block we are stuck on, since when, and whether someone was told.
  let stuck: { block: number; since: number; reported: boolean } | undefined

  let checkpoint = await store.getCheckpoint(chainId)
  if (!checkpoint) checkpoint = await initialCheckpoint(client, store, chainId, options.startBlock)

  while (!options.signal?.aborted) {
    try {
      const head = Number(await client.request('eth_blockNumber', []))
      metrics?.set('heistguard_chain_head', { chain: String(chainId) }, head)
      metrics?.set(
        'heistguard_blocks_behind_head',
        { chain: String(chainId) },
        Math.max(0, head - checkpoint.number),
      )
      if (head <= checkpoint.number) {
        // Idle at the head: make sure our tip is still canonical. A same-height or shorter
        // replacement branch announces itself no other way. A stale head from a lagging endpoint
        // with our tip still present is not a reorg.
        const tip = (await client.request('eth_getBlockByNumber', [
          toHex(checkpoint.number),
          false,
        ])) as { hash: string } | null
        if (
          checkpoint.number >= 0 &&
          tip?.hash !== checkpoint.hash &&
          checkpoint.recent.length > 0
        ) {
          checkpoint = await rollBack(client, store, checkpoint, options, now)
          previous = undefined
          reorgs++
          continue
        }
        if (options.once && head === checkpoint.number) break
        await wait(pollIntervalMs, options.signal)
        continue
      }
      // Fetch a window of blocks in parallel; process them strictly in order.
      const from = checkpoint.number + 1
      const to = Math.min(head, from + concurrency - 1)
      const headers = await Promise.all(
        Array.from({ length: to - from + 1 }, (_, i) => fetchBlockHeader(client, from + i)),
      )
      const fetched = headers.map((header) => {
        if (!header) return null
        // Parent reads are filled in order below, from the block processed just before.
        return followFetchBlock(client, header, {
          chainId,
          reads,
          capabilities,
          deferParent: true,
        }).catch((error: unknown) => error as Error)
      })
      let progressed = false
      for (let i = 0; i < fetched.length; i++) {
        const header = headers[i]
        if (!header) break // Not available at this endpoint yet: wait, never skip.
        if (header.parentHash !== checkpoint.hash) {
          // Give the other in-flight fetches a chance to settle before we roll back.
          await Promise.allSettled(fetched.slice(i))
          checkpoint = await rollBack(client, store, checkpoint, options, now)
          previous = undefined
          reorgs++
          progressed = true
          break
        }
        const result = await fetched[i]!
        if (result instanceof Error) throw result
        const block = result
        await fillParentReads(client, block, reads, previous)
        const alerts = await options.onBlock(block)
        const ref: BlockRef = {
          number: block.number,
          hash: block.hash,
          parentHash: block.parentHash,
        }
        const next: Checkpoint = {
          chainId,
          number: block.number,
          hash: block.hash,
          recent: [...checkpoint.recent, ref].slice(-ringSize),
          updatedAt: now(),
        }
        await store.transaction(async (tx) => {
          await tx.putAlerts(alerts, options.notifiers)
          await tx.putCheckpoint(next)
        })
        checkpoint = next
        previous = block
        blocks++
        progressed = true
        failures = 0
        if (stuck?.reported)
          metrics?.set('heistguard_follow_stalled', { chain: String(chainId) }, 0)
        stuck = undefined
        metrics?.inc('heistguard_blocks_processed_total', { chain: String(chainId) })
        metrics?.set(
          'heistguard_blocks_behind_head',
          { chain: String(chainId) },
          Math.max(0, head - checkpoint.number),
        )
        options.afterCommit?.(block, alerts)
        if (options.signal?.aborted) break
      }
      if (!progressed) await wait(Math.min(pollIntervalMs, 250), options.signal)
    } catch (error) {
      if (error instanceof BaseError && error.code === 'REORG_TOO_DEEP') throw error
      failures++
      metrics?.inc('heistguard_follow_errors_total', { chain: String(chainId) })
      const message = error instanceof Error ? error.message : String(error)
      const reason = redactSecrets(message.split('\n')[0] ?? '')
      // An inconsistent block is normal during a reorg; say so only when it keeps happening.
      if (!(error instanceof BlockInconsistentError) || failures === 3)
        log(`follow: ${reason}; retrying`)
      const block = checkpoint.number + 1
      if (stuck?.block !== block) stuck = { block, since: now(), reported: false }
      if (!stuck.reported && now() - stuck.since >= stallAfterMs) {
        stuck.reported = true
        metrics?.set('heistguard_follow_stalled', { chain: String(chainId) }, 1)
        log(
          `follow: stuck at block ${block} for ${Math.round((now() - stuck.since) / 1000)} s: ${reason}`,
        )
        try {
          await options.onStall?.({ chainId, block, since: stuck.since, failures, reason })
        } catch (stallError) {
          log(redactSecrets(`follow: stall report failed: ${(stallError as Error).message}`))
        }
      }
      previous = undefined
      await wait(Math.min(10_000, 100 * 2 ** Math.min(failures, 7)), options.signal)
    }
  }
  return { checkpoint, blocks, reorgs }
}

/** The block before the first one to process becomes the base of the ring. */
async function initialCheckpoint(
  client: RequestClient,
  store: StateStore,
  chainId: number,
  startBlock?: number,
): Promise<Checkpoint> {
  const head = Number(await client.request('eth_blockNumber', []))
  const start = startBlock ?? head
  const baseNumber = Math.max(0, start - 1)
  let base: { hash: string; parentHash: string } | null = null
  for (let attempt = 0; !base; attempt++) {
    base = (await client.request('eth_getBlockByNumber', [toHex(baseNumber), false])) as {
      hash: string
      parentHash: string
    } | null
    if (!base) {
      if (attempt > 20)
        throw new BaseError(`block ${baseNumber} not found`, { code: 'RPC_MISSING_BLOCK' })
      await sleepUnlessAborted(250)
    }
  }
  const checkpoint: Checkpoint = {
    chainId,
    number: baseNumber,
    hash: base.hash,
    recent: [{ number: baseNumber, hash: base.hash, parentHash: base.parentHash }],
    updatedAt: Date.now(),
  }
  // Block 0 (or the block before start) is the base, not processed: start at genesis means 0.
  if (startBlock === 0) {
    checkpoint.number = -1
    checkpoint.hash = base.parentHash
    checkpoint.recent = []
  }
  await store.putCheckpoint(checkpoint)
  return checkpoint
}

/**
 * Finds the newest ring entry still on the canonical chain, retracts alerts above it and moves
 * the checkpoint back to it, in one transaction.
 */
async function rollBack(
  client: RequestClient,
  store: StateStore,
  checkpoint: Checkpoint,
  options: FollowChainOptions,
  now: () => number,
): Promise<Checkpoint> {
  let ancestorIndex = -1
  for (let i = checkpoint.recent.length - 1; i >= 0; i--) {
    const ref = checkpoint.recent[i]!
    const canonical = (await client.request('eth_getBlockByNumber', [
      toHex(ref.number),
      false,
    ])) as { hash: string } | null
    // null: the new branch is shorter than this entry; keep walking back.
    if (canonical && canonical.hash === ref.hash) {
      ancestorIndex = i
      break
    }
  }
  if (ancestorIndex < 0)
    throw new BaseError(
      `reorg deeper than the ${checkpoint.recent.length} blocks kept (ringSize); refusing to guess`,
      {
        code: 'REORG_TOO_DEEP',
      },
    )
  const ancestor = checkpoint.recent[ancestorIndex]!
  const depth = checkpoint.number - ancestor.number
  const rolled: Checkpoint = {
    chainId: checkpoint.chainId,
    number: ancestor.number,
    hash: ancestor.hash,
    recent: checkpoint.recent.slice(0, ancestorIndex + 1),
    updatedAt: now(),
  }
  const retracted = await store.transaction(async (tx) => {
    const retracted = await tx.retractAlertsAbove(
      checkpoint.chainId,
      ancestor.number,
      options.notifiers,
      now(),
    )
    await tx.putCheckpoint(rolled)
    return retracted
  })
  options.metrics?.inc('heistguard_reorgs_total', { chain: String(checkpoint.chainId) })
  options.metrics?.observe('heistguard_reorg_depth', depth)
  options.log?.(
    `reorg of depth ${depth} at block ${ancestor.number + 1}; ${retracted.length} alert(s) retracted`,
  )
  options.onReorg?.({ depth, ancestor, retracted })
  return rolled
}

function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}
