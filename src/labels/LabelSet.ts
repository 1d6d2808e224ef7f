/**
 * Entity labels from every source (TagPack YAML, plain CSV, OFAC/FBI lists) in one lookup.
 * Categories say what an address is; the taint engine only cares about places (dex, exchange,
 * bridge, mixer) and reports use the rest (freezable-token issuers, sanctioned, victim, attacker).
 */
export type LabelCategory =
  | 'exchange'
  | 'dex'
  | 'bridge'
  | 'mixer'
  | 'freezable-token'
  | 'sanctioned'
  | 'victim'
  | 'attacker'
  | 'other'

export const LABEL_CATEGORIES: readonly LabelCategory[] = [
  'exchange',
  'dex',
  'bridge',
  'mixer',
  'freezable-token',
  'sanctioned',
  'victim',
  'attacker',
  'other',
]

export type Label = {
  /** Lowercase 0x address. */
  address: string
  category: LabelCategory
  name: string
  /** `file:line` or list name the label came from. */
  source: string
}

export type LabelSet = { byAddress: Map<string, Label[]> }

/**
 * Builds a label set; an address may carry several labels (e.g. exchange and sanctioned).
 *
 * @example
 * const labels = createLabelSet([{ address: '0xabc…', category: 'exchange', name: 'OKX', source: 'labels.csv:2' }])
 */
export function createLabelSet(labels: Iterable<Label> = []): LabelSet {
  const set: LabelSet = { byAddress: new Map() }
  addLabels(set, labels)
  return set
}

/**
 * Adds labels to a set in place (later sources add to, never replace, earlier ones).
 *
 * @example
 * addLabels(set, parseLabelsCsv(text, 'labels.csv'))
 */
export function addLabels(set: LabelSet, labels: Iterable<Label>): void {
  for (const l of labels) {
    const address = l.address.toLowerCase()
    let list = set.byAddress.get(address)
    if (!list) {
      list = []
      set.byAddress.set(address, list)
    }
    if (!list.some((x) => x.category === l.category && x.name === l.name))
      list.push({ ...l, address })
  }
}

/**
 * The labels of an address (empty when unknown).
 *
 * @example
 * labelsOf(set, '0xabc…')[0]?.name
 */
export function labelsOf(set: LabelSet, address: string): Label[] {
  return set.byAddress.get(address.toLowerCase()) ?? []
}

/**
 * The first label of an address in one of `categories`, if any.
 *
 * @example
 * findLabel(set, address, ['exchange'])?.name // 'OKX'
 */
export function findLabel(
  set: LabelSet,
  address: string,
  categories: readonly LabelCategory[],
): Label | undefined {
  return labelsOf(set, address).find((l) => categories.includes(l.category))
}

/**
 * Maps source category words (GraphSense taxonomy, common synonyms) to ours.
 *
 * @example
 * normalizeCategory('mixing_service') // 'mixer'
 */
export function normalizeCategory(raw: string): LabelCategory | undefined {
  const c = raw
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_')
  const map: Record<string, LabelCategory> = {
    exchange: 'exchange',
    cex: 'exchange',
    dex: 'dex',
    defi_dex: 'dex',
    wrapper: 'dex',
    bridge: 'bridge',
    defi_bridge: 'bridge',
    mixer: 'mixer',
    mixing_service: 'mixer',
    freezable_token: 'freezable-token',
    stablecoin_issuer: 'freezable-token',
    sanctioned: 'sanctioned',
    sanction: 'sanctioned',
    victim: 'victim',
    attacker: 'attacker',
    perpetrator: 'attacker',
    hacker: 'attacker',
    other: 'other',
  }
  return map[c]
}
