import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { InputError } from '../core/BaseError.js'
import { buildExposureIndex } from './buildExposureIndex.js'
import type { ExposureIndex, LabelHit } from './Exposure.js'
import { exposureInputFromReport } from './exposureInputFromReport.js'

/**
 * Builds the index from a trace report JSON file (the `heistguard trace --json` output), adding
 * label hits. Errors name the file: a missing file, bad JSON (with line), or a bad field.
 *
 * @example
 * const index = await readExposureIndex('case.json', { labels: [], hops: 3 })
 */
export async function readExposureIndex(
  path: string,
  options: { labels?: (LabelHit & { address: string })[]; hops?: number } = {},
): Promise<ExposureIndex> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new InputError(
      `cannot read the index file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      {
        code: 'FILE_NOT_READABLE',
        field: path,
      },
    )
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    const at = /position (\d+)/.exec(String((error as Error).message))
    const line = at ? text.slice(0, Number(at[1])).split('\n').length : 1
    throw new InputError('not valid JSON', { code: 'INVALID_JSON', field: `${path}:${line}` })
  }
  const input = exposureInputFromReport(json, basename(path))
  return buildExposureIndex({
    ...input,
    labels: [...(input.labels ?? []), ...(options.labels ?? [])],
    ...(options.hops === undefined ? {} : { hops: options.hops }),
  })
}
