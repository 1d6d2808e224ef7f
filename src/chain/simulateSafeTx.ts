import type { Block } from '@ethereumjs/block'
import { createLegacyTx } from '@ethereumjs/tx'
import { Account, createAddressFromString } from '@ethereumjs/util'
import { runTx, type VM } from '@ethereumjs/vm'
import {
  bytesToHex,
  concat,
  decodeFunctionResult,
  encodeFunctionData,
  erc20Abi,
  getAddress,
  hexToBytes,
  keccak256,
  numberToHex,
  pad,
  parseAbi,
  stringToHex,
} from 'viem'
import { BaseError, InputError } from '../core/BaseError.js'
import type { Address, Hex } from '../core/hex.js'
import { checkAddressField, checkBytesField, checkUint256Field } from '../safe/checkSafeFields.js'
import { encodeExecTransaction, encodeGetTransactionHash } from '../safe/encodeSafeCalls.js'
import {
  approvedHashesSlot,
  ownersSlot,
  SAFE_STORAGE_SLOTS,
  SENTINEL,
} from '../safe/storageSlots.js'
import type { SafeTx, SafeVersion } from '../safe/types.js'
import { type CallNode, createCallTreeRecorder } from './callTree.js'
import type { RpcClient } from './RpcClient.js'
import { decodeSimulatedEvent, type SimulatedEvent } from './simulateDecodeEvents.js'
import { type Fork, openFork } from './simulateFork.js'
import { EMPTY_CODE_HASH } from './simulateForkState.js'
import { decodeRevertReason, type RevertReason } from './simulateRevertReason.js'
import {
  type BalanceChange,
  type CodeChange,
  computeStateDiff,
  type StorageWrite,
} from './stateDiff.js'

export type SimulateSafeTxParameters = {
  safe: Address
  tx: SafeTx
  /** The version the signer believes the Safe runs; compared with the Safe's own VERSION(). */
  version?: SafeVersion
  /** Fork state after this block. Default 'latest'. */
  blockNumber?: bigint | 'latest'
  /** The chain the SafeTx is meant for; a node on another chain is an InputError. */
  chainId?: bigint
  /** Reuse state already fetched for this client and block (default true). */
  cache?: boolean
}

/** The Safe as the fork block has it. */
export type SafeOnChain = {
  /** The Safe's own `VERSION()`, null if it has none. */
  version: string | null
  implementation: Address
  threshold: bigint
  nonce: bigint
  /** Null before 1.3.0 (no guard slot) or when unset. */
  guard: Address | null
  fallbackHandler: Address | null
}

/** A value the simulation put into the fork before running, and why. */
export type SimulationOverride = {
  address: Address
  slot: Hex
  name: string
  value: Hex
  reason: string
}

/** What `execTransaction` would do, run on a fork; see simulateSafeTx. */
export type Simulation = {
  chainId: bigint
  /** The fork is the state after this block; the transaction runs in the next one. */
  blockNumber: bigint
  blockHash: Hex
  safe: Address
  /** The simulated SafeTx, as given. */
  tx: SafeTx
  /** The hash the Safe itself computes (`getTransactionHash`) for this SafeTx. */
  safeTxHash: Hex
  safeState: SafeOnChain
  /** The version the caller expected, when it differs from the Safe's VERSION(); else null. */
  versionMismatch: { expected: SafeVersion; onChain: string | null } | null
  /** Owners whose approval the simulation pre-set (threshold many, ascending). */
  approvers: Address[]
  /** msg.sender and tx.origin of execTransaction. */
  executor: Address
  overrides: SimulationOverride[]
  /** execTransaction returned (the nonce was used), whether or not the inner call succeeded. */
  executed: boolean
  /** executed, and the Safe's call to `tx.to` succeeded. */
  success: boolean
  /** Why execTransaction itself reverted; null when it returned. */
  revert: RevertReason | null
  /** The Safe emitted ExecutionFailure (ExecutionFailed in 1.0.0): its inner call failed. */
  executionFailure: { reason: RevertReason | null } | null
  /** Gas of the whole transaction (intrinsic + execution - refund). */
  gasUsed: bigint
  storageWrites: StorageWrite[]
  storageCleared: Address[]
  balanceChanges: BalanceChange[]
  codeChanges: CodeChange[]
  events: SimulatedEvent[]
  callTree: CallNode
  stats: { rpcCalls: number; durationMs: number }
}

// Plenty for any Safe transaction and refund; taken back out of the executor's balance diff.
const EXECUTOR_FUNDING = 10n ** 24n
// EIP-7825 (Osaka) caps a transaction at 2^24 gas; a Safe tx that needs more cannot execute.
const TX_GAS_CAP = 1n << 24n
const STATIC_CALL_GAS = 10_000_000n
// Used when no approving owner can be tx.origin (all are contracts, EIP-3607 forbids that):
// an address nobody holds a key for, derived from a fixed label.
const NEUTRAL_EXECUTOR = getAddress(
  `0x${keccak256(stringToHex('heistguard.simulation.executor')).slice(26)}`,
)
const ZERO_ADDRESS: Address = '0x0000000000000000000000000000000000000000'
const versionAbi = parseAbi(['function VERSION() view returns (string)'])
const TRANSFER_TOPIC = keccak256(stringToHex('Transfer(address,address,uint256)'))
const FAILURE_EVENTS = new Set(['ExecutionFailure', 'ExecutionFailed'])

/**
 * Runs a SafeTx exactly as `execTransaction` would, on a fork of any JSON-RPC endpoint at the
 * latest or a given block, without any private key, and reports what it does: success or the
 * decoded revert, every storage write by name (implementation, owners, threshold, nonce,
 * modules, guard, fallback handler), ETH and ERC-20 balance changes, decoded events and the
 * full call tree. The node's own state is never touched: the fork lives in this process.
 *
 * Signatures: the fork's storage gets `approvedHashes[owner][safeTxHash] = 1` for the first
 * `threshold` owners, and execTransaction receives their v = 1 "approved hash" signatures, sent
 * by one of them. That is the Safe's own pre-approval path (`approveHash`), so execTransaction
 * runs unchanged: the same nonce check and increment, guard hooks, gas checks, execute,
 * refund and events as with ECDSA signatures; only signature *validation* takes the
 * approved-hash branch. The alternative, rewriting the threshold to 1 and impersonating one
 * owner, writes the threshold slot (which the transaction itself may read or change, and which
 * the diff must report truthfully) and runs checkSignatures with another threshold. The override
 * slots are keyed by this very safeTxHash, which nothing else reads; Safe 1.0.0-1.2.0 zero them
 * on use, and they are left out of `storageWrites` and listed under `overrides`.
 *
 * A SafeTx whose nonce is not the Safe's next nonce is simulated as if it were next (the
 * nonce slot is overridden and listed), which is how a queued transaction will run.
 *
 * @example
 * const client = createHttpRpcClient('http://127.0.0.1:8545', { timeoutMs: 5_000 })
 * const simulation = await simulateSafeTx(client, { safe, tx })
 * simulation.storageWrites.find((w) => w.name === 'implementation') // the Bybit slot-0 write
 */
export async function simulateSafeTx(
  client: RpcClient,
  parameters: SimulateSafeTxParameters,
): Promise<Simulation> {
  const started = performance.now()
  checkParameters(parameters)
  const safe = getAddress(parameters.safe)
  const fork = await openFork(client, {
    blockNumber: parameters.blockNumber ?? 'latest',
    ...(parameters.cache === undefined ? {} : { cache: parameters.cache }),
  })
  if (parameters.chainId !== undefined && parameters.chainId !== fork.chainId)
    throw new InputError(
      `the RPC endpoint serves chain ${fork.chainId}, the transaction is for chain ${parameters.chainId}`,
      { code: 'RPC_WRONG_CHAIN', field: '--rpc' },
    )
  return fork.exclusive(async () => {
    const callsBefore = fork.fork.rpcCalls()
    fork.state.reset()
    const simulation = await simulateOnFork(fork, safe, parameters)
    simulation.stats = {
      rpcCalls: fork.fork.rpcCalls() - callsBefore,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    }
    return simulation
  })
}

async function simulateOnFork(
  fork: Fork,
  safe: Address,
  parameters: SimulateSafeTxParameters,
): Promise<Simulation> {
  const { tx } = parameters
  const { state, vm, block } = fork
  const safeState = await readSafe(fork, safe)

  const safeTxHash = await safeTransactionHash(fork, safe, safeState.implementation, tx)
  const approvers = await firstOwners(fork, safe, safeState.threshold)
  const executor = await pickExecutor(fork, approvers)

  // Layer 0: the overrides. Everything the transaction writes lands in layer 1 above them.
  const overrides: SimulationOverride[] = []
  const hiddenSlots = new Set<string>()
  const safeEth = createAddressFromString(safe)
  for (const owner of approvers) {
    const slot = approvedHashesSlot(owner, safeTxHash)
    await state.putStorage(safeEth, hexToBytes(slot), new Uint8Array([1]))
    hiddenSlots.add(`${safe.toLowerCase()}:${slot}`)
    overrides.push({
      address: safe,
      slot,
      name: `approvedHashes[${owner}][${safeTxHash}]`,
      value: numberToHex(1, { size: 32 }),
      reason: 'owner approval, so that no private key is needed',
    })
  }
  if (tx.nonce !== safeState.nonce) {
    await state.putStorage(safeEth, hexToBytes(SAFE_STORAGE_SLOTS.nonce), bigintBytes(tx.nonce))
    overrides.push({
      address: safe,
      slot: SAFE_STORAGE_SLOTS.nonce,
      name: 'nonce',
      value: numberToHex(tx.nonce, { size: 32 }),
      reason: `the Safe's next nonce is ${safeState.nonce}; simulated as if this transaction were next`,
    })
  }
  const executorEth = createAddressFromString(executor)
  const executorAccount = await fork.fork.getAccount(executor)
  await state.putAccount(
    executorEth,
    new Account(
      executorAccount.nonce,
      executorAccount.balance + EXECUTOR_FUNDING,
      hexToBytes(executorAccount.storageRoot),
      hexToBytes(executorAccount.codeHash),
    ),
  )

  const signatures = concat(
    approvers.map((owner) => concat([pad(owner, { size: 32 }), pad('0x', { size: 32 }), '0x01'])),
  )
  const data = encodeExecTransaction(tx, signatures)
  const gasPrice = fork.header.baseFeePerGas ?? 0n
  const gasLimit = fork.header.gasLimit < TX_GAS_CAP ? fork.header.gasLimit : TX_GAS_CAP
  const ethTx = createLegacyTx(
    { nonce: executorAccount.nonce, gasPrice, gasLimit, to: safe, value: 0n, data },
    { common: fork.common, freeze: false },
  )
  // Impersonation: the VM only asks the transaction who sent it; nothing is signed.
  ethTx.getSenderAddress = () => executorEth

  await state.checkpoint()
  state.beginTransaction()
  const recorder = createCallTreeRecorder()
  vm.evm.events!.on('beforeMessage', recorder.beforeMessage)
  vm.evm.events!.on('afterMessage', recorder.afterMessage)
  let result: Awaited<ReturnType<typeof runTx>>
  try {
    result = await runTx(vm, {
      tx: ethTx,
      block,
      skipNonce: true,
      skipHardForkValidation: true,
      skipBlockGasLimitValidation: true,
    })
  } catch (error) {
    // A failed state read (timeout, node down) keeps its own code; anything else is the VM's.
    if (error instanceof BaseError) throw error
    throw new BaseError(
      `the EVM could not run the transaction: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      { code: 'SIMULATION_FAILED', cause: error },
    )
  } finally {
    vm.evm.events!.off('beforeMessage', recorder.beforeMessage)
    vm.evm.events!.off('afterMessage', recorder.afterMessage)
  }

  const callTree = recorder.root()
  const exception = result.execResult.exceptionError
  const revert = exception
    ? exception.error === 'revert'
      ? decodeRevertReason(bytesToHex(result.execResult.returnValue))
      : ({ kind: 'halt', message: exception.error } as const)
    : null
  const events = (result.execResult.logs ?? []).map(([address, topics, logData]) =>
    decodeSimulatedEvent({
      address: bytesToHex(address) as Address,
      topics: topics.map((topic) => bytesToHex(topic)),
      data: bytesToHex(logData),
    }),
  )
  const failed = events.some(
    (event) => event.address === safe && FAILURE_EVENTS.has(event.name ?? ''),
  )
  const executionFailure = failed ? { reason: innerRevert(callTree, safe, tx) } : null

  const hints = slotHints(approvers, safeTxHash, events, callTree, tx)
  const diff = await computeStateDiff(state, {
    layer: 1,
    safe,
    hints,
    hiddenSlots,
    balanceAdjustments: new Map([[executor.toLowerCase(), result.amountSpent - EXECUTOR_FUNDING]]),
  })
  const tokenChanges = await tokenBalanceChanges(vm, block, events)

  return {
    chainId: fork.chainId,
    blockNumber: fork.header.number,
    blockHash: fork.header.hash,
    safe,
    tx,
    safeTxHash,
    safeState,
    versionMismatch:
      parameters.version !== undefined && !sameVersion(parameters.version, safeState.version)
        ? { expected: parameters.version, onChain: safeState.version }
        : null,
    approvers,
    executor,
    overrides,
    executed: revert === null,
    success: revert === null && executionFailure === null,
    revert,
    executionFailure,
    gasUsed: result.totalGasSpent,
    storageWrites: diff.storageWrites,
    storageCleared: diff.storageCleared,
    balanceChanges: [...diff.ethChanges, ...tokenChanges],
    codeChanges: diff.codeChanges,
    events,
    callTree,
    stats: { rpcCalls: 0, durationMs: 0 },
  }
}

function checkParameters(parameters: SimulateSafeTxParameters): void {
  checkAddressField(parameters.safe, 'safe')
  const { tx } = parameters
  if (typeof tx !== 'object' || tx === null)
    throw new InputError('expected a SafeTx object', { code: 'INVALID_SAFE_TX', field: 'tx' })
  checkAddressField(tx.to, 'to')
  checkAddressField(tx.gasToken, 'gasToken')
  checkAddressField(tx.refundReceiver, 'refundReceiver')
  checkBytesField(tx.data, 'data')
  for (const field of ['value', 'safeTxGas', 'baseGas', 'gasPrice', 'nonce'] as const)
    checkUint256Field(tx[field], field)
  if (tx.operation !== 0 && tx.operation !== 1)
    throw new InputError('operation must be 0 (CALL) or 1 (DELEGATECALL)', {
      code: 'INVALID_OPERATION',
      field: 'operation',
    })
}

/**
 * Reads the Safe's layout slots from the fork (in parallel) and tells a Safe from anything
 * else: no code, no singleton in slot 0, or no threshold is not a Safe at this block.
 */
async function readSafe(fork: Fork, safe: Address): Promise<SafeOnChain> {
  const where = `${safe} on chain ${fork.chainId} at block ${fork.header.number}`
  const read = (slot: Hex) => fork.fork.getStorage(safe, slot).then(bytesToBigInt)
  const [account, implementation, threshold, nonce, guard, fallbackHandler] = await Promise.all([
    fork.fork.getAccount(safe),
    read(SAFE_STORAGE_SLOTS.singleton),
    read(SAFE_STORAGE_SLOTS.threshold),
    read(SAFE_STORAGE_SLOTS.nonce),
    read(SAFE_STORAGE_SLOTS.guard),
    read(SAFE_STORAGE_SLOTS.fallbackHandler),
    // Warm the first owner pointer in the same round trip; firstOwners() reads it next.
    fork.fork.getStorage(safe, ownersSlot(SENTINEL)),
  ])
  if (account.codeHash === EMPTY_CODE_HASH)
    throw new InputError(`no contract at ${where}`, { code: 'SAFE_NO_CODE', field: 'safe' })
  if (implementation === 0n || implementation >= 1n << 160n || threshold === 0n)
    throw new InputError(`${where} is not a Safe (no singleton in slot 0 or no threshold)`, {
      code: 'NOT_A_SAFE',
      field: 'safe',
    })
  const implementationAddress = toAddress(implementation)
  const version = await fork.memo(`VERSION ${safe}`, () =>
    staticCall(fork.vm, fork.block, safe, encodeFunctionData({ abi: versionAbi })),
  )
  let versionString: string | null = null
  if (version.ok)
    try {
      versionString = decodeFunctionResult({ abi: versionAbi, data: version.returnValue })
    } catch {
      versionString = null
    }
  return {
    version: versionString,
    implementation: implementationAddress,
    threshold,
    nonce,
    guard: guard === 0n ? null : toAddress(guard),
    fallbackHandler: fallbackHandler === 0n ? null : toAddress(fallbackHandler),
  }
}

/** The Safe's own hash of the SafeTx: whatever its code does (version, domain, chainId). */
async function safeTransactionHash(
  fork: Fork,
  safe: Address,
  implementation: Address,
  tx: SafeTx,
): Promise<Hex> {
  const data = encodeGetTransactionHash(tx)
  const call = await fork.memo(`getTransactionHash ${safe} ${keccak256(data)}`, () =>
    staticCall(fork.vm, fork.block, safe, data),
  )
  if (!call.ok || call.returnValue.length !== 66)
    throw new InputError(
      `${safe} is not a working Safe at block ${fork.header.number}: its implementation ${implementation} does not answer getTransactionHash()`,
      {
        code: 'NOT_A_SAFE',
        field: 'safe',
      },
    )
  return call.returnValue
}

/** The first `threshold` owners of the owners linked list, ascending as signatures must be. */
async function firstOwners(fork: Fork, safe: Address, threshold: bigint): Promise<Address[]> {
  const owners: Address[] = []
  let current: Address = SENTINEL
  for (let i = 0n; i < threshold; i++) {
    const next = bytesToBigInt(await fork.fork.getStorage(safe, ownersSlot(current)))
    if (next === 0n || next === 1n || next >= 1n << 160n)
      throw new InputError(`${safe} has threshold ${threshold} but only ${owners.length} owners`, {
        code: 'NOT_A_SAFE',
        field: 'safe',
      })
    current = toAddress(next)
    owners.push(current)
  }
  return owners.sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))
}

/**
 * An approving owner sends the transaction, as in real life (some guards check that the
 * executor is an owner). EIP-3607 forbids a contract as tx.origin, so contract owners (nested
 * Safes) are skipped; if all are contracts a neutral address sends it.
 */
async function pickExecutor(fork: Fork, approvers: Address[]): Promise<Address> {
  const accounts = await Promise.all(approvers.map((owner) => fork.fork.getAccount(owner)))
  const index = accounts.findIndex((account) => account.codeHash === EMPTY_CODE_HASH)
  return index === -1 ? NEUTRAL_EXECUTOR : approvers[index]!
}

type StaticCallResult = { ok: boolean; returnValue: Hex }

async function staticCall(vm: VM, block: Block, to: Address, data: Hex): Promise<StaticCallResult> {
  const zero = createAddressFromString(ZERO_ADDRESS)
  const result = await vm.evm.runCall({
    to: createAddressFromString(to),
    caller: zero,
    origin: zero,
    data: hexToBytes(data),
    gasLimit: STATIC_CALL_GAS,
    isStatic: true,
    skipNonceIncrement: true,
    block,
  })
  // Forget the addresses and slots this call warmed: the simulated transaction starts cold.
  await vm.evm.journal.cleanup()
  return {
    ok: result.execResult.exceptionError === undefined,
    returnValue: bytesToHex(result.execResult.returnValue),
  }
}

/** The reason of the Safe's own call to `tx.to` (found in the call tree), when it failed. */
function innerRevert(tree: CallNode, safe: Address, tx: SafeTx): RevertReason | null {
  const type = tx.operation === 1 ? 'DELEGATECALL' : 'CALL'
  const target = getAddress(tx.to)
  const stack = [tree]
  while (stack.length > 0) {
    const node = stack.shift()!
    if (node.from === safe && node.to === target && node.type === type && !node.success)
      return node.revert ?? null
    stack.push(...node.calls)
  }
  return null
}

/** Keys nameSlot may try: owners, executor, every address and bytes32 the transaction showed. */
function slotHints(
  approvers: Address[],
  safeTxHash: Hex,
  events: SimulatedEvent[],
  tree: CallNode,
  tx: SafeTx,
): { addresses: Address[]; hashes: Hex[] } {
  const addresses = new Set<Address>([...approvers, getAddress(tx.to)])
  const hashes = new Set<Hex>([safeTxHash])
  for (const event of events)
    for (const value of Object.values(event.args ?? {})) {
      if (typeof value !== 'string') continue
      if (/^0x[0-9a-fA-F]{40}$/.test(value)) addresses.add(getAddress(value))
      else if (/^0x[0-9a-fA-F]{64}$/.test(value)) hashes.add(value.toLowerCase() as Hex)
    }
  const stack = [tree]
  while (stack.length > 0) {
    const node = stack.pop()!
    addresses.add(node.from)
    if (node.to) addresses.add(node.to)
    // Safe owner-management calls take owners as 32-byte arguments.
    for (let at = 10; at + 64 <= node.input.length; at += 64) {
      const word = node.input.slice(at, at + 64)
      if (/^0{24}[0-9a-fA-F]{40}$/.test(word) && !/^0+$/.test(word))
        addresses.add(getAddress(`0x${word.slice(24)}`))
    }
    stack.push(...node.calls)
  }
  return { addresses: [...addresses], hashes: [...hashes] }
}

/** ERC-20 balance changes from Transfer(from, to, value) logs, with symbol and decimals if any. */
async function tokenBalanceChanges(
  vm: VM,
  block: Block,
  events: SimulatedEvent[],
): Promise<BalanceChange[]> {
  const deltas = new Map<string, { token: Address; holder: Address; delta: bigint }>()
  const add = (token: Address, holder: Address, amount: bigint) => {
    const key = `${token}:${holder}`
    const entry = deltas.get(key) ?? { token, holder, delta: 0n }
    entry.delta += amount
    deltas.set(key, entry)
  }
  for (const event of events) {
    if (
      event.topics[0] !== TRANSFER_TOPIC ||
      event.topics.length !== 3 ||
      event.name !== 'Transfer'
    )
      continue
    const { from, to, value } = event.args as { from: Address; to: Address; value: bigint }
    if (value === 0n) continue
    add(event.address, from, -value)
    add(event.address, to, value)
  }
  const metadata = new Map<Address, { symbol: string | null; decimals: number | null }>()
  for (const { token } of deltas.values())
    if (!metadata.has(token)) metadata.set(token, await tokenMetadata(vm, block, token))
  const changes: BalanceChange[] = []
  for (const { token, holder, delta } of deltas.values()) {
    if (delta === 0n || holder === ZERO_ADDRESS) continue
    const { symbol, decimals } = metadata.get(token)!
    changes.push({ address: holder, token, symbol, decimals, before: null, after: null, delta })
  }
  return changes
}

async function tokenMetadata(
  vm: VM,
  block: Block,
  token: Address,
): Promise<{ symbol: string | null; decimals: number | null }> {
  const read = async <T>(functionName: 'symbol' | 'decimals'): Promise<T | null> => {
    const call = await staticCall(
      vm,
      block,
      token,
      encodeFunctionData({ abi: erc20Abi, functionName }),
    )
    if (!call.ok) return null
    try {
      return decodeFunctionResult({ abi: erc20Abi, functionName, data: call.returnValue }) as T
    } catch {
      return null
    }
  }
  const symbol = await read<string>('symbol')
  const decimals = await read<number>('decimals')
  return { symbol: symbol === null ? null : symbol.slice(0, 32), decimals }
}

function sameVersion(expected: SafeVersion, onChain: string | null): boolean {
  // L2 builds report the plain release in VERSION() (e.g. "1.3.0"), so compare the release.
  return onChain !== null && expected.replace('+L2', '') === onChain
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(bytesToHex(bytes))
}

function bigintBytes(value: bigint): Uint8Array {
  return value === 0n ? new Uint8Array(0) : hexToBytes(numberToHex(value))
}

function toAddress(value: bigint): Address {
  return getAddress(numberToHex(value, { size: 20 }))
}
