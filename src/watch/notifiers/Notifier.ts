import type { Alert, OutboxMessageKind } from '../../store/StateStore.js'

/** What a notifier delivers. `messageId` is the idempotency key (alert id for the first message). */
export type NotifierMessage = { messageId: string; kind: OutboxMessageKind; alert: Alert }

/** A delivery channel. `send` resolves once the receiver accepted the message, throws otherwise. */
export type Notifier = {
  name: string
  send(message: NotifierMessage): Promise<void>
}

/** The JSON document every channel carries (stdout line, webhook body). */
export function messageBody(message: NotifierMessage): Record<string, unknown> {
  return {
    id: message.messageId,
    kind: message.kind,
    alertId: message.alert.id,
    alert: message.alert,
  }
}

/** One human line, for Slack and email subjects. */
export function messageLine(message: NotifierMessage): string {
  const a = message.alert
  const prefix =
    message.kind === 'retraction'
      ? 'RETRACTED (block orphaned by a reorg): '
      : message.kind === 'restoration'
        ? 'RESTORED: '
        : ''
  return `${prefix}[${a.severity}] ${a.title} (chain ${a.chainId}, block ${a.blockNumber}${a.txHash ? `, tx ${a.txHash}` : ''})`
}
