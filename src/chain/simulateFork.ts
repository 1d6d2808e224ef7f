import { type Block, createBlock } from '@ethereumjs/block'
import { Common, createCustomCommon, Mainnet } from '@ethereumjs/common'
import { createVM, type VM } from '@ethereumjs/vm'
import { InputError } from '../core/BaseError.js'
import type { Address, Hex } from '../core/hex.js'
import type { RpcClient } from './RpcClient.js'
import { createForkState, type ForkState } from './simulateForkState.js'
import {
  createSimulationStateManager,
  type SimulationStateManager,
} from './simulateStateManager.js'

/** The header fields of `eth_getBlockByNumber` the simulation uses. */
export type ForkHeader = {
  number: bigint
  hash: Hex
  timestamp: bigint
  gasLimit: bigint
  baseFeePerGas: bigint | null
  miner: Address
  mixHash: Hex
  excessBlobGas: bigint | null
  hardfork: string
}

/** A VM over the state of one block, reusable by successive simulations of that block. */
export type Fork = {
  client: RpcClient
  chainId: bigint
  header: ForkHeader
  /** The block the simulated transaction runs in: the one after `header`, 12 s later. */
  block: Block
  common: Common
  fork: ForkState
  state: SimulationStateManager
  vm: VM
  /** Runs `task` alone on this fork: the VM and its layers are shared. */
  exclusive<T>(task: () => Promise<T>): Promise<T>
  /**
   * Results that depend only on the fork's (immutable) state, e.g. a view call's answer; each
   * view call re-analyses the contract's whole code in the EVM, so repeating them costs.
   */
  memo<T>(key: string, compute: () => Promise<T>): Promise<T>
}

export type OpenForkParameters = {
  blockNumber?: bigint | 'latest'
  /** Reuse the fork (and its cached state) last opened on this client at the same block hash. Default true. */
  cache?: boolean
}

// Per client: chain id (a client's chain never changes) and the forks of the last few blocks.
const chainIds = new WeakMap<RpcClient, Promise<bigint>>()
const forks = new WeakMap<RpcClient, Map<Hex, Promise<Fork>>>()
const FORKS_KEPT_PER_CLIENT = 2

/**
 * Opens (or reuses) a fork of `blockNumber` on `client`: one `eth_chainId` per client, one
 * `eth_getBlockByNumber` per call, and then state only as the EVM asks for it.
 *
 * @example
 * const fork = await openFork(client, { blockNumber: 'latest' })
 * fork.header.number // 21895237n
 */
export async function openFork(
  client: RpcClient,
  parameters: OpenForkParameters = {},
): Promise<Fork> {
  const tag = parameters.blockNumber ?? 'latest'
  if (typeof tag === 'bigint' && tag < 0n)
    throw new InputError('block number must not be negative', {
      code: 'INVALID_BLOCK',
      field: '--block',
    })
  const chainId = await cachedChainId(client)
  const raw = await client.request('eth_getBlockByNumber', [
    tag === 'latest' ? 'latest' : `0x${tag.toString(16)}`,
    false,
  ])
  if (raw === null || raw === undefined)
    throw new InputError(`block ${tag} does not exist on this chain (yet)`, {
      code: 'BLOCK_NOT_FOUND',
      field: '--block',
    })
  const header = parseHeader(raw)

  const useCache = parameters.cache !== false
  let perClient = forks.get(client)
  if (useCache) {
    const hit = perClient?.get(header.hash)
    if (hit) return hit
  }
  const opened = createFork(client, chainId, header)
  if (useCache) {
    if (perClient === undefined) {
      perClient = new Map()
      forks.set(client, perClient)
    }
    perClient.set(header.hash, opened)
    opened.catch(() => perClient?.delete(header.hash))
    while (perClient.size > FORKS_KEPT_PER_CLIENT) perClient.delete(perClient.keys().next().value!)
  }
  return opened
}

function cachedChainId(client: RpcClient): Promise<bigint> {
  let hit = chainIds.get(client)
  if (hit === undefined) {
    hit = client.request('eth_chainId', []).then((value) => {
      if (typeof value !== 'string' || !/^0x[0-9a-fA-F]+$/.test(value))
        throw new InputError('eth_chainId did not answer a hex quantity', {
          code: 'RPC_BAD_RESPONSE',
          field: '--rpc',
        })
      return BigInt(value)
    })
    chainIds.set(client, hit)
    hit.catch(() => chainIds.delete(client))
  }
  return hit
}

async function createFork(client: RpcClient, chainId: bigint, header: ForkHeader): Promise<Fork> {
  const common = commonFor(chainId, header)
  const fork = createForkState(client, { blockNumber: header.number, blockHash: header.hash })
  const state = createSimulationStateManager(fork)
  const vm = await createVM({ common, stateManager: state })
  const block = createBlock(
    {
      header: {
        number: header.number + 1n,
        timestamp: header.timestamp + 12n,
        gasLimit: header.gasLimit,
        coinbase: header.miner,
        ...(header.baseFeePerGas === null ? {} : { baseFeePerGas: header.baseFeePerGas }),
        ...(header.excessBlobGas === null ? {} : { excessBlobGas: header.excessBlobGas }),
        mixHash: header.mixHash,
      },
    },
    { common, setHardfork: false },
  )
  let queue: Promise<unknown> = Promise.resolve()
  const memos = new Map<string, Promise<unknown>>()
  return {
    client,
    chainId,
    header,
    block,
    common,
    fork,
    state,
    vm,
    exclusive(task) {
      const run = queue.then(task, task)
      queue = run.catch(() => {})
      return run
    },
    memo<T>(key: string, compute: () => Promise<T>): Promise<T> {
      let hit = memos.get(key) as Promise<T> | undefined
      if (hit === undefined) {
        hit = compute()
        memos.set(key, hit)
        hit.catch(() => memos.delete(key))
      }
      return hit
    },
  }
}

/**
 * Mainnet follows its real schedule; for any other chain the header tells the
 * era: requestsHash (Prague), parentBeaconBlockRoot (Cancun), withdrawals (Shanghai),
 * baseFeePerGas (London), else Berlin.
 */
function commonFor(chainId: bigint, header: ForkHeader): Common {
  if (chainId === 1n) {
    const common = new Common({ chain: Mainnet })
    try {
      common.setHardforkBy({ blockNumber: header.number + 1n, timestamp: header.timestamp + 12n })
      return common
    } catch {
      // A local chain that calls itself 1 (a replay devnet): block numbers and timestamps do not
      // follow mainnet's schedule, so read the era from the header like any other chain.
    }
  }
  return createCustomCommon({ chainId: Number(chainId) }, Mainnet, { hardfork: header.hardfork })
}

function parseHeader(raw: unknown): ForkHeader {
  const block = raw as Record<string, unknown>
  const quantity = (key: string): bigint => {
    const value = block[key]
    if (typeof value !== 'string' || !/^0x[0-9a-fA-F]+$/.test(value))
      throw new InputError(`eth_getBlockByNumber: field ${key} is not a hex quantity`, {
        code: 'RPC_BAD_RESPONSE',
        field: '--rpc',
      })
    return BigInt(value)
  }
  const optional = (key: string) =>
    block[key] === undefined || block[key] === null ? null : quantity(key)
  const hex = (key: string, fallback: Hex): Hex =>
    typeof block[key] === 'string' ? ((block[key] as string).toLowerCase() as Hex) : fallback
  const zero32: Hex = `0x${'0'.repeat(64)}`
  const hardfork =
    block['requestsHash'] !== undefined
      ? 'prague'
      : block['parentBeaconBlockRoot'] !== undefined
        ? 'cancun'
        : block['withdrawalsRoot'] !== undefined
          ? 'shanghai'
          : block['baseFeePerGas'] !== undefined
            ? 'london'
            : 'berlin'
  return {
    number: quantity('number'),
    hash: hex('hash', zero32),
    timestamp: quantity('timestamp'),
    gasLimit: quantity('gasLimit'),
    baseFeePerGas: optional('baseFeePerGas'),
    miner: hex('miner', `0x${'0'.repeat(40)}`),
    mixHash: hex('mixHash', zero32),
    excessBlobGas: optional('excessBlobGas'),
    hardfork,
  }
}
