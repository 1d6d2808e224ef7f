import type { Address, Hex } from '../core/hex.js'

/** One entry of a MultiSend batch as packed by `MultiSend.multiSend(bytes)`. */
export type MultiSendEntry = {
  operation: number
  to: Address
  value: bigint
  data: Hex
}

/** The batch, or the entries read before the bytes stopped making sense. */
export type MultiSendDecoding =
  | { ok: true; entries: MultiSendEntry[] }
  | { ok: false; entries: MultiSendEntry[]; error: string }

const HEADER_BYTES = 1 + 20 + 32 + 32

/**
 * Splits MultiSend's packed encoding: for each call `operation (uint8) ‖ to (20 bytes) ‖ value
 * (uint256) ‖ dataLength (uint256) ‖ data`. Refuses what the contract would not run as shown:
 * an operation byte other than 0/1 (MultiSend reverts), a length past the end (truncated), and
 * bytes left over after the last call (trailing data that no signer sees).
 *
 * @example
 * decodeMultiSend('0x00' + '11'.repeat(20) + '00'.repeat(32) + '00'.repeat(32))
 * // { ok: true, entries: [{ operation: 0, to: '0x1111…', value: 0n, data: '0x' }] }
 */
export function decodeMultiSend(transactions: Hex): MultiSendDecoding {
  const hex = transactions.slice(2)
  const total = hex.length / 2
  const entries: MultiSendEntry[] = []
  let offset = 0
  while (offset < total) {
    const at = `at byte ${offset} (call ${entries.length})`
    if (total - offset < HEADER_BYTES)
      return {
        ok: false,
        entries,
        error: `${total - offset} trailing bytes ${at} are too short for a call header (85 bytes)`,
      }
    const operation = Number.parseInt(hex.slice(offset * 2, offset * 2 + 2), 16)
    const to = `0x${hex.slice(offset * 2 + 2, offset * 2 + 42)}` as Address
    const value = BigInt(`0x${hex.slice(offset * 2 + 42, offset * 2 + 106)}`)
    const length = BigInt(`0x${hex.slice(offset * 2 + 106, offset * 2 + 170)}`)
    if (operation > 1)
      return {
        ok: false,
        entries,
        error: `operation byte ${operation} ${at} is neither CALL (0) nor DELEGATECALL (1)`,
      }
    const start = offset + HEADER_BYTES
    if (length > BigInt(total - start))
      return {
        ok: false,
        entries,
        error: `data length ${length} ${at} runs past the end of the batch (${total - start} bytes left): truncated`,
      }
    const end = start + Number(length)
    entries.push({ operation, to, value, data: `0x${hex.slice(start * 2, end * 2)}` as Hex })
    offset = end
  }
  return { ok: true, entries }
}

/**
 * Packs calls the way MultiSend expects (the inverse of `decodeMultiSend`).
 *
 * @example
 * encodeMultiSend([{ operation: 0, to: '0x1111111111111111111111111111111111111111', value: 0n, data: '0x' }])
 */
export function encodeMultiSend(entries: readonly MultiSendEntry[]): Hex {
  let out = '0x'
  for (const entry of entries) {
    const data = entry.data.slice(2)
    out +=
      entry.operation.toString(16).padStart(2, '0') +
      entry.to.slice(2).toLowerCase() +
      entry.value.toString(16).padStart(64, '0') +
      (data.length / 2).toString(16).padStart(64, '0') +
      data.toLowerCase()
  }
  return out as Hex
}
