/**
 * Time-ordered transfers held in typed arrays: the one input shape of the taint engine.
 *
 * Addresses, tokens and transaction hashes are interned to small integers (see
 * {@link TraceDictionary}) so that the engine's state lives in flat typed arrays indexed by id.
 * Rows are sorted by (block, transaction index, ordinal); rows of one transaction are contiguous.
 */
export type TransferColumns = {
  length: number
  /** Block number (float64 holds every block number exactly up to 2^53). */
  block: Float64Array
  /** Interned transaction hash id (index into `TraceDictionary.txHashes`). */
  txId: Uint32Array
  from: Uint32Array
  /** Recipient address id; ignored for gas rows. */
  to: Uint32Array
  /** Token id; 0 is always native ETH. */
  token: Uint32Array
  /**
   * Amount in the token's base units as float64. Exact up to 2^53 wei (~0.009 ETH); above that
   * the relative error is at most 2^-53, far below what any taint report distinguishes.
   */
  amount: Float64Array
  /** {@link KIND_TRANSFER} or {@link KIND_GAS}. */
  kind: Uint8Array
}

/** A value movement from `from` to `to`. */
export const KIND_TRANSFER = 0
/** A gas fee paid by `from` (burned/paid to the block producer; leaves the traced graph). */
export const KIND_GAS = 1

/** The strings behind the interned ids of {@link TransferColumns}. */
export type TraceDictionary = {
  /** Lowercase 0x addresses by id. */
  addresses: string[]
  /** `ETH` at id 0, then lowercase token contract addresses. */
  tokens: string[]
  /** Lowercase 0x transaction hashes by id. */
  txHashes: string[]
}

/**
 * Allocates empty columns for `length` rows.
 *
 * @example
 * const columns = allocateTransferColumns(1024)
 */
export function allocateTransferColumns(length: number): TransferColumns {
  return {
    length,
    block: new Float64Array(length),
    txId: new Uint32Array(length),
    from: new Uint32Array(length),
    to: new Uint32Array(length),
    token: new Uint32Array(length),
    amount: new Float64Array(length),
    kind: new Uint8Array(length),
  }
}

/**
 * Concatenates chunks (as a store scan yields them) into one set of columns.
 *
 * @example
 * const all = concatTransferColumns([chunkA, chunkB])
 */
export function concatTransferColumns(chunks: TransferColumns[]): TransferColumns {
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0)
  const out = allocateTransferColumns(total)
  let offset = 0
  for (const chunk of chunks) {
    const n = chunk.length
    out.block.set(chunk.block.subarray(0, n), offset)
    out.txId.set(chunk.txId.subarray(0, n), offset)
    out.from.set(chunk.from.subarray(0, n), offset)
    out.to.set(chunk.to.subarray(0, n), offset)
    out.token.set(chunk.token.subarray(0, n), offset)
    out.amount.set(chunk.amount.subarray(0, n), offset)
    out.kind.set(chunk.kind.subarray(0, n), offset)
    offset += n
  }
  return out
}

/**
 * A row range of columns as views (no copy).
 *
 * @example
 * const firstHundred = sliceTransferColumns(columns, 0, 100)
 */
export function sliceTransferColumns(
  c: TransferColumns,
  start: number,
  end: number,
): TransferColumns {
  return {
    length: end - start,
    block: c.block.subarray(start, end),
    txId: c.txId.subarray(start, end),
    from: c.from.subarray(start, end),
    to: c.to.subarray(start, end),
    token: c.token.subarray(start, end),
    amount: c.amount.subarray(start, end),
    kind: c.kind.subarray(start, end),
  }
}
