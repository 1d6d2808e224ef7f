import type { Abi, AbiEvent, AbiFunction } from 'viem'
import { toFunctionSelector, toFunctionSignature } from 'viem'
import { describe, expect, it } from 'vitest'
import safe111 from '../../node_modules/@safe-global/safe-deployments/dist/assets/v1.1.1/gnosis_safe.json' with {
  type: 'json',
}
import safe130 from '../../node_modules/@safe-global/safe-deployments/dist/assets/v1.3.0/gnosis_safe_l2.json' with {
  type: 'json',
}
import compat141 from '../../node_modules/@safe-global/safe-deployments/dist/assets/v1.4.1/compatibility_fallback_handler.json' with {
  type: 'json',
}
import multiSend141 from '../../node_modules/@safe-global/safe-deployments/dist/assets/v1.4.1/multi_send_call_only.json' with {
  type: 'json',
}
import migration141 from '../../node_modules/@safe-global/safe-deployments/dist/assets/v1.4.1/safe_migration.json' with {
  type: 'json',
}
import factory141 from '../../node_modules/@safe-global/safe-deployments/dist/assets/v1.4.1/safe_proxy_factory.json' with {
  type: 'json',
}
import signLib141 from '../../node_modules/@safe-global/safe-deployments/dist/assets/v1.4.1/sign_message_lib.json' with {
  type: 'json',
}
import safe150 from '../../node_modules/@safe-global/safe-deployments/dist/assets/v1.5.0/safe_l2.json' with {
  type: 'json',
}
import safe100 from '../../node_modules/safe-contracts-1.0.0/build/contracts/GnosisSafe.json' with {
  type: 'json',
}
import {
  compatibilityFallbackHandlerAbi,
  multiSendAbi,
  safeAbi,
  safeEvents130Abi,
  safeEvents141Abi,
  safeEventsLegacyAbi,
  safeLegacyAbi,
  safeMigrationAbi,
  safeProxyFactoryAbi,
  safeTxHashV0Abi,
  signMessageLibAbi,
} from './abi.js'

const signatures = (abi: unknown): Set<string> =>
  new Set(
    (abi as Abi)
      .filter((i): i is AbiFunction => i.type === 'function')
      .map((i) => toFunctionSignature(i)),
  )
const functions = (abi: readonly unknown[]) =>
  (abi as Abi).filter((i): i is AbiFunction => i.type === 'function')

describe('abi', () => {
  it('every Safe function exists in a released Safe ABI', () => {
    const released = new Set([
      ...signatures(safe111.abi),
      ...signatures(safe130.abi),
      ...signatures(safe150.abi),
    ])
    for (const f of functions(safeAbi)) expect(released, f.name).toContain(toFunctionSignature(f))
    const legacy = new Set([...signatures(safe100.abi), ...signatures(safe111.abi)])
    for (const f of functions(safeLegacyAbi))
      expect(legacy, f.name).toContain(toFunctionSignature(f))
  })
  it('library and factory functions exist in their released ABIs', () => {
    const check = (abi: readonly unknown[], source: unknown) => {
      const released = signatures(source)
      for (const f of functions(abi)) expect(released, f.name).toContain(toFunctionSignature(f))
    }
    check(compatibilityFallbackHandlerAbi, compat141.abi)
    check(safeMigrationAbi, migration141.abi)
    check(signMessageLibAbi, signLib141.abi)
    check(safeProxyFactoryAbi, factory141.abi)
    check(multiSendAbi, multiSend141.abi)
  })
  it('has the well-known selectors', () => {
    const sel = (abi: readonly unknown[], name: string) =>
      functions(abi)
        .filter((f) => f.name === name)
        .map((f) => toFunctionSelector(f))
    expect(sel(safeAbi, 'execTransaction')).toEqual(['0x6a761202'])
    expect(sel(safeTxHashV0Abi, 'execTransaction')).toEqual(['0x6a761202'])
    expect(sel(safeAbi, 'getTransactionHash')).toEqual(sel(safeTxHashV0Abi, 'getTransactionHash'))
    expect(sel(safeAbi, 'approveHash')).toEqual(['0xd4d9bdcd'])
    expect(sel(safeLegacyAbi, 'changeMasterCopy')).toEqual(['0x7de7edef'])
    expect(sel(multiSendAbi, 'multiSend')).toEqual(['0x8d80ff0a'])
    expect(sel(safeAbi, 'setup')).toEqual(['0xb63e800d'])
  })
  it('events keep the indexed flags of their version', () => {
    const indexed = (abi: readonly unknown[], name: string) =>
      (abi as Abi)
        .filter((i): i is AbiEvent => i.type === 'event')
        .find((i) => i.name === name)
        ?.inputs.map((x) => Boolean(x.indexed))
    expect(indexed(safeEventsLegacyAbi, 'AddedOwner')).toEqual([false])
    expect(indexed(safeEvents130Abi, 'AddedOwner')).toEqual([false])
    expect(indexed(safeEvents141Abi, 'AddedOwner')).toEqual([true])
    expect(indexed(safeEventsLegacyAbi, 'ChangedMasterCopy')).toEqual([false])
    expect(indexed(safeEvents141Abi, 'ChangedModuleGuard')).toEqual([true])
  })
})
