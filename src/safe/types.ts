import type { Address, Hex } from '../core/hex.js'

/** Every Safe release whose EIP-712 layout heistguard knows. `+L2` builds hash the same way. */
export type SafeVersion =
  | '0.1.0'
  | '1.0.0'
  | '1.1.0'
  | '1.1.1'
  | '1.2.0'
  | '1.3.0'
  | '1.3.0+L2'
  | '1.4.1'
  | '1.4.1+L2'
  | '1.5.0'
  | '1.5.0+L2'

/** 0 = CALL, 1 = DELEGATECALL (Enum.Operation in the Safe contracts). */
export type Operation = 0 | 1

/** The fields a Safe owner signs. Amounts are bigint; `baseGas` is `dataGas` before 1.0.0. */
export type SafeTx = {
  to: Address
  value: bigint
  data: Hex
  operation: Operation
  safeTxGas: bigint
  baseGas: bigint
  gasPrice: bigint
  gasToken: Address
  refundReceiver: Address
  nonce: bigint
}

/** Where a SafeTx lives: the domain of its EIP-712 signature. */
export type SafeContext = {
  chainId: bigint
  safe: Address
  version: SafeVersion
}

/** The three hashes a hardware wallet shows when it blind-signs a Safe transaction. */
export type SafeTxHashes = {
  domainHash: Hex
  messageHash: Hex
  safeTxHash: Hex
}
