import type { Address } from '../core/hex.js'
import { argsOf } from './decodeCall.js'
import { addressKey, MAX_UINT160, MAX_UINT256 } from './format.js'
import type { DecodedCall } from './Verdict.js'

/** A decoded call with who executes it: this Safe, a nested Safe, or an opaque contract. */
export type FlatCall = {
  call: DecodedCall
  /** The account whose balance and identity the call uses. */
  actor: Address
  /** True when the call runs as the verified Safe (top level, or inside a delegatecalled batch). */
  asSafe: boolean
}

/**
 * Every call of a decoded transaction, depth first: the top level, MultiSend batch entries
 * (which run as the Safe only when the batch was delegatecalled), nested Safe transactions.
 *
 * @example
 * flattenCalls(decoded, safe).length // 1 + batch size
 */
export function flattenCalls(root: DecodedCall, safe: Address): FlatCall[] {
  const out: FlatCall[] = []
  const visit = (call: DecodedCall, actor: Address, asSafe: boolean) => {
    out.push({ call, actor, asSafe })
    if (!call.children) return
    if (call.kind === 'multisend') {
      // Through DELEGATECALL the batch runs as the caller; through CALL as the MultiSend contract.
      const inner = call.operation === 1 ? actor : call.to
      for (const child of call.children) visit(child, inner, call.operation === 1 && asSafe)
    } else if (call.kind === 'safe-execTransaction') {
      for (const child of call.children) visit(child, call.to, false)
    }
  }
  visit(root, safe, true)
  return out
}

/** What an address is to a call; drives which rules look at it. */
export type CounterpartyRole =
  | 'recipient'
  | 'spender'
  | 'contract'
  | 'new-admin'
  | 'implementation'
  | 'module'
  | 'guard'
  | 'fallback-handler'
  | 'delegatecall-target'

export type Counterparty = { address: Address; role: CounterpartyRole; callPath: number[] }

/** A movement of value out of the actor: ETH or a token, to someone. */
export type Movement = {
  token: 'ETH' | Address
  to: Address
  amount: bigint
  callPath: number[]
  /** An allowance rather than a transfer. */
  approval?: boolean
}

/**
 * The addresses a call deals with, by role. For a DELEGATECALL the only fact is its target: the
 * arguments mean whatever the unknown code makes of them.
 *
 * @example
 * counterpartiesOf(transferCall) // [{ address: token, role: 'contract' }, { address: to, role: 'recipient' }]
 */
export function counterpartiesOf(call: DecodedCall): Counterparty[] {
  const path = call.path
  const out: Counterparty[] = []
  const add = (address: unknown, role: CounterpartyRole) => {
    if (typeof address === 'string' && /^0x[0-9a-fA-F]{40}$/.test(address))
      out.push({ address: address as Address, role, callPath: path })
  }
  if (call.operation === 1) {
    add(call.to, 'delegatecall-target')
    return out
  }
  const a = argsOf(call)
  if (call.kind === 'native-transfer' || call.kind === 'empty-call') add(call.to, 'recipient')
  else add(call.to, 'contract')
  switch (call.kind) {
    case 'token-transfer':
    case 'token-transferFrom':
    case 'nft-safeTransferFrom':
    case 'erc1155-safeTransferFrom':
    case 'erc1155-safeBatchTransferFrom':
    case 'permit2-transferFrom':
      add(a['to'], 'recipient')
      break
    case 'permit2-permitTransferFrom':
      add((a['transferDetails'] as { to?: unknown } | undefined)?.to, 'recipient')
      break
    case 'token-approve':
    case 'token-increaseAllowance':
    case 'token-permit':
    case 'permit2-approve':
      add(a['spender'], 'spender')
      break
    case 'permit2-permit':
      add(
        ((a['permitSingle'] ?? a['permitBatch']) as { spender?: unknown } | undefined)?.spender,
        'spender',
      )
      break
    case 'token-setApprovalForAll':
      if (a['approved'] === true) add(a['operator'], 'spender')
      break
    case 'proxy-upgrade':
      add(a['newImplementation'], 'implementation')
      break
    case 'proxyadmin-upgrade':
      add(a['implementation'], 'implementation')
      break
    case 'proxy-changeAdmin':
    case 'proxyadmin-changeProxyAdmin':
      add(a['newAdmin'], 'new-admin')
      break
    case 'ownership-transfer':
      add(a['newOwner'], 'new-admin')
      break
    case 'role-grant':
      add(a['account'], 'new-admin')
      break
    case 'safe-owners':
      add(
        a['newOwner'] ?? (call.function?.name === 'addOwnerWithThreshold' ? a['owner'] : undefined),
        'new-admin',
      )
      break
    case 'safe-modules':
      if (call.function?.name === 'enableModule') add(a['module'], 'module')
      break
    case 'safe-guard':
      add(a['guard'] ?? a['moduleGuard'], 'guard')
      break
    case 'safe-fallback':
      add(a['handler'], 'fallback-handler')
      break
    case 'safe-masterCopy':
      add(a['_masterCopy'], 'implementation')
      break
  }
  return out.filter((party) => !/^0x0{40}$/.test(party.address) || party.role === 'recipient')
}

/**
 * Value a call moves or lets others move, for limits and intents. Only calls that run as the
 * Safe count; a `transferFrom` counts when it takes from the Safe.
 *
 * @example
 * movementsOf(ethTransfer, safe) // [{ token: 'ETH', to, amount }]
 */
export function movementsOf(call: DecodedCall, safe: Address): Movement[] {
  if (call.operation === 1) return []
  const out: Movement[] = []
  const path = call.path
  if (call.value > 0n) out.push({ token: 'ETH', to: call.to, amount: call.value, callPath: path })
  const a = argsOf(call)
  const fromSafe = (from: unknown) =>
    typeof from === 'string' && addressKey(from) === addressKey(safe)
  switch (call.kind) {
    case 'token-transfer':
      out.push({
        token: call.to,
        to: a['to'] as Address,
        amount: a['amount'] as bigint,
        callPath: path,
      })
      break
    case 'token-transferFrom':
      if (fromSafe(a['from']))
        out.push({
          token: call.to,
          to: a['to'] as Address,
          amount: a['amount'] as bigint,
          callPath: path,
        })
      break
    case 'token-approve':
    case 'token-increaseAllowance':
      out.push({
        token: call.to,
        to: a['spender'] as Address,
        amount: (a['amount'] ?? a['addedValue']) as bigint,
        callPath: path,
        approval: true,
      })
      break
    case 'permit2-approve':
      out.push({
        token: a['token'] as Address,
        to: a['spender'] as Address,
        amount: a['amount'] as bigint,
        callPath: path,
        approval: true,
      })
      break
  }
  return out
}

/** Allowances that never run out (or are meant to look that way). */
export function isUnlimitedApproval(call: DecodedCall): boolean {
  if (call.operation === 1) return false
  const a = argsOf(call)
  switch (call.kind) {
    case 'token-approve':
      return (a['amount'] as bigint) >= MAX_UINT256 >> 1n
    case 'token-increaseAllowance':
      return (a['addedValue'] as bigint) >= MAX_UINT256 >> 1n
    case 'token-permit':
      return (a['value'] as bigint) >= MAX_UINT256 >> 1n
    case 'permit2-approve':
      return (a['amount'] as bigint) >= MAX_UINT160
    case 'token-setApprovalForAll':
      return a['approved'] === true
    default:
      return false
  }
}
