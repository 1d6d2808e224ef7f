import type { SafeContext, SafeTx } from '../safe/types.js'
import type { Finding } from '../verify/Verdict.js'
import { createHttpRpcClient } from './createHttpRpcClient.js'
import type { RpcClient } from './RpcClient.js'
import { simulateSafeTx } from './simulateSafeTx.js'
import { type SimulationJson, simulationToJson } from './simulateToJson.js'
import { simulationFindings } from './simulationFindings.js'

export type SimulateForVerdictOptions = {
  /** Fork state after this block. Default 'latest'. */
  blockNumber?: bigint | 'latest'
  /** Per RPC call. Default 10,000 ms. */
  timeoutMs?: number
  /**
   * Reuse fork state fetched earlier for the same URL and block hash (default true). Pass false
   * on a devnet after cheat methods (hardhat_setStorageAt…) that change state without a block.
   */
  cache?: boolean
}

// One client per URL and timeout, so repeated verifications of the same block (a server, the
// web UI) reuse the fork's cached state instead of fetching it again.
const clients = new Map<string, RpcClient>()
const CLIENTS_KEPT = 8

/**
 * The one call `heistguard verify --rpc URL --simulate` needs: simulates the SafeTx on a fork of
 * `rpcUrl` and returns the simulation as JSON data plus its findings for the Verdict. Errors
 * (unreachable or wrong RPC, missing block, not a Safe) are BaseErrors with a stable code; a
 * risky or reverting transaction is findings, never an error.
 *
 * @example
 * const { simulation, findings } = await simulateForVerdict('http://127.0.0.1:8545', context, tx)
 * findings.some((f) => f.effect === 'block')
 */
export async function simulateForVerdict(
  rpcUrl: string,
  context: SafeContext,
  tx: SafeTx,
  options: SimulateForVerdictOptions = {},
): Promise<{ simulation: SimulationJson; findings: Finding[] }> {
  const timeoutMs = options.timeoutMs ?? 10_000
  const key = `${timeoutMs} ${rpcUrl}`
  let client = clients.get(key)
  if (client === undefined) {
    client = createHttpRpcClient(rpcUrl, { timeoutMs })
    clients.set(key, client)
    while (clients.size > CLIENTS_KEPT) clients.delete(clients.keys().next().value!)
  }
  const simulation = await simulateSafeTx(client, {
    safe: context.safe,
    tx,
    version: context.version,
    chainId: context.chainId,
    blockNumber: options.blockNumber ?? 'latest',
    ...(options.cache === undefined ? {} : { cache: options.cache }),
  })
  return { simulation: simulationToJson(simulation), findings: simulationFindings(simulation) }
}
