import type { EVMResult, Message } from '@ethereumjs/evm'
import { bytesToHex, getAddress } from 'viem'
import { BaseError } from '../core/BaseError.js'
import type { Address, Hex } from '../core/hex.js'
import { decodeRevertReason, type RevertReason } from './simulateRevertReason.js'

export type CallType = 'CALL' | 'STATICCALL' | 'DELEGATECALL' | 'CALLCODE' | 'CREATE' | 'CREATE2'

/** One message frame of the simulated transaction. */
export type CallNode = {
  type: CallType
  /** 0 for the transaction itself. */
  depth: number
  /** The account whose code issued the call (for the top frame: the transaction's sender). */
  from: Address
  /**
   * The code that ran: the callee, the DELEGATECALL/CALLCODE target (which runs with `from`'s
   * storage and balance), or the created contract (null when creation failed).
   */
  to: Address | null
  value: bigint
  /** First 4 bytes of the input, null when the input is shorter (plain ETH transfer, fallback). */
  selector: Hex | null
  /** Calldata (init code for CREATE), at most MAX_INPUT_BYTES of it; see `inputSize`. */
  input: Hex
  inputSize: number
  success: boolean
  /** The EVM's reason for a failed frame: `revert`, `out of gas`, `invalid opcode`… */
  error?: string
  /** Decoded return data of a reverted frame. */
  revert?: RevertReason
  /** Return data of the frame, at most MAX_OUTPUT_BYTES. */
  output: Hex
  gasUsed: bigint
  calls: CallNode[]
}

export const MAX_INPUT_BYTES = 4096
export const MAX_OUTPUT_BYTES = 1024

/** Receives the EVM's message events and assembles the tree; `root()` once the tx is done. */
export type CallTreeRecorder = {
  beforeMessage(message: Message): void
  afterMessage(result: EVMResult): void
  root(): CallNode
}

/**
 * Builds the call tree from `beforeMessage`/`afterMessage` events (one pair per frame, in
 * stack order). Message events rather than `step` events: they cost nothing per opcode, and
 * ethereumjs fires them for every CALL, STATICCALL, DELEGATECALL, CALLCODE, CREATE and CREATE2,
 * including calls to precompiles.
 *
 * @example
 * const recorder = createCallTreeRecorder()
 * vm.evm.events.on('beforeMessage', recorder.beforeMessage)
 * vm.evm.events.on('afterMessage', recorder.afterMessage)
 * await runTx(vm, { tx, block })
 * recorder.root().calls[0]?.type // 'DELEGATECALL'
 */
export function createCallTreeRecorder(): CallTreeRecorder {
  const stack: CallNode[] = []
  let finished: CallNode | undefined

  return {
    beforeMessage(message) {
      const parent = stack[stack.length - 1]
      const node = nodeOf(message)
      if (parent) parent.calls.push(node)
      stack.push(node)
    },
    afterMessage(result) {
      const node = stack.pop()
      if (node === undefined) return
      const { exceptionError, returnValue, executionGasUsed } = result.execResult
      node.gasUsed = executionGasUsed
      node.output = cap(returnValue, MAX_OUTPUT_BYTES)
      if (node.type === 'CREATE' || node.type === 'CREATE2')
        node.to = result.createdAddress && !exceptionError ? checksum(result.createdAddress) : null
      if (exceptionError) {
        node.success = false
        node.error = exceptionError.error
        if (exceptionError.error === 'revert')
          node.revert = decodeRevertReason(bytesToHex(returnValue))
        else node.revert = { kind: 'halt', message: exceptionError.error }
      }
      if (stack.length === 0) finished = node
    },
    root() {
      if (finished === undefined)
        throw new BaseError('the EVM reported no top-level call', { code: 'SIMULATION_INTERNAL' })
      return finished
    },
  }
}

function nodeOf(message: Message): CallNode {
  const caller = checksum(message.caller)
  let type: CallType
  let from: Address
  let to: Address | null
  if (message.to === undefined) {
    type = message.salt === undefined ? 'CREATE' : 'CREATE2'
    from = caller
    to = null
  } else if (message.delegatecall) {
    // ethereumjs keeps the original msg.sender as `caller` and the running contract as `to`.
    type = 'DELEGATECALL'
    from = checksum(message.to)
    to = checksum(message.codeAddress)
  } else if (!message.codeAddress.equals(message.to)) {
    type = 'CALLCODE'
    from = checksum(message.to)
    to = checksum(message.codeAddress)
  } else {
    // A CALL made inside a static frame is static too; the message cannot tell it from a
    // STATICCALL, and for a reader the two mean the same: no state can change below.
    type = message.isStatic ? 'STATICCALL' : 'CALL'
    from = caller
    to = checksum(message.to)
  }
  return {
    type,
    depth: message.depth,
    from,
    to,
    value: message.value,
    selector:
      message.data.length >= 4 && message.to !== undefined
        ? bytesToHex(message.data.subarray(0, 4))
        : null,
    input: cap(message.data, MAX_INPUT_BYTES),
    inputSize: message.data.length,
    success: true,
    output: '0x',
    gasUsed: 0n,
    calls: [],
  }
}

function cap(bytes: Uint8Array, max: number): Hex {
  return bytesToHex(bytes.length > max ? bytes.subarray(0, max) : bytes)
}

function checksum(address: { toString(): string }): Address {
  return getAddress(address.toString())
}
