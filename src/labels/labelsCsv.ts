import { readFile } from 'node:fs/promises'
import { InputError } from '../core/BaseError.js'
import { LABEL_CATEGORIES, type Label, normalizeCategory } from './LabelSet.js'

/**
 * Parses a plain label CSV: header `address,category,name`, one label per line. The name may
 * contain commas (everything after the second comma). Bad lines are InputErrors naming
 * `source:line`.
 *
 * @example
 * parseLabelsCsv('address,category,name\n0x…,exchange,OKX\n', 'labels.csv')
 */
export function parseLabelsCsv(text: string, source: string): Label[] {
  const lines = text.split(/\r?\n/)
  const header = lines[0]
    ?.trim()
    .toLowerCase()
    .replace(/^\ufeff/, '')
  if (header !== 'address,category,name')
    throw new InputError('expected the header "address,category,name"', {
      code: 'LABELS_CSV',
      field: `${source}:1`,
    })
  const out: Label[] = []
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (line === '' || line.startsWith('#')) continue
    const [address = '', category = '', ...rest] = line.split(',')
    const where = `${source}:${i + 1}`
    if (!/^0x[0-9a-fA-F]{40}$/.test(address.trim()))
      throw new InputError(`not an address: ${JSON.stringify(address.slice(0, 50))}`, {
        code: 'LABELS_CSV',
        field: where,
      })
    const c = normalizeCategory(category)
    if (!c)
      throw new InputError(
        `unknown category ${JSON.stringify(category.slice(0, 40))} (one of ${LABEL_CATEGORIES.join(', ')})`,
        { code: 'LABELS_CSV', field: where },
      )
    out.push({
      address: address.trim().toLowerCase(),
      category: c,
      name: rest.join(',').trim().replace(/^"|"$/g, ''),
      source: where,
    })
  }
  return out
}

/**
 * Reads and parses a label CSV file.
 *
 * @example
 * const labels = await readLabelsCsv('labels.csv')
 */
export async function readLabelsCsv(path: string): Promise<Label[]> {
  return parseLabelsCsv(await readFile(path, 'utf8'), path)
}
