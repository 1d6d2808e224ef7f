import { BaseError } from '../core/BaseError.js'
import type { CliContext } from './context.js'

// Placeholder until the screen subcommand lands; replaced by its owner.
export async function run(_context: CliContext): Promise<number> {
  throw new BaseError('the screen command is not in this build yet', { code: 'NOT_AVAILABLE' })
}
