import { readFile } from 'node:fs/promises'
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml'
import { InputError } from '../core/BaseError.js'
import { type Label, normalizeCategory } from './LabelSet.js'

/**
 * Parses a GraphSense TagPack (YAML): header fields (`title`, `creator`, and defaults such as
 * `category`, `label`, `currency`, `source`) apply to every entry of `tags` unless the entry
 * sets its own. Only Ethereum tags (`currency` ETH, or none) are kept; categories are mapped to
 * ours (`exchange`, `defi_dex` -> dex, `mixing_service` -> mixer, `perpetrator` -> attacker…);
 * tags with categories we do not use become `other`. Errors name `source:line`.
 *
 * @example
 * parseTagPack('title: t\ncreator: me\ncategory: exchange\ntags:\n  - address: "0x…"\n    label: OKX\n', 'okx.yaml')
 */
export function parseTagPack(text: string, source: string): Label[] {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter })
  const lineOf = (node: YamlNode | null | undefined) =>
    node?.range ? lineCounter.linePos(node.range[0]).line : 1
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!
    throw new InputError(e.message.split('\n')[0] ?? 'invalid YAML', {
      code: 'TAGPACK',
      field: `${source}:${e.linePos?.[0]?.line ?? 1}`,
    })
  }
  const root = doc.contents
  if (!isMap(root))
    throw new InputError('a TagPack is a YAML mapping with a `tags` list', {
      code: 'TAGPACK',
      field: `${source}:1`,
    })
  const header = doc.toJS() as Record<string, unknown>
  const tagsNode = root.get('tags', true)
  if (!isSeq(tagsNode))
    throw new InputError('missing `tags` list', {
      code: 'TAGPACK',
      field: `${source}:${lineOf(root)}`,
    })
  const out: Label[] = []
  tagsNode.items.forEach((item, i) => {
    const where = `${source}:${lineOf(item as YamlNode)}`
    if (!isMap(item))
      throw new InputError(`tags[${i}] is not a mapping`, { code: 'TAGPACK', field: where })
    const tag = { ...header, ...(item.toJSON() as Record<string, unknown>) }
    const currency = String(tag['currency'] ?? tag['network'] ?? 'ETH').toUpperCase()
    if (currency !== 'ETH') return
    const address = String(tag['address'] ?? '')
    if (!/^0x[0-9a-fA-F]{40}$/.test(address))
      throw new InputError(`tags[${i}].address is not an Ethereum address`, {
        code: 'TAGPACK',
        field: where,
      })
    const category = normalizeCategory(String(tag['category'] ?? 'other')) ?? 'other'
    out.push({
      address: address.toLowerCase(),
      category,
      name: String(tag['label'] ?? tag['title'] ?? ''),
      source: where,
    })
  })
  return out
}

/**
 * Reads and parses a TagPack file.
 *
 * @example
 * const labels = await readTagPack('packs/exchanges.yaml')
 */
export async function readTagPack(path: string): Promise<Label[]> {
  return parseTagPack(await readFile(path, 'utf8'), path)
}
