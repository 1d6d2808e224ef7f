import { parseArgs } from 'node:util'
import { InputError } from '../core/BaseError.js'

export type FlagSpec = Record<
  string,
  { type: 'string' | 'boolean'; short?: string; multiple?: boolean }
>

/**
 * Strict flag parsing for subcommands. Unknown flags, missing values and stray positionals become
 * one-line InputErrors (exit 2). node:util's parseArgs is used rather than commander: it is built
 * in, costs nothing at start-up, and lets errors keep our format.
 *
 * @example
 * const { values } = parseFlags(['--json'], { json: { type: 'boolean' } })
 */
export function parseFlags<T extends FlagSpec>(
  argv: string[],
  spec: T,
  options: { positionals?: number; command: string } = { command: 'heistguard' },
) {
  try {
    const parsed = parseArgs({ args: argv, options: spec, strict: true, allowPositionals: true })
    const max = options.positionals ?? 0
    if (parsed.positionals.length > max)
      throw new InputError(`unexpected argument ${JSON.stringify(parsed.positionals[max])}`, {
        code: 'USAGE',
        field: options.command,
      })
    return parsed
  } catch (error) {
    if (error instanceof InputError) throw error
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error)
    throw new InputError(message.replace(/\. To specify a positional argument.*$/, ''), {
      code: 'USAGE',
      field: options.command,
    })
  }
}
