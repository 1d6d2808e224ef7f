import { encodeFunctionData } from 'viem'
import type { Hex } from '../core/hex.js'
import { safeAbi } from './abi.js'
import type { SafeTx } from './types.js'

/**
 * Calldata of `execTransaction(to, value, data, operation, safeTxGas, baseGas, gasPrice,
 * gasToken, refundReceiver, signatures)`: one place for the argument order every sender uses.
 *
 * @example
 * const data = encodeExecTransaction(safeTx, signatures)
 */
export function encodeExecTransaction(tx: SafeTx, signatures: Hex): Hex {
  return encodeFunctionData({
    abi: safeAbi,
    functionName: 'execTransaction',
    args: [...safeTxCallFields(tx), signatures],
  })
}

/**
 * Calldata of the Safe's own `getTransactionHash(…, nonce)`, to ask a deployed Safe for the hash.
 *
 * @example
 * const data = encodeGetTransactionHash(safeTx)
 */
export function encodeGetTransactionHash(tx: SafeTx): Hex {
  return encodeFunctionData({
    abi: safeAbi,
    functionName: 'getTransactionHash',
    args: [...safeTxCallFields(tx), tx.nonce],
  })
}

/** The SafeTx fields both calls take first, in the contract's order. */
function safeTxCallFields(tx: SafeTx) {
  return [
    tx.to,
    tx.value,
    tx.data,
    tx.operation,
    tx.safeTxGas,
    tx.baseGas,
    tx.gasPrice,
    tx.gasToken,
    tx.refundReceiver,
  ] as const
}
