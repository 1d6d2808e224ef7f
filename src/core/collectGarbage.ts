import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

let gc: (() => void) | undefined

/**
 * Runs a full V8 garbage collection now. DuckDB results and chunks hold native memory that is
 * freed only when V8 collects their JS wrappers; a loop that reads gigabytes through a small JS
 * heap would otherwise keep every finished result alive (12 GB at 100M rows) until a GC that
 * the heap alone never triggers.
 *
 * @example
 * for (const part of parts) { await readPart(part); collectGarbage() }
 */
export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose_gc')
    gc = runInNewContext('gc') as () => void
  }
  gc()
}
