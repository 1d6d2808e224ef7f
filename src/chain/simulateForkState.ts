import { keccak256 } from 'viem'
import { BaseError } from '../core/BaseError.js'
import type { Address, Hex } from '../core/hex.js'
import { isMethodUnsupported, type RpcClient } from './RpcClient.js'

/** An account as the forked chain has it at the fork block (never modified by a simulation). */
export type ForkAccount = {
  nonce: bigint
  balance: bigint
  /** keccak256 of the runtime code; the empty-code hash for EOAs and missing accounts. */
  codeHash: Hex
  /** The account's storage root, or the empty-trie root when the node did not say. */
  storageRoot: Hex
  /** No nonce, no balance, no code: EIP-161 "empty", the EVM treats it as absent. */
  empty: boolean
}

/**
 * Read-only, read-through cache of one block's state, fetched lazily over standard JSON-RPC
 * (`eth_getProof`, `eth_getCode`, `eth_getStorageAt`; `eth_getBalance` and
 * `eth_getTransactionCount` where a node lacks `eth_getProof`). Simulations write to their own
 * overlay above it, so everything here is the chain's real value at `blockNumber`: the "before"
 * of every diff. Reusing one ForkState across simulations of the same block is what makes them
 * warm.
 */
export type ForkState = {
  client: RpcClient
  blockNumber: bigint
  blockHash: Hex
  getAccount(address: Address): Promise<ForkAccount>
  getCode(address: Address): Promise<Uint8Array>
  /** The 32-byte slot value without leading zero bytes (empty for zero), as the EVM stores it. */
  getStorage(address: Address, slot: Hex): Promise<Uint8Array>
  /** How many JSON-RPC calls this fork made so far (for benchmarks and tests). */
  rpcCalls(): number
}

export const EMPTY_CODE_HASH: Hex =
  '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470'
export const EMPTY_TRIE_ROOT: Hex =
  '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421'
const ZERO_HASH: Hex = `0x${'0'.repeat(64)}`

/**
 * Creates the lazily-filled state of `blockNumber`. Nothing is fetched until the EVM asks.
 *
 * @example
 * const fork = createForkState(client, { blockNumber: 21895237n, blockHash })
 * (await fork.getAccount('0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4')).balance
 */
export function createForkState(
  client: RpcClient,
  params: { blockNumber: bigint; blockHash: Hex },
): ForkState {
  const tag = `0x${params.blockNumber.toString(16)}`
  const accounts = new Map<string, Promise<ForkAccount>>()
  const codes = new Map<string, Promise<Uint8Array>>()
  const storage = new Map<string, Promise<Uint8Array>>()
  let calls = 0
  // Set once a node answers "method not found" to eth_getProof; later accounts skip the attempt.
  let proofUnsupported = false

  const rpc = (method: string, rpcParams: unknown[]) => {
    calls++
    return client.request(method, rpcParams)
  }

  // Failed fetches leave the cache so that a later simulation retries instead of reusing an error.
  function cached<T>(
    map: Map<string, Promise<T>>,
    key: string,
    load: () => Promise<T>,
  ): Promise<T> {
    let hit = map.get(key)
    if (hit === undefined) {
      hit = load()
      map.set(key, hit)
      hit.catch(() => map.delete(key))
    }
    return hit
  }

  async function loadAccount(address: string): Promise<ForkAccount> {
    if (!proofUnsupported) {
      try {
        const proof = (await rpc('eth_getProof', [address, [], tag])) as {
          nonce?: string
          balance?: string
          codeHash?: string
          storageHash?: string
        } | null
        if (proof === null || typeof proof !== 'object')
          throw badAnswer('eth_getProof', address, 'no proof object')
        const nonce = quantity(proof.nonce, 'eth_getProof', address)
        const balance = quantity(proof.balance, 'eth_getProof', address)
        // Some nodes answer a zero hash for a missing account instead of the empty-code hash.
        const codeHash =
          proof.codeHash === undefined || proof.codeHash === ZERO_HASH
            ? EMPTY_CODE_HASH
            : (proof.codeHash.toLowerCase() as Hex)
        const storageRoot =
          proof.storageHash === undefined || proof.storageHash === ZERO_HASH
            ? EMPTY_TRIE_ROOT
            : (proof.storageHash.toLowerCase() as Hex)
        return {
          nonce,
          balance,
          codeHash,
          storageRoot,
          empty: nonce === 0n && balance === 0n && codeHash === EMPTY_CODE_HASH,
        }
      } catch (error) {
        if (!isMethodUnsupported(error)) throw error
        proofUnsupported = true
      }
    }
    const [balanceHex, nonceHex, code] = await Promise.all([
      rpc('eth_getBalance', [address, tag]),
      rpc('eth_getTransactionCount', [address, tag]),
      getCode(address as Address),
    ])
    const nonce = quantity(nonceHex, 'eth_getTransactionCount', address)
    const balance = quantity(balanceHex, 'eth_getBalance', address)
    const codeHash = code.length === 0 ? EMPTY_CODE_HASH : keccak256(code)
    return {
      nonce,
      balance,
      codeHash,
      storageRoot: EMPTY_TRIE_ROOT,
      empty: nonce === 0n && balance === 0n && code.length === 0,
    }
  }

  function getCode(address: Address): Promise<Uint8Array> {
    const key = address.toLowerCase()
    return cached(codes, key, async () => {
      const code = await rpc('eth_getCode', [key, tag])
      return hexBytes(code, 'eth_getCode', key)
    })
  }

  return {
    client,
    blockNumber: params.blockNumber,
    blockHash: params.blockHash,
    getAccount(address) {
      const key = address.toLowerCase()
      return cached(accounts, key, () => loadAccount(key))
    },
    async getCode(address) {
      const key = address.toLowerCase()
      // A known empty-code account needs no eth_getCode round trip.
      const account = accounts.get(key)
      if (account !== undefined && (await account).codeHash === EMPTY_CODE_HASH)
        return new Uint8Array(0)
      return getCode(key as Address)
    },
    getStorage(address, slot) {
      const addressKey = address.toLowerCase()
      const slotKey = slot.toLowerCase()
      return cached(storage, `${addressKey}:${slotKey}`, async () => {
        const value = await rpc('eth_getStorageAt', [addressKey, slotKey, tag])
        return stripLeadingZeros(hexBytes(value, 'eth_getStorageAt', addressKey))
      })
    },
    rpcCalls: () => calls,
  }
}

function quantity(value: unknown, method: string, address: string): bigint {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(value))
    throw badAnswer(method, address, 'not a hex quantity')
  return BigInt(value)
}

function hexBytes(value: unknown, method: string, address: string): Uint8Array {
  if (typeof value !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(value))
    throw badAnswer(method, address, 'not hex data')
  return Buffer.from(value.slice(2), 'hex')
}

function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let start = 0
  while (start < bytes.length && bytes[start] === 0) start++
  return bytes.subarray(start)
}

function badAnswer(method: string, address: string, what: string): BaseError {
  return new BaseError(`${method} for ${address}: ${what}`, { code: 'RPC_BAD_RESPONSE' })
}
