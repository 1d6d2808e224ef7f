import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { BYBIT_GENESIS_DATE, setupBybit } from '../src/devnet/scenarios/bybit.js'
import { type Devnet, startDevnet } from '../src/devnet/startDevnet.js'
import { createApp } from '../src/server/createApp.js'
import { createVerifier } from '../src/server/createVerifier.js'
import { openSqliteServerStore } from '../src/server/openSqliteServerStore.js'
import { openSqliteStateStore } from '../src/store/sqlite/openSqliteStateStore.js'

// POST /api/verify with simulation on a fork of the devnet running the Bybit scenario (real Safe
// 1.1.1 bytecode at the real address, nonce 71): the Verdict carries the simulation and its
// findings, as `heistguard verify --rpc --simulate` does.
const bybit = JSON.parse(
  readFileSync(new URL('../web/src/examples/bybit.json', import.meta.url), 'utf8'),
)
let devnet: Devnet
beforeAll(async () => {
  devnet = await startDevnet({ initialDate: BYBIT_GENESIS_DATE, accounts: 2, chainId: 1 })
  await setupBybit(devnet)
})
afterAll(async () => {
  await devnet?.stop()
})

describe('POST /api/verify with --simulate-rpc', () => {
  test('the Bybit SafeTx: simulation present, slot 0 written, verdict block', async () => {
    const state = openSqliteStateStore(':memory:')
    const server = openSqliteServerStore(':memory:')
    const { app } = createApp({
      state,
      server,
      verify: createVerifier({ simulateRpcUrl: devnet.url, simulationCache: false }),
    })
    const r = await app.request('/api/verify', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(bybit),
    })
    expect(r.status).toBe(200)
    const verdict = await r.json()
    expect(verdict.verdict).toBe('block')
    expect(verdict.simulation).toBeDefined()
    expect(JSON.stringify(verdict.simulation).toLowerCase()).toContain(
      'bdd077f651ebe7f7b3ce16fe5f2b025be2969516',
    )
    const rules = verdict.findings.map((f: { rule: string }) => f.rule)
    expect(rules).toContain('delegatecall-not-allowlisted')
    expect(rules).toContain('simulation-implementation-changed')
    const slot0 = verdict.simulation.storageWrites.find(
      (w: { name: string }) => w.name === 'implementation',
    )
    expect(slot0.before.slice(-40)).toBe('34cfac646f301356faa8b21e94227e3583fe3f5f')
    expect(slot0.after.slice(-40)).toBe('bdd077f651ebe7f7b3ce16fe5f2b025be2969516')
    await state.close()
    await server.close()
  })
})
