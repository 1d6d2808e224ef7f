import { redactSecrets } from '../core/BaseError.js'
import type { OutboxEntry, StateStore } from '../store/StateStore.js'
import type { Metrics } from './metrics.js'
import type { Notifier } from './notifiers/Notifier.js'

export type DeliverOutboxOptions = {
  /** Failed attempts before a message is dead-lettered. Default 10. */
  maxAttempts?: number
  /** First retry delay; doubles per attempt up to `maxBackoffMs`. Defaults 1 s and 5 min. */
  backoffMs?: number
  maxBackoffMs?: number
  batchSize?: number
  metrics?: Metrics
  /** Dead letters and failures are reported here (stderr in the CLI). */
  log?: (line: string) => void
  now?: () => number
}

/**
 * One delivery pass over the outbox: sends every due message to its notifier, marks it
 * delivered only after the receiver accepted it (so a crash in between re-sends it: at least
 * once), otherwise schedules a retry with exponential backoff, and after `maxAttempts` moves it
 * to the dead-letter state, reported, never deleted. Messages of one notifier go in order;
 * notifiers run concurrently. Returns how many messages were handled.
 *
 * @example
 * await deliverOutbox(store, { webhook: createWebhookNotifier({ url }) })
 */
export async function deliverOutbox(
  store: StateStore,
  notifiers: Record<string, Notifier>,
  options: DeliverOutboxOptions = {},
): Promise<number> {
  const now = options.now ?? Date.now
  const maxAttempts = options.maxAttempts ?? 10
  const backoffMs = options.backoffMs ?? 1000
  const maxBackoffMs = options.maxBackoffMs ?? 300_000
  const due = await store.listDueMessages(now(), options.batchSize ?? 500)
  const byNotifier = new Map<string, OutboxEntry[]>()
  for (const entry of due) {
    const list = byNotifier.get(entry.notifier) ?? []
    list.push(entry)
    byNotifier.set(entry.notifier, list)
  }
  let handled = 0
  await Promise.all(
    [...byNotifier].map(async ([name, entries]) => {
      const notifier = notifiers[name]
      for (const entry of entries) {
        if (!notifier) {
          // Configured away since the message was queued: keep it, visible, not silently lost.
          await store.markFailed(entry.messageId, name, {
            error: `notifier ${name} is not configured`,
            nextAttemptAt: now() + maxBackoffMs,
            dead: false,
          })
          continue
        }
        try {
          await notifier.send({ messageId: entry.messageId, kind: entry.kind, alert: entry.alert })
          const at = now()
          await store.markDelivered(entry.messageId, name, at)
          options.metrics?.inc('heistguard_alerts_delivered_total', {
            notifier: name,
            kind: entry.kind,
          })
          options.metrics?.observe(
            'heistguard_delivery_latency_seconds',
            Math.max(0, at - entry.createdAt) / 1000,
            { notifier: name },
          )
          handled++
        } catch (error) {
          const attempts = entry.attempts + 1
          const dead = attempts >= maxAttempts
          const message = redactSecrets(
            error instanceof Error ? error.message : String(error),
          ).slice(0, 500)
          await store.markFailed(entry.messageId, name, {
            error: message,
            nextAttemptAt: now() + Math.min(maxBackoffMs, backoffMs * 2 ** (attempts - 1)),
            dead,
          })
          options.metrics?.inc('heistguard_delivery_failures_total', { notifier: name })
          if (dead) {
            options.metrics?.inc('heistguard_dead_letters_total', { notifier: name })
            options.log?.(
              `dead letter: ${entry.kind} ${entry.messageId} to ${name} after ${attempts} attempts: ${message}`,
            )
          } else
            options.log?.(
              `delivery of ${entry.messageId} to ${name} failed (attempt ${attempts}): ${message}`,
            )
          handled++
          // Keep per-notifier order: later messages wait for this one's retry.
          break
        }
      }
    }),
  )
  return handled
}
