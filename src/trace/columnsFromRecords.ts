import {
  allocateTransferColumns,
  KIND_GAS,
  KIND_TRANSFER,
  type TraceDictionary,
  type TransferColumns,
} from './TransferColumns.js'
import { KIND_RANK, type TransferRecord } from './TransferRecord.js'

/** A dictionary that keeps growing as new strings arrive (tracker, in-memory traces). */
export type Interner = {
  dictionary: TraceDictionary
  address: Map<string, number>
  token: Map<string, number>
  tx: Map<string, number>
}

/**
 * Creates an empty interner; token id 0 is `ETH`.
 *
 * @example
 * const interner = createInterner()
 */
export function createInterner(): Interner {
  return {
    dictionary: { addresses: [], tokens: ['ETH'], txHashes: [] },
    address: new Map(),
    token: new Map([['ETH', 0]]),
    tx: new Map(),
  }
}

/**
 * Id of a string in one of the interner's tables, adding it when new.
 *
 * @example
 * internId(interner, 'address', '0xabc…')
 */
export function internId(
  interner: Interner,
  table: 'address' | 'token' | 'tx',
  value: string,
): number {
  const map = interner[table]
  let id = map.get(value)
  if (id === undefined) {
    const list =
      table === 'address'
        ? interner.dictionary.addresses
        : table === 'token'
          ? interner.dictionary.tokens
          : interner.dictionary.txHashes
    id = list.length
    list.push(value)
    map.set(value, id)
  }
  return id
}

/**
 * Sorts records into time order and packs them into typed columns (small and in-memory inputs:
 * tests, the live tracker; large traces come from the store's scan instead).
 *
 * @example
 * const { columns, dictionary } = columnsFromRecords(records)
 */
export function columnsFromRecords(
  records: readonly TransferRecord[],
  interner: Interner = createInterner(),
): { columns: TransferColumns; dictionary: TraceDictionary } {
  const sorted = [...records].sort(
    (a, b) =>
      a.block - b.block ||
      a.txIndex - b.txIndex ||
      KIND_RANK[a.kind] - KIND_RANK[b.kind] ||
      a.ordinal - b.ordinal,
  )
  const columns = allocateTransferColumns(sorted.length)
  sorted.forEach((r, i) => {
    columns.block[i] = r.block
    columns.txId[i] = internId(interner, 'tx', r.txHash)
    columns.from[i] = internId(interner, 'address', r.from)
    columns.to[i] = r.kind === 'gas' ? 0 : internId(interner, 'address', r.to)
    columns.token[i] = internId(interner, 'token', r.token)
    columns.amount[i] = Number(r.amount)
    columns.kind[i] = r.kind === 'gas' ? KIND_GAS : KIND_TRANSFER
  })
  return { columns, dictionary: interner.dictionary }
}
