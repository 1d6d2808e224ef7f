import { postOrThrow } from './createWebhookNotifier.js'
import { messageLine, type Notifier } from './Notifier.js'

/**
 * Posts `{text}` to a Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat).
 *
 * @example
 * createSlackNotifier({ url: 'https://hooks.slack.com/services/T/B/X' })
 */
export function createSlackNotifier(options: {
  url: string
  timeoutMs?: number
  name?: string
}): Notifier {
  return {
    name: options.name ?? 'slack',
    async send(message) {
      const text = `:rotating_light: heistguard ${messageLine(message)}\nid: ${message.messageId}`
      await postOrThrow(
        options.url,
        JSON.stringify({ text }),
        { 'content-type': 'application/json' },
        options.timeoutMs ?? 10_000,
      )
    },
  }
}
