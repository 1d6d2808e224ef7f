import { isAbsolute, relative, resolve } from 'node:path'
import { InputError } from '../core/BaseError.js'
import type { TransferStore } from '../store/TransferStore.js'
import { parseCaseFile } from '../trace/caseFile.js'
import { loadLabels } from '../trace/loadLabels.js'
import { traceCase } from '../trace/traceCase.js'

/**
 * The function POST /api/trace/cases runs: the request body's `request` is a case file as JSON
 * (`{policy?, heists: [{id, thefts|sources}], labels?: [paths]}`, the same schema as the YAML case
 * file of `heistguard trace run`), traced over the server's transfer store. Label paths are
 * resolved inside `labelsDir` only: an API caller must not make the server read arbitrary files.
 *
 * @example
 * const runTrace = createTraceRunner(store, { labelsDir: '/srv/heistguard/labels' })
 * const report = await runTrace({ heists: [{ id: 'bybit', thefts: ['0x46de…'] }] })
 */
export function createTraceRunner(store: TransferStore, options: { labelsDir: string }) {
  return async (request: Record<string, unknown>) => {
    const kase = parseCaseFile(JSON.stringify(request), 'request')
    const paths = kase.labels.map((p, i) => {
      const full = resolve(options.labelsDir, p)
      const rel = relative(options.labelsDir, full)
      if (isAbsolute(p) || rel.startsWith('..') || isAbsolute(rel))
        throw new InputError(
          "label files must be relative paths inside the server's labels directory",
          {
            code: 'INVALID_INPUT',
            field: `request.labels.${i}`,
          },
        )
      return full
    })
    const labels = await loadLabels(paths)
    const { report } = await traceCase(store, {
      policy: kase.policy ?? 'haircut',
      heists: kase.heists,
      labels,
    })
    return report
  }
}
