/**
 * What every subcommand receives. stdout carries the result and nothing else; logs and progress
 * go to stderr. Tests run subcommands in-process with their own streams.
 */
export type CliContext = {
  argv: string[]
  stdout: { write: (chunk: string) => unknown }
  stderr: { write: (chunk: string) => unknown }
  env: Record<string, string | undefined>
  cwd: string
  /** Aborted on SIGINT/SIGTERM; long-running commands (devnet, watch, serve) stop cleanly. */
  signal: AbortSignal
}

/** A subcommand: returns its exit code (0 ok/pass, 3 warn, 4 block); throws BaseError on failure. */
export type Subcommand = (context: CliContext) => Promise<number>
