import { basename } from 'node:path'
import { readAddressList } from '../labels/addressList.js'
import { addLabels, createLabelSet, type Label, type LabelSet } from '../labels/LabelSet.js'
import { readLabelsCsv } from '../labels/labelsCsv.js'
import { readTagPack } from '../labels/tagpack.js'

/**
 * Loads label files into one set, by extension: `.yaml`/`.yml` GraphSense TagPack, `.csv` plain
 * `address,category,name`, anything else an address list (OFAC SDN TSV/JSON/txt, FBI PSA txt)
 * via labels/addressList.ts. Address lists become `sanctioned`, except the FBI's TraderTraitor
 * list (file name containing `fbi`), whose addresses are attributed heist wallets: `attacker`.
 *
 * @example
 * const labels = await loadLabels(['labels.csv', '/work/shared/data/sanctions/fbi_psa250226_tradertraitor_eth.txt'])
 */
export async function loadLabels(paths: readonly string[]): Promise<LabelSet> {
  const set = createLabelSet()
  for (const path of paths) {
    const lower = path.toLowerCase()
    if (lower.endsWith('.yaml') || lower.endsWith('.yml')) addLabels(set, await readTagPack(path))
    else if (lower.endsWith('.csv')) addLabels(set, await readLabelsCsv(path))
    else {
      const list = await readAddressList(path)
      const category = basename(lower).includes('fbi') ? 'attacker' : 'sanctioned'
      addLabels(
        set,
        list.entries.map(
          (e): Label => ({
            address: e.address.toLowerCase(),
            category,
            name:
              e.name ??
              (category === 'attacker' ? 'FBI PSA I-022625-PSA (TraderTraitor)' : 'OFAC SDN'),
            source: `${e.source}:${e.line}`,
          }),
        ),
      )
    }
  }
  return set
}
