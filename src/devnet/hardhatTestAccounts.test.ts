import { createRequire } from 'node:module'
import { privateKeyToAddress } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { HARDHAT_TEST_ACCOUNTS } from './hardhatTestAccounts.js'

const requireCjs = createRequire(import.meta.url)

describe('HARDHAT_TEST_ACCOUNTS', () => {
  test('equals what hardhat derives from its test mnemonic, and each key controls its address', () => {
    const { normalizeHardhatNetworkAccountsConfig } = requireCjs(
      'hardhat/internal/core/providers/util',
    )
    const derived = normalizeHardhatNetworkAccountsConfig({
      mnemonic: 'test test test test test test test test test test test junk',
      initialIndex: 0,
      count: 20,
      path: "m/44'/60'/0'/0",
      passphrase: '',
      accountsBalance: '1',
    }) as { privateKey: string }[]
    expect(HARDHAT_TEST_ACCOUNTS.map(([, key]) => key)).toEqual(derived.map((a) => a.privateKey))
    for (const [address, key] of HARDHAT_TEST_ACCOUNTS)
      expect(privateKeyToAddress(key)).toBe(address)
  })
})
