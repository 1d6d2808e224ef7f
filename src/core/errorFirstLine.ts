/**
 * The first line of an error's message, for one-line reports: viem's `shortMessage` when the
 * error has one (its `message` carries multi-line details and docs links), else `message`.
 *
 * @example
 * errorFirstLine(new Error('bad\nstack...')) // 'bad'
 */
export function errorFirstLine(error: unknown): string {
  const message =
    error instanceof Error
      ? ((error as { shortMessage?: string }).shortMessage ?? error.message)
      : String(error)
  return message.split('\n')[0] ?? ''
}
