import type { AddressList } from '../labels/addressList.js'
import type { LabelHit } from './Exposure.js'

/**
 * Label hits from parsed address lists. Sanctions lists (OFAC) make `sanctioned` hits; lists that
 * attribute addresses to a heist (the FBI's TraderTraitor list for Bybit) name that heist.
 *
 * @example
 * labelsFromAddressLists([{ list: ofac, kind: 'sanctions' }, { list: fbi, kind: 'heist', heist: 'bybit' }])
 */
export function labelsFromAddressLists(
  lists: {
    list: AddressList
    kind: 'sanctions' | 'heist' | 'label'
    heist?: string
    category?: string
  }[],
): (LabelHit & { address: string })[] {
  const out: (LabelHit & { address: string })[] = []
  for (const { list, kind, heist, category } of lists) {
    for (const e of list.entries) {
      const hit: LabelHit & { address: string } = {
        address: e.address,
        source: list.source,
        name: e.name ?? (kind === 'heist' ? `${heist} attacker` : list.source),
        category:
          category ??
          (kind === 'sanctions' ? 'sanctioned' : kind === 'heist' ? 'attacker' : 'label'),
        sanctioned: kind === 'sanctions',
      }
      if (kind === 'heist' && heist) hit.heist = heist
      out.push(hit)
    }
  }
  return out
}
