import { describe, expect, test } from 'vitest'
import { parseAmount, parsePolicy } from '../src/verify/policy.js'
import { selectSafePolicy } from '../src/verify/selectSafePolicy.js'

const SAFE = '0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4'

describe('parsePolicy', () => {
  test('a full entry: unquoted 0x addresses stay strings, amounts with units become base units', () => {
    const policy = parsePolicy(
      `version: 1
safes:
  - address: ${SAFE.toLowerCase()}
    chainId: 1
    name: cold wallet
    owners: [0x1F4EB0a903619ac168b19A82F1a6e2e426522211]
    threshold: 3
    addressBook:
      - address: 0x88a1493366D48225fc3cEFbdae9eBb23E323Ade3
        name: hot wallet
        trust: trusted
      - { address: 0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48, name: USDC, symbol: USDC, decimals: 6 }
    delegatecallAllowlist: [0x40A2aCCbd92BCA938b02010E17A5b8929b49130D]
    limits:
      - { token: ETH, max: 1.5 ether }
      - { token: 0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48, max: 1000000 USDC }
      - { token: eth, max: "20000000000" }
    configChanges: block
    intents:
      - id: payroll
        destination: 0x88a1493366D48225fc3cEFbdae9eBb23E323Ade3
        token: 0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48
        maxAmount: 250000.5 USDC
        notAfter: 2025-03-01T00:00:00Z
    sanctionsLists: [../shared/data/sanctions/fbi_psa250226_tradertraitor_eth.txt]
`,
      'policy.yaml',
    )
    const safe = selectSafePolicy(policy, SAFE, 1n)!
    expect(safe.address).toBe(SAFE)
    expect(safe.chainId).toBe(1n)
    expect(safe.threshold).toBe(3)
    expect(safe.configChanges).toBe('block')
    expect(safe.addressBook.map((e) => [e.name, e.trust, e.decimals])).toEqual([
      ['hot wallet', 'trusted', undefined],
      ['USDC', 'known', 6],
    ])
    expect(safe.limits).toEqual([
      { token: 'ETH', max: 1_500_000_000_000_000_000n },
      { token: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48', max: 1_000_000_000_000n },
      { token: 'ETH', max: 20_000_000_000n },
    ])
    expect(safe.intents[0]).toEqual({
      id: 'payroll',
      destination: '0x88a1493366D48225fc3cEFbdae9eBb23E323Ade3',
      token: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48',
      maxAmount: 250_000_500_000n,
      notAfter: new Date('2025-03-01T00:00:00Z'),
    })
    expect(selectSafePolicy(policy, SAFE, 5n)).toBeUndefined()
  })

  const error = (text: string) => {
    try {
      parsePolicy(text, 'policy.yaml')
    } catch (e) {
      return (e as Error).message
    }
    return 'no error'
  }

  test('errors name file:line and the key', () => {
    expect(
      error(
        `safes:\n  - address: ${SAFE}\n    owners:\n      - 0x1F4EB0a903619ac168b19A82F1a6e2e426522211\n      - 0x3cc3A225769900e003E264dd4CB43E90896BC21A\n`,
      ),
    ).toBe(
      'policy.yaml:5: safes[0].owners[1]: bad EIP-55 checksum in 0x3cc3A225769900e003E264dd4CB43E90896BC21A (expected 0x3Cc3A225769900e003E264dd4CB43E90896BC21A)',
    )
    expect(error(`safes:\n  - address: ${SAFE}\n    ownerz: []\n`)).toBe(
      'policy.yaml:2: safes[0]: unknown key "ownerz"',
    )
    expect(error(`safes:\n  - name: x\n`)).toBe(
      'policy.yaml:2: safes[0].address: missing required key',
    )
    expect(error(`safes:\n  - address: ${SAFE}\n    configChanges: maybe\n`)).toBe(
      'policy.yaml:3: safes[0].configChanges: expected one of warn, block, got "maybe"',
    )
    expect(
      error(
        `safes:\n  - address: ${SAFE}\n    limits:\n      - token: ETH\n        max: 10 bananas\n`,
      ),
    ).toBe(
      'policy.yaml:5: safes[0].limits[0].max: unit "bananas" does not match this token (ETH, ether, gwei or wei)',
    )
    expect(error(`safes:\n  - address: ${SAFE}\n    threshold: two\n`)).toBe(
      'policy.yaml:3: safes[0].threshold: expected a whole number from 1 to 1000, got "two"',
    )
    expect(error(`safes: [\n  address: x\n`)).toMatch(/^policy\.yaml:\d+:\d+: YAML syntax error: /)
    expect(error(`safes: []\n`)).toBe('policy.yaml:1: safes: list at least one Safe')
  })
})

describe('parseAmount', () => {
  test('base units, ETH units, token symbols', () => {
    expect(parseAmount('30000 ETH', { eth: true })).toBe(30_000n * 10n ** 18n)
    expect(parseAmount('20 gwei', { eth: true })).toBe(20_000_000_000n)
    expect(parseAmount('1_000', { eth: true })).toBe(1000n)
    expect(parseAmount('2.5 usdc', { eth: false, symbol: 'USDC', decimals: 6 })).toBe(2_500_000n)
    expect(parseAmount('1.0000001 USDC', { eth: false, symbol: 'USDC', decimals: 6 })).toBe(
      '1.0000001 USDC has more decimals than the token (6)',
    )
    expect(parseAmount('-1', { eth: true })).toBe(
      'expected an amount like 30000 ETH or 1000000 (base units), got "-1"',
    )
  })
})
