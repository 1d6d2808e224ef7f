import type { RequestClient } from '../../chain/createFailoverRpcClient.js'
import type { Severity } from '../../store/StateStore.js'
import { postOrThrow } from './createWebhookNotifier.js'
import { messageBody, type Notifier } from './Notifier.js'

const RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 }

export type ResponseAction = {
  detector: string
  url?: string
  headers?: Record<string, string>
  rawTransaction?: string
  minSeverity?: Severity
}

/**
 * A response hook run through the outbox, so it fires at least once even across a crash: on a
 * new alert of its detector it POSTs the alert to a URL (a "freeze withdrawals" endpoint) and/or
 * broadcasts a pre-signed raw transaction (eth_sendRawTransaction). Retractions do nothing: a
 * freeze is not undone automatically. With `dryRun` it only prints what it would do.
 *
 * @example
 * createResponseNotifier(client, { detector: 'safe-config', url: 'https://exchange.internal/freeze' }, { dryRun: true, log })
 */
export function createResponseNotifier(
  client: RequestClient,
  action: ResponseAction,
  options: { dryRun: boolean; log: (line: string) => void },
): Notifier {
  return {
    name: `response:${action.detector}`,
    async send(message) {
      if (message.kind !== 'alert' || message.alert.detector !== action.detector) return
      if (action.minSeverity && RANK[message.alert.severity] < RANK[action.minSeverity]) return
      if (options.dryRun) {
        if (action.url)
          options.log(`dry-run: would POST alert ${message.messageId} to ${action.url}`)
        if (action.rawTransaction)
          options.log(
            `dry-run: would broadcast pre-signed transaction ${action.rawTransaction.slice(0, 18)}… (eth_sendRawTransaction) for alert ${message.messageId}`,
          )
        return
      }
      if (action.url)
        await postOrThrow(
          action.url,
          JSON.stringify(messageBody(message)),
          {
            'content-type': 'application/json',
            'idempotency-key': message.messageId,
            ...action.headers,
          },
          10_000,
        )
      if (action.rawTransaction) {
        try {
          const hash = await client.request('eth_sendRawTransaction', [action.rawTransaction])
          options.log(`response: broadcast ${String(hash)} for alert ${message.messageId}`)
        } catch (error) {
          // A retry after a crash re-sends the same signed tx: "already known" / nonce too low means it is in.
          if (!/already known|nonce too low|known transaction/i.test((error as Error).message))
            throw error
        }
      }
    },
  }
}
