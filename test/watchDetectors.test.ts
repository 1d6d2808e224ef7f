import fc from 'fast-check'
import { encodeAbiParameters, encodeFunctionData, toEventSelector } from 'viem'
import { describe, expect, test } from 'vitest'
import { flattenCallTraces } from '../src/chain/followFetchBlock.js'
import type { BlockData } from '../src/chain/followTypes.js'
import { safeAbi } from '../src/safe/abi.js'
import { SAFE_STORAGE_SLOTS } from '../src/safe/storageSlots.js'
import { alertId } from '../src/watch/alertId.js'
import { detectApprovals } from '../src/watch/detectors/detectApprovals.js'
import { detectOutflows, listOutflows } from '../src/watch/detectors/detectOutflows.js'
import { detectSafeChanges, safeStateReads } from '../src/watch/detectors/detectSafeChanges.js'
import { detectSanctioned } from '../src/watch/detectors/detectSanctioned.js'
import {
  detectUnverifiedExecutions,
  safeExecutions,
} from '../src/watch/detectors/detectUnverifiedExecutions.js'
import { TOPICS } from '../src/watch/detectors/makeAlert.js'
import { runDetectors } from '../src/watch/detectors/runDetectors.js'
import { DETECTOR_NAMES, type WatchState } from '../src/watch/WatchState.js'

const SAFE = '0x1db92e2eebc8e0c075a02bea49a2935bcd2dfcf4'
const HOT = '0x00000000000000000000000000000000000000aa'
const EVIL = '0x47666fab8bd0ac7003bce3f5c3585383f09486e2'
const TOKEN = '0x00000000000000000000000000000000000000cc'
const topic = (address: string) => `0x${address.slice(2).padStart(64, '0')}`
const word = (n: bigint) => `0x${n.toString(16).padStart(64, '0')}`

function state(overrides: Partial<WatchState> = {}): WatchState {
  return {
    chainId: 1,
    watched: new Set([SAFE, HOT]),
    safes: new Map([[SAFE, { version: '1.1.1' as const }]]),
    knownSpenders: new Set(),
    flagged: new Map([[EVIL, 'FBI PSA I-022625']]),
    intents: [],
    receipts: new Map(),
    receiptsRequired: 1,
    trustedReceiptSigners: new Set(),
    enabled: Object.fromEntries(DETECTOR_NAMES.map((n) => [n, true])) as WatchState['enabled'],
    severity: Object.fromEntries(DETECTOR_NAMES.map((n) => [n, 'high'])) as WatchState['severity'],
    outflowMode: 'unapproved',
    now: 1_700_000_000_000,
    ...overrides,
  }
}

function block(overrides: Partial<BlockData> = {}): BlockData {
  return {
    chainId: 1,
    number: 21895238,
    hash: '0xbb00000000000000000000000000000000000000000000000000000000000001',
    parentHash: '0xbb00000000000000000000000000000000000000000000000000000000000000',
    timestamp: 1740147215,
    transactions: [],
    receipts: [],
    internalCalls: null,
    storage: {},
    parentStorage: {},
    balances: {},
    parentBalances: {},
    ...overrides,
  }
}

const tx = (
  hash: string,
  from: string,
  to: string | null,
  value: bigint,
  index = 0,
  input = '0x',
) => ({ hash, from, to, value, input, nonce: 0, index })
const receipt = (
  hash: string,
  logs: BlockData['receipts'][0]['logs'] = [],
  status: 'success' | 'reverted' = 'success',
) => ({
  transactionHash: hash,
  status,
  gasUsed: 21000n,
  effectiveGasPrice: 10n,
  logs,
})

describe('alertId', () => {
  test('is SHA-256 over chain, block hash, tx hash, detector and discriminator', () => {
    // Known answer from coreutils: printf '1\n0xab\n0xcd\noutflow\ntx:0' | sha256sum
    expect(
      alertId({
        chainId: 1,
        blockHash: '0xAB',
        txHash: '0xCD',
        detector: 'outflow',
        discriminator: 'tx:0',
      }),
    ).toBe('0x9bb233d3cfb9e9cc51c1f8554ca869c003afbbf165df117dce4d49bee2e52b82')
  })
  test('property: any field change changes the id', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.stringMatching(/^[0-9a-f]{1,64}$/),
        fc.string(),
        (chainId, h, d) => {
          const base = {
            chainId,
            blockHash: `0x${h}`,
            txHash: '0x01',
            detector: 'outflow',
            discriminator: d,
          }
          const id = alertId(base)
          expect(alertId({ ...base, chainId: chainId + 1 })).not.toBe(id)
          expect(alertId({ ...base, blockHash: `0x${h}0` })).not.toBe(id)
          expect(alertId({ ...base, discriminator: `${d}x` })).not.toBe(id)
          expect(alertId({ ...base, txHash: null })).not.toBe(id)
          expect(alertId(base)).toBe(id)
        },
      ),
    )
  })
})

describe('detectOutflows', () => {
  test('top-level ETH, ERC-20 and internal calls from watched addresses; reverted txs ignored', () => {
    const b = block({
      transactions: [
        tx('0x01', HOT, EVIL, 5n, 0),
        tx('0x02', HOT, EVIL, 7n, 1),
        tx('0x03', EVIL, HOT, 9n, 2),
      ],
      receipts: [
        receipt('0x01', [
          {
            address: TOKEN,
            topics: [TOPICS.transfer, topic(SAFE), topic(EVIL)],
            data: word(1000n),
            logIndex: 0,
            transactionHash: '0x01',
          },
        ]),
        receipt('0x02', [], 'reverted'),
        receipt('0x03'),
      ],
      internalCalls: [
        { txHash: '0x03', from: SAFE, to: EVIL, value: 42n, callType: 'call', depth: 1 },
        { txHash: '0x03', from: SAFE, to: EVIL, value: 0n, callType: 'call', depth: 1 },
        { txHash: '0x03', from: SAFE, to: EVIL, value: 3n, callType: 'delegatecall', depth: 2 },
      ],
    })
    expect(
      listOutflows(b, state().watched).map((o) => [o.via, o.from, o.to, o.token, o.amount]),
    ).toEqual([
      ['tx', HOT, EVIL, null, 5n],
      ['internal', SAFE, EVIL, null, 42n],
      ['erc20', SAFE, EVIL, TOKEN, 1000n],
    ])
    const alerts = detectOutflows(b, state())
    expect(alerts.map((a) => a.details.via)).toEqual(['tx', 'internal', 'erc20'])
    expect(alerts[0]!.id).toBe(
      alertId({
        chainId: 1,
        blockHash: b.hash,
        txHash: '0x01',
        detector: 'outflow',
        discriminator: 'tx:0',
      }),
    )
  })

  test('without traces, an unexplained balance drop is an internal outflow', () => {
    const b = block({
      transactions: [tx('0x01', HOT, EVIL, 5n)],
      receipts: [receipt('0x01')],
      balances: { [HOT]: 1000n - 5n - 210000n, [SAFE]: 0n },
      parentBalances: { [HOT]: 1000n, [SAFE]: 401_346n },
    })
    expect(listOutflows(b, state().watched).map((o) => [o.via, o.from, o.amount])).toEqual([
      ['tx', HOT, 5n],
      ['balance', SAFE, 401_346n],
    ])
  })

  test('an open intent covering destination, token, amount and time suppresses the alert', () => {
    const b = block({ transactions: [tx('0x01', HOT, EVIL, 5n)], receipts: [receipt('0x01')] })
    const intent = {
      id: 'i',
      chainId: 1,
      from: HOT,
      to: EVIL,
      token: null,
      maxAmount: '5',
      validFrom: 0,
      validUntil: b.timestamp,
      state: 'open' as const,
    }
    expect(detectOutflows(b, state({ intents: [intent] }))).toEqual([])
    expect(detectOutflows(b, state({ intents: [{ ...intent, maxAmount: '4' }] }))).toHaveLength(1)
    expect(
      detectOutflows(b, state({ intents: [{ ...intent, validUntil: b.timestamp - 1 }] })),
    ).toHaveLength(1)
    expect(detectOutflows(b, state({ intents: [{ ...intent, token: TOKEN }] }))).toHaveLength(1)
    expect(detectOutflows(b, state({ intents: [{ ...intent, state: 'cancelled' }] }))).toHaveLength(
      1,
    )
    const all = detectOutflows(b, state({ intents: [intent], outflowMode: 'all' }))
    expect(all.map((a) => a.details.intent)).toEqual(['i'])
  })
})

describe('detectSafeChanges', () => {
  const impl = SAFE_STORAGE_SLOTS.singleton.toLowerCase()
  const singleton = topic('0x34cfac646f301356faa8b21e94227e3583fe3f5f')
  const backdoor = topic('0xbdd077f651ebe7f7b3ce16fe5f2b025be2969516')
  test('the Bybit slot-0 overwrite (no event) is seen by storage reads', () => {
    const reads = safeStateReads([SAFE])
    expect(reads.slots.map((s) => s.slot)).toContain(impl)
    const storage = Object.fromEntries(reads.slots.map((s) => [s.slot, word(0n)]))
    const b = block({
      transactions: [tx('0x46de', '0x0fa09c3a328792253f8dee7116848723b72a6d2e', SAFE, 0n)],
      receipts: [receipt('0x46de')],
      parentStorage: { [SAFE]: { ...storage, [impl]: singleton } },
      storage: { [SAFE]: { ...storage, [impl]: backdoor } },
    })
    const alerts = detectSafeChanges(b, state())
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({
      txHash: '0x46de',
      detector: 'safe-config',
      details: { field: 'implementation', before: singleton, after: backdoor, source: 'storage' },
    })
    expect(alerts[0]!.title).toBe(
      `Safe ${SAFE}: implementation changed from 0x34cfac646f301356faa8b21e94227e3583fe3f5f to 0xbdd077f651ebe7f7b3ce16fe5f2b025be2969516`,
    )
  })
  test('events cover owner swaps the storage heads cannot see, once per field', () => {
    const added = toEventSelector('AddedOwner(address)')
    const removed = toEventSelector('RemovedOwner(address)')
    const b = block({
      receipts: [
        receipt('0x01', [
          {
            address: SAFE,
            topics: [removed],
            data: topic(HOT),
            logIndex: 0,
            transactionHash: '0x01',
          },
          {
            address: SAFE,
            topics: [added],
            data: topic(EVIL),
            logIndex: 1,
            transactionHash: '0x01',
          },
        ]),
      ],
    })
    expect(detectSafeChanges(b, state()).map((a) => [a.details.field, a.details.source])).toEqual([
      ['owners', 'event'],
    ])
  })
})

describe('detectApprovals and detectSanctioned', () => {
  test('approval to an unknown spender alerts; known spender, revocation and other owners do not', () => {
    const log = (owner: string, spender: string, amount: bigint, i: number) => ({
      address: TOKEN,
      topics: [TOPICS.approval, topic(owner), topic(spender)],
      data: word(amount),
      logIndex: i,
      transactionHash: '0x01',
    })
    const b = block({
      receipts: [
        receipt('0x01', [
          log(SAFE, EVIL, 1n, 0),
          log(SAFE, HOT, 5n, 1),
          log(SAFE, EVIL, 0n, 2),
          log(EVIL, SAFE, 9n, 3),
        ]),
      ],
    })
    const alerts = detectApprovals(b, state({ knownSpenders: new Set([HOT]) }))
    expect(alerts.map((a) => [a.details.owner, a.details.spender, a.details.amount])).toEqual([
      [SAFE, EVIL, '1'],
    ])
  })
  test('any interaction of a watched address with a flagged one', () => {
    const b = block({
      transactions: [
        tx('0x01', HOT, EVIL, 0n),
        tx('0x02', EVIL, '0x00000000000000000000000000000000000000ff', 1n, 1),
      ],
      receipts: [
        receipt('0x01'),
        receipt('0x02', [
          {
            address: TOKEN,
            topics: [TOPICS.transfer, topic(EVIL), topic(SAFE)],
            data: word(3n),
            logIndex: 0,
            transactionHash: '0x02',
          },
        ]),
      ],
    })
    expect(
      detectSanctioned(b, state()).map((a) => [a.txHash, a.details.watched, a.details.where]),
    ).toEqual([
      ['0x01', HOT, 'transaction'],
      ['0x02', SAFE, 'token transfer'],
    ])
  })
})

describe('detectUnverifiedExecutions', () => {
  const BYBIT_SAFE_TX_HASH = '0xb3476d061aeb8fc1d605a873c483a2402d88a68a9cdd1a8b47655dd55ba004f8'
  // Public facts from shared/data/README.md: the Bybit SafeTx (nonce 71) and its signatures.
  const bybitCalldata = encodeFunctionData({
    abi: safeAbi,
    functionName: 'execTransaction',
    args: [
      '0x96221423681A6d52E184D440a8eFCEbB105C7242',
      0n,
      '0xa9059cbb000000000000000000000000bdd077f651ebe7f7b3ce16fe5f2b025be29695160000000000000000000000000000000000000000000000000000000000000000',
      1,
      45746n,
      0n,
      0n,
      '0x0000000000000000000000000000000000000000',
      '0x0000000000000000000000000000000000000000',
      '0x',
    ],
  })
  const execBlock = (logs: BlockData['receipts'][0]['logs']) =>
    block({
      transactions: [
        tx('0x46de', '0x0fa09c3a328792253f8dee7116848723b72a6d2e', SAFE, 0n, 0, bybitCalldata),
      ],
      receipts: [receipt('0x46de', logs)],
      parentStorage: { [SAFE]: { [SAFE_STORAGE_SLOTS.nonce.toLowerCase()]: word(71n) } },
    })

  test('pre-1.3.0 without the event: the safeTxHash is recomputed from calldata (Bybit nonce 71)', () => {
    expect(safeExecutions(execBlock([]), state().safes)).toEqual([
      {
        safe: SAFE,
        safeTxHash: BYBIT_SAFE_TX_HASH,
        txHash: '0x46de',
        success: true,
        source: 'calldata',
      },
    ])
  })
  test('from the ExecutionSuccess event data', () => {
    const log = {
      address: SAFE,
      topics: [toEventSelector('ExecutionSuccess(bytes32,uint256)')],
      data: encodeAbiParameters(
        [{ type: 'bytes32' }, { type: 'uint256' }],
        [BYBIT_SAFE_TX_HASH, 0n],
      ),
      logIndex: 0,
      transactionHash: '0x46de',
    }
    expect(
      safeExecutions(execBlock([log]), state().safes).map((e) => [e.safeTxHash, e.source]),
    ).toEqual([[BYBIT_SAFE_TX_HASH, 'event']])
  })
  test('fewer than k receipts, or a block verdict, alerts; k passing receipts do not', () => {
    const b = execBlock([])
    const r = (signer: string, verdict: 'pass' | 'block') => ({
      safeTxHash: BYBIT_SAFE_TX_HASH,
      signer,
      verdict,
      time: 0,
      document: {},
    })
    expect(detectUnverifiedExecutions(b, state({ receiptsRequired: 2 }))[0]?.details).toMatchObject(
      { receipts: 0, required: 2 },
    )
    expect(
      detectUnverifiedExecutions(
        b,
        state({
          receiptsRequired: 2,
          receipts: new Map([[BYBIT_SAFE_TX_HASH, [r('0xa', 'pass'), r('0xb', 'pass')]]]),
        }),
      ),
    ).toEqual([])
    expect(
      detectUnverifiedExecutions(
        b,
        state({
          receiptsRequired: 1,
          receipts: new Map([[BYBIT_SAFE_TX_HASH, [r('0xa', 'pass'), r('0xb', 'block')]]]),
        }),
      )[0]?.details,
    ).toMatchObject({ blockedBy: ['0xb'] })
    // Receipts from untrusted signers do not count.
    expect(
      detectUnverifiedExecutions(
        b,
        state({
          trustedReceiptSigners: new Set(['0xc']),
          receipts: new Map([[BYBIT_SAFE_TX_HASH, [r('0xa', 'pass')]]]),
        }),
      ),
    ).toHaveLength(1)
  })
})

describe('runDetectors', () => {
  test('property: pure and deterministic; ids unique', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 20n }), { maxLength: 20 }),
        (values) => {
          const b = block({
            transactions: values.map((v, i) =>
              tx(
                `0x${i.toString(16).padStart(64, '0')}`,
                i % 2 ? HOT : EVIL,
                i % 3 ? EVIL : HOT,
                v,
                i,
              ),
            ),
            receipts: values.map((_, i) => receipt(`0x${i.toString(16).padStart(64, '0')}`)),
          })
          const first = runDetectors(b, state())
          expect(runDetectors(b, state())).toEqual(first)
          expect(new Set(first.map((a) => a.id)).size).toBe(first.length)
        },
      ),
      { numRuns: 50 },
    )
  })
})

describe('flattenCallTraces', () => {
  test('geth callTracer frames: internal calls with value, reverted subtrees dropped', () => {
    const frame = {
      type: 'CALL',
      from: SAFE,
      to: HOT,
      value: '0x0',
      calls: [
        { type: 'CALL', from: HOT, to: EVIL, value: '0x2a' },
        {
          type: 'DELEGATECALL',
          from: HOT,
          to: TOKEN,
          calls: [{ type: 'CALL', from: HOT, to: EVIL, value: '0x1' }],
        },
        {
          type: 'CALL',
          from: HOT,
          to: EVIL,
          value: '0x5',
          error: 'execution reverted',
          calls: [{ type: 'CALL', from: EVIL, to: HOT, value: '0x9' }],
        },
      ],
    }
    expect(
      flattenCallTraces([{ txHash: '0x01', frame }]).map((c) => [
        c.callType,
        c.to,
        c.value,
        c.depth,
      ]),
    ).toEqual([
      ['call', EVIL, 42n, 1],
      ['delegatecall', TOKEN, 0n, 1],
      ['call', EVIL, 1n, 2],
    ])
  })
})
