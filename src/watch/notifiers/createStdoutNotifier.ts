import { messageBody, type Notifier } from './Notifier.js'

/**
 * Writes each message as one JSON line (JSONL) to a stream, usually the CLI's stdout.
 *
 * @example
 * createStdoutNotifier(process.stdout)
 */
export function createStdoutNotifier(
  stream: { write: (chunk: string) => unknown },
  name = 'stdout',
): Notifier {
  return {
    name,
    async send(message) {
      stream.write(`${JSON.stringify(messageBody(message))}\n`)
    },
  }
}
