import type { Abi } from 'viem'
import type { Hex } from '../core/hex.js'
import compiled from './contracts/compiled.json' with { type: 'json' }

/** Our own Solidity contracts (src/devnet/contracts/*.sol), compiled by scripts/compile-contracts.mjs. */
export type DevnetContractName =
  | 'BridgeRouter'
  | 'DepositForwarder'
  | 'DevToken'
  | 'ProtocolVault'
  | 'SlotZeroWriter'
  | 'SweepBackdoor'

export type DevnetContractArtifact = { abi: Abi; bytecode: Hex; deployedBytecode: Hex }

/**
 * ABI and code of one of the devnet's own contracts, from the committed compiled.json (solc-js
 * 0.8.37, optimizer 200 runs, evm cancun); compiled.test.ts proves it matches the sources.
 *
 * @example
 * devnetContract('SlotZeroWriter').deployedBytecode // '0x6080…'
 */
export function devnetContract(name: DevnetContractName): DevnetContractArtifact {
  return compiled.contracts[name] as unknown as DevnetContractArtifact
}
