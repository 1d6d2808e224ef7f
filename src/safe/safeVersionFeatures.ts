import type { SafeVersion } from './types.js'

/** Every SafeVersion, oldest first. */
export const SAFE_VERSIONS = [
  '0.1.0',
  '1.0.0',
  '1.1.0',
  '1.1.1',
  '1.2.0',
  '1.3.0',
  '1.3.0+L2',
  '1.4.1',
  '1.4.1+L2',
  '1.5.0',
  '1.5.0+L2',
] as const satisfies readonly SafeVersion[]

/** What changes between Safe releases, as far as hashing and storage are concerned. */
export type SafeVersionFeatures = {
  /** The release without the `+L2` suffix, e.g. '1.3.0'. */
  base: string
  /** The `+L2` build (emits SafeMultiSigTransaction events; hashes identically). */
  l2: boolean
  /** 1.3.0+: the EIP-712 domain binds chainId. Before, a signature is valid on every chain. */
  chainIdInDomain: boolean
  /** Name of the 6th SafeTx field in the type string: 'dataGas' only in 0.1.0. */
  gasField: 'dataGas' | 'baseGas'
  /** Before 1.3.0 the domain separator is cached in storage slot 6 (set once in setup). */
  domainSeparatorInStorage: boolean
  /** 1.3.0+: transaction guard at keccak256("guard_manager.guard.address"). */
  hasGuard: boolean
  /** 1.1.0+: fallback handler at keccak256("fallback_manager.handler.address"). */
  hasFallbackHandler: boolean
  /** 1.5.0+: module guard at keccak256("module_manager.module_guard.address"). */
  hasModuleGuard: boolean
  /** Before 1.3.0 the Safe itself has `changeMasterCopy(address)`. */
  hasChangeMasterCopy: boolean
  /** 0.1.0 and 1.0.0 also have operation 2 (CREATE) in Enum.Operation. */
  hasCreateOperation: boolean
  /** 1.1.0+: checkSignatures accepts eth_sign signatures (v 31/32); 1.0.0 rejects them. */
  hasEthSignSignatures: boolean
  /** Before 1.3.0 execTransaction clears an approvedHashes entry once it is used. */
  consumesApprovedHashes: boolean
}

/**
 * The hashing and layout features of one Safe version.
 *
 * @example
 * safeVersionFeatures('1.1.1').chainIdInDomain // false
 */
export function safeVersionFeatures(version: SafeVersion): SafeVersionFeatures {
  const l2 = version.endsWith('+L2')
  const base = l2 ? version.slice(0, -3) : version
  const [major = 0, minor = 0] = base.split('.').map(Number)
  const atLeast = (ma: number, mi: number) => major > ma || (major === ma && minor >= mi)
  return {
    base,
    l2,
    chainIdInDomain: atLeast(1, 3),
    gasField: atLeast(1, 0) ? 'baseGas' : 'dataGas',
    domainSeparatorInStorage: !atLeast(1, 3),
    hasGuard: atLeast(1, 3),
    hasFallbackHandler: atLeast(1, 1),
    hasModuleGuard: atLeast(1, 5),
    hasChangeMasterCopy: !atLeast(1, 3),
    hasCreateOperation: !atLeast(1, 1),
    hasEthSignSignatures: atLeast(1, 1),
    consumesApprovedHashes: !atLeast(1, 3),
  }
}
