import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  BYBIT,
  BYBIT_GENESIS_DATE,
  type BybitTheftResult,
  executeBybitTheft,
  setupBybit,
} from '../src/devnet/scenarios/bybit.js'
import { bybitDevnetLabels } from '../src/devnet/scenarios/bybitLabels.js'
import { type BybitGroundTruth, launderBybit } from '../src/devnet/scenarios/launderBybit.js'
import { type Devnet, startDevnet } from '../src/devnet/startDevnet.js'
import { createDuckDbTransferStore } from '../src/store/duckdb/createDuckDbTransferStore.js'
import type { TransferStore } from '../src/store/TransferStore.js'
import { createRpcIngestClient, ingestBlockRange } from '../src/trace/ingest/ingestRpc.js'
import type { TraceReport } from '../src/trace/report.js'
import { traceCase } from '../src/trace/traceCase.js'

// The Bybit replay on a real local EVM (hardhat/EDR with real Safe v1.1.1 bytecode, real Uniswap V2
// builds): ingest the chain over JSON-RPC (internal ETH transfers rebuilt from struct logs, since
// EDR has no callTracer), trace from the sweep transactions of the theft, and compare with the
// scenario's own ground truth (src/devnet/scenarios/launderBybit.ts).
describe('trace the Bybit devnet laundering from its theft', () => {
  let devnet: Devnet
  let store: TransferStore
  let theft: BybitTheftResult
  let truth: BybitGroundTruth
  let report: TraceReport
  beforeAll(async () => {
    devnet = await startDevnet({ initialDate: BYBIT_GENESIS_DATE, accounts: 2 })
    await setupBybit(devnet)
    theft = await executeBybitTheft(devnet)
    truth = await launderBybit(devnet, { seed: 1, theft })
    const head = Number(BigInt((await devnet.request('eth_blockNumber')) as string))
    store = await createDuckDbTransferStore(':memory:')
    const ingested = await ingestBlockRange(createRpcIngestClient(devnet.url), store, {
      fromBlock: Number(theft.execBlock),
      toBlock: head,
    })
    expect(ingested.internalTraces).toBe(true)
    const labels = await bybitDevnetLabels(devnet, truth)
    const heists = [
      {
        id: 'bybit',
        thefts: Object.values(theft.sweepTransactionHashes).map((h) => h.toLowerCase()),
        sources: [],
      },
    ]
    report = (await traceCase(store, { policy: 'tiho', heists, labels })).report
  }, 240_000)
  afterAll(async () => {
    await store?.close()
    await devnet?.stop()
  })
  const close = (a: string | undefined, b: string) => {
    const x = Number(a ?? 0)
    const y = Number(b)
    expect(Math.abs(x - y) / Math.max(y, 1)).toBeLessThan(1e-9)
  }

  test('stolen amounts are what left the Safe', () => {
    close(report.stolen['bybit']?.['ETH'], theft.stolen.eth.toString())
    close(report.stolen['bybit']?.[BYBIT.tokens.stETH.toLowerCase()], theft.stolen.stETH.toString())
    expect(report.conservation.ok).toBe(true)
  })

  test('every THORChain bridge exit carries its amount and memo', () => {
    expect(truth.exits.bridge.length).toBeGreaterThan(0)
    for (const exit of truth.exits.bridge) {
      const ours = report.exits.filter((e) => e.tx === exit.txHash.toLowerCase())
      expect(ours.length, exit.txHash).toBe(1)
      expect(ours[0]!.category).toBe('bridge')
      expect(ours[0]!.memo).toBe(exit.memo)
      close(ours[0]!.tainted['bybit'], exit.amount)
    }
  })

  test('the exchange deposit is a freezable point naming the exchange and deposit address', () => {
    for (const exit of truth.exits.exchange) {
      const f = report.freezable.find(
        (x) =>
          x.kind === 'exchange' &&
          x.tx === exit.txHash.toLowerCase() &&
          x.depositAddress === exit.depositAddress.toLowerCase(),
      )
      expect(f, exit.depositAddress).toBeDefined()
      if (f?.kind === 'exchange') {
        expect(f.exchange).toBe('devnet exchange')
        close(f.tainted['bybit'], exit.amount)
      }
    }
  })

  test('tranche wallets and the DEX output hold what the ground truth says', () => {
    let checked = 0
    for (const [address, held] of Object.entries(truth.holdings)) {
      if (!held.ETH || BigInt(held.ETH) < 10n ** 18n) continue
      const ours = report.holders.find(
        (h) => h.address === address.toLowerCase() && h.token === 'ETH',
      )
      close(ours?.tainted['bybit'], held.ETH)
      checked++
    }
    expect(checked).toBeGreaterThan(0)
    // The swap proceeds wallet got its ETH only through the DEX conversion.
    const proceeds = truth.transfers.filter(
      (t) =>
        t.step === 'split' && t.from.toLowerCase() === '0xdd90071d52f20e85c89802e5dc1ec0a7b6475f92',
    )
    for (const p of proceeds) {
      const holder = report.holders.find(
        (h) => h.address === p.to.toLowerCase() && h.token === 'ETH',
      )
      const exit = report.exits.find((e) => e.from === p.to.toLowerCase())
      expect(holder ?? exit, p.to).toBeDefined()
    }
  })
})
