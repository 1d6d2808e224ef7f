import type { AbiFunction } from 'viem'
import {
  multiSendAbi,
  safeAbi,
  safeLegacyAbi,
  safeMigrationAbi,
  safeProxyFactoryAbi,
  signMessageLibAbi,
} from '../../safe/abi.js'

/** What each Safe function does, for the rules; ABIs themselves live once in `src/safe/abi.ts`. */
const SAFE_KINDS: Record<string, string> = {
  addOwnerWithThreshold: 'safe-owners',
  removeOwner: 'safe-owners',
  swapOwner: 'safe-owners',
  changeThreshold: 'safe-owners',
  enableModule: 'safe-modules',
  disableModule: 'safe-modules',
  setGuard: 'safe-guard',
  setModuleGuard: 'safe-guard',
  setFallbackHandler: 'safe-fallback',
  changeMasterCopy: 'safe-masterCopy',
  approveHash: 'safe-approveHash',
  execTransaction: 'safe-execTransaction',
  execTransactionFromModule: 'safe-module-exec',
  execTransactionFromModuleReturnData: 'safe-module-exec',
  setup: 'safe-setup',
  multiSend: 'multisend',
  signMessage: 'safe-signMessage',
  migrateSingleton: 'safe-migration',
  migrateWithFallbackHandler: 'safe-migration',
  migrateL2Singleton: 'safe-migration',
  migrateL2WithFallbackHandler: 'safe-migration',
  createProxyWithNonce: 'safe-factory',
}

/** Every state-changing Safe-ecosystem function with its rule kind (views are harmless). */
export function SAFE_FUNCTIONS(): { kind: string; item: AbiFunction }[] {
  const all = [
    ...safeAbi,
    ...safeLegacyAbi,
    ...multiSendAbi,
    ...signMessageLibAbi,
    ...safeMigrationAbi,
    ...safeProxyFactoryAbi,
  ] as readonly { type: string; name?: string; stateMutability?: string }[]
  const out: { kind: string; item: AbiFunction }[] = []
  for (const item of all) {
    if (item.type !== 'function' || !item.name) continue
    if (item.stateMutability === 'view' || item.stateMutability === 'pure') continue
    out.push({ kind: SAFE_KINDS[item.name] ?? 'safe-other', item: item as AbiFunction })
  }
  return out
}
