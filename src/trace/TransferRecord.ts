/**
 * One value movement as ingest produces it and the transfer store keeps it. The dedupe key is
 * (chainId, txHash, kind, ordinal); the time order is (block, txIndex, kind rank, ordinal).
 */
export type TransferRecord = {
  chainId: number
  block: number
  txIndex: number
  txHash: string
  /**
   * - `native`: ETH value; ordinal 0 is the transaction's own value, 1.. internal calls.
   * - `log`: an ERC-20 `Transfer` (or WETH `Deposit`/`Withdrawal`); ordinal is the log index.
   * - `gas`: the fee the sender paid (gas used x effective gas price); ordinal 0, `to` empty.
   */
  kind: TransferKind
  ordinal: number
  /** Lowercase 0x address. */
  from: string
  /** Lowercase 0x address; '' for gas. */
  to: string
  /** `ETH` or the lowercase token contract address. */
  token: string
  /** Base units. */
  amount: bigint
}

export type TransferKind = 'native' | 'log' | 'gas'

/** Order of kinds inside a transaction: fee first (charged before execution), value, then logs. */
export const KIND_RANK: Record<TransferKind, number> = { gas: 0, native: 1, log: 2 }
