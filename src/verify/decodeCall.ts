import { type AbiParameter, decodeFunctionData, encodeFunctionData, getAddress } from 'viem'
import { errorFirstLine } from '../core/errorFirstLine.js'
import type { Address, Hex } from '../core/hex.js'
import { decodeMultiSend } from './decodeMultiSend.js'
import {
  addressKey,
  formatAmount,
  formatEther,
  MAX_UINT160,
  MAX_UINT256,
  shortAddress,
  ZERO_ADDRESS,
} from './format.js'
import type { Registry, RegistryEntry } from './registry/createRegistry.js'
import type { DecodedCall } from './Verdict.js'

/** Names for addresses, used in summaries only (never to decide anything). */
export type DescribeHooks = {
  /** Address-book or label name. */
  nameOf?: (address: Address) => string | undefined
  /** Token metadata from the policy, to print whole units. */
  tokenOf?: (address: Address) => { symbol?: string; decimals?: number } | undefined
  /** Canonical Safe contract at this address, e.g. `MultiSendCallOnly 1.3.0`. */
  contractOf?: (address: Address) => string | undefined
}

export type DecodeOptions = DescribeHooks & {
  registry: Registry
  /** The Safe whose transaction this is: `msg.sender` of CALLs, storage owner of DELEGATECALLs. */
  safe: Address
  /** Nested batches deeper than this are not opened (default 8). */
  maxDepth?: number
}

/** One call to decode: the SafeTx itself or an entry of a batch. */
export type CallInput = { operation: number; to: Address; value: bigint; data: Hex }

type Args = Record<string, unknown>

/**
 * Decodes one call with the offline registry, recursively through MultiSend batches and nested
 * Safe `execTransaction`s, checks that the decoded arguments re-encode to exactly the input
 * bytes, and says in one sentence what the call does. Unknown selectors stay unknown.
 *
 * @example
 * decodeCall(
 *   { operation: 1, to: '0x96221423681A6d52E184D440a8eFCEbB105C7242', value: 0n, data: '0xa9059cbb…' },
 *   { registry: createRegistry(), safe: '0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4' },
 * ).summary
 * // "DELEGATECALL: code at 0x9622…7242 runs with this Safe's storage and balance (calldata: transfer(0xbDd0…9516, 0))"
 */
export function decodeCall(
  call: CallInput,
  options: DecodeOptions,
  path: number[] = [],
): DecodedCall {
  const to = getAddress(call.to)
  const data = call.data.toLowerCase() as Hex
  const operation = (call.operation === 1 ? 1 : 0) as 0 | 1
  const decoded: DecodedCall = {
    path,
    operation,
    to,
    value: call.value,
    data,
    function: null,
    summary: '',
  }
  const bytes = (data.length - 2) / 2
  if (bytes === 0) {
    decoded.kind = call.value > 0n ? 'native-transfer' : 'empty-call'
  } else if (bytes < 4) {
    decoded.kind = 'malformed'
    decoded.error = `calldata of ${bytes} bytes is shorter than a 4-byte function selector`
  } else {
    const selector = data.slice(0, 10) as Hex
    const entry = options.registry.bySelector.get(selector)
    if (!entry) decoded.kind = 'unknown'
    else decodeKnown(decoded, entry, options)
  }
  decoded.summary = summarize(decoded, options)
  return decoded
}

function decodeKnown(decoded: DecodedCall, entry: RegistryEntry, options: DecodeOptions): void {
  decoded.kind = entry.kind
  const fn = {
    name: entry.name,
    signature: entry.signature,
    selector: entry.selector,
    args: [] as { name: string; type: string; value: unknown }[],
    reencodes: false,
  }
  decoded.function = fn
  let values: readonly unknown[]
  try {
    values = (decodeFunctionData({ abi: [entry.abiItem], data: decoded.data }).args ??
      []) as readonly unknown[]
  } catch (error) {
    decoded.error = `arguments do not decode as ${entry.signature}: ${errorFirstLine(error)}`
    return
  }
  fn.args = entry.abiItem.inputs.map((input: AbiParameter, index) => ({
    name: input.name || `arg${index}`,
    type: input.type,
    value: values[index],
  }))
  try {
    const again = encodeFunctionData({
      abi: [entry.abiItem],
      functionName: entry.name,
      args: values as unknown[],
    })
    fn.reencodes = again.toLowerCase() === decoded.data
  } catch {
    fn.reencodes = false
  }
  const depth = decoded.path.length
  const maxDepth = options.maxDepth ?? 8
  if (entry.kind === 'multisend') {
    const batch = decodeMultiSend(values[0] as Hex)
    if (depth >= maxDepth) {
      decoded.error = `batch nested deeper than ${maxDepth} levels was not opened`
      return
    }
    decoded.children = batch.entries.map((child, index) =>
      decodeCall(child, options, [...decoded.path, index]),
    )
    if (!batch.ok) decoded.error = `MultiSend batch is malformed: ${batch.error}`
  } else if (entry.kind === 'safe-execTransaction' && depth < maxDepth) {
    // A nested Safe: its inner call runs as that Safe, not as ours.
    const [to, value, data, operation] = values as [Address, bigint, Hex, number]
    decoded.children = [
      decodeCall({ to, value, data, operation }, { ...options, safe: decoded.to }, [
        ...decoded.path,
        0,
      ]),
    ]
  }
}

/** Named arguments of a decoded call, for the rules and summaries. */
export function argsOf(call: DecodedCall): Args {
  const out: Args = {}
  for (const arg of call.function?.args ?? []) out[arg.name] = arg.value
  return out
}

function summarize(call: DecodedCall, options: DecodeOptions): string {
  const label = (address: unknown) => labelAddress(address, options)
  const contract = options.contractOf?.(call.to)
  const inner = describe(call, options, label)
  if (call.operation === 1) {
    if (contract) return `DELEGATECALL to ${contract} at ${shortAddress(call.to)}: ${inner}`
    const shown = call.function
      ? ` (calldata: ${callText(call)})`
      : call.data !== '0x'
        ? ` (calldata: unknown function ${call.data.slice(0, 10)})`
        : ''
    const batch =
      call.kind === 'multisend' && call.children
        ? `; the calldata is a MultiSend batch of ${call.children.length} calls, but the contract is not a canonical MultiSend`
        : ''
    return `DELEGATECALL: code at ${shortAddress(call.to)} runs with this Safe's storage and balance${batch ? '' : shown}${batch}`
  }
  return inner
}

function callText(call: DecodedCall, label?: (address: unknown) => string): string {
  const args = (call.function?.args ?? [])
    .map((arg) =>
      label && typeof arg.value === 'string' && /^0x[0-9a-fA-F]{40}$/.test(arg.value)
        ? label(arg.value)
        : valueText(arg.value),
    )
    .join(', ')
  return `${call.function?.name}(${args})`
}

function valueText(value: unknown): string {
  if (typeof value === 'string' && /^0x[0-9a-fA-F]{40}$/.test(value)) return shortAddress(value)
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'string') return value.length > 20 ? `${value.slice(0, 10)}…` : value
  if (Array.isArray(value)) return `[${value.length} items]`
  if (value && typeof value === 'object') return '{…}'
  return String(value)
}

function labelAddress(address: unknown, options: DecodeOptions): string {
  if (typeof address !== 'string') return String(address)
  if (addressKey(address) === addressKey(options.safe)) return 'this Safe'
  const name = options.nameOf?.(address as Address) ?? options.contractOf?.(address as Address)
  return name ? `${shortAddress(address)} (${name})` : shortAddress(address)
}

function eth(value: bigint): string {
  return `${formatEther(value)} ETH`
}

function tokenAmount(amount: unknown, token: Address, options: DecodeOptions): string {
  const meta = options.tokenOf?.(token) ?? {}
  return formatAmount(amount as bigint, meta)
}

function describe(
  call: DecodedCall,
  options: DecodeOptions,
  label: (a: unknown) => string,
): string {
  const a = argsOf(call)
  const target = label(call.to)
  const withValue =
    call.value > 0n && call.kind !== 'native-transfer' && call.kind !== 'weth-deposit'
      ? ` and sends ${eth(call.value)} with it`
      : ''
  const onSafe =
    addressKey(call.to) === addressKey(options.safe) ? 'this Safe' : `the Safe at ${target}`
  const token = `token ${target}`
  const amount = (value: unknown) => tokenAmount(value, call.to, options)
  let text: string
  switch (call.kind) {
    case 'native-transfer':
      return `sends ${eth(call.value)} to ${target}`
    case 'empty-call':
      return `calls ${target} with no data and no value`
    case 'malformed':
      text = `calls ${target} with ${call.error}`
      break
    case 'unknown':
      text = `calls unknown function ${call.data.slice(0, 10)} on ${target}; heistguard cannot tell what it does`
      break
    case 'token-transfer':
      text = `transfers ${amount(a['amount'])} of ${token} to ${label(a['to'])}`
      break
    case 'token-transferFrom':
      text = `moves ${amount(a['amount'])} (or NFT #${a['amount']}) of ${token} from ${label(a['from'])} to ${label(a['to'])}`
      break
    case 'token-approve':
      text =
        (a['amount'] as bigint) >= MAX_UINT256 >> 1n
          ? `lets ${label(a['spender'])} spend an unlimited amount of ${token}`
          : `lets ${label(a['spender'])} spend ${amount(a['amount'])} of ${token}`
      break
    case 'token-increaseAllowance':
      text = `raises the allowance of ${label(a['spender'])} on ${token} by ${amount(a['addedValue'])}`
      break
    case 'token-decreaseAllowance':
      text = `lowers the allowance of ${label(a['spender'])} on ${token} by ${amount(a['subtractedValue'])}`
      break
    case 'token-permit':
      text = `submits a permit letting ${label(a['spender'])} spend ${amount(a['value'])} of ${token} owned by ${label(a['owner'])}`
      break
    case 'nft-safeTransferFrom':
      text = `transfers NFT #${a['tokenId']} of collection ${target} from ${label(a['from'])} to ${label(a['to'])}`
      break
    case 'token-setApprovalForAll':
      text = a['approved']
        ? `lets ${label(a['operator'])} move every token of ${target} that this Safe holds`
        : `revokes the approval of ${label(a['operator'])} for all tokens of ${target}`
      break
    case 'erc1155-safeTransferFrom':
      text = `transfers ${a['amount']} of token id ${a['id']} of ${target} from ${label(a['from'])} to ${label(a['to'])}`
      break
    case 'erc1155-safeBatchTransferFrom':
      text = `transfers ${(a['ids'] as unknown[]).length} token ids of ${target} from ${label(a['from'])} to ${label(a['to'])}`
      break
    case 'weth-deposit':
      return `wraps ${eth(call.value)} into WETH at ${target}`
    case 'weth-withdraw':
      text = `unwraps ${formatEther(a['wad'] as bigint)} WETH at ${target} into ETH`
      break
    case 'proxy-upgrade':
      text = `upgrades the proxy at ${target} to the implementation at ${label(a['newImplementation'])}${call.function?.name === 'upgradeToAndCall' ? ' and runs a call on it' : ''}`
      break
    case 'proxyadmin-upgrade':
      text = `upgrades the proxy at ${label(a['proxy'])} (through ProxyAdmin ${target}) to the implementation at ${label(a['implementation'])}`
      break
    case 'proxy-changeAdmin':
      text = `makes ${label(a['newAdmin'])} the admin of the proxy at ${target}`
      break
    case 'proxyadmin-changeProxyAdmin':
      text = `makes ${label(a['newAdmin'])} the admin of the proxy at ${label(a['proxy'])} (through ProxyAdmin ${target})`
      break
    case 'ownership-transfer':
      text = `transfers ownership of ${target} to ${label(a['newOwner'])}`
      break
    case 'ownership-renounce':
      text = `gives up ownership of ${target} for good: nobody will own it`
      break
    case 'ownership-accept':
      text = `accepts ownership of ${target}: this Safe becomes its owner`
      break
    case 'role-grant':
      text = `grants role ${roleName(a['role'])} on ${target} to ${label(a['account'])}`
      break
    case 'role-revoke':
      text = `revokes role ${roleName(a['role'])} on ${target} from ${label(a['account'])}`
      break
    case 'role-renounce':
      text = `renounces role ${roleName(a['role'])} on ${target} for ${label(a['account'])}`
      break
    case 'permit2-approve':
      text =
        (a['amount'] as bigint) >= MAX_UINT160
          ? `lets ${label(a['spender'])} spend an unlimited amount of token ${label(a['token'])} through Permit2`
          : `lets ${label(a['spender'])} spend ${tokenAmount(a['amount'], a['token'] as Address, options)} of token ${label(a['token'])} through Permit2`
      break
    case 'permit2-permit': {
      const permit = (a['permitSingle'] ?? a['permitBatch']) as { spender?: Address } | undefined
      text = `submits a Permit2 allowance signature of ${label(a['owner'])} for spender ${label(permit?.spender)}`
      break
    }
    case 'permit2-permitTransferFrom': {
      const details = a['transferDetails'] as { to?: Address; requestedAmount?: bigint } | undefined
      text = `moves tokens of ${label(a['owner'])} to ${label(details?.to)} with a Permit2 signature`
      break
    }
    case 'permit2-transferFrom':
      text = `moves ${tokenAmount(a['amount'], a['token'] as Address, options)} of token ${label(a['token'])} from ${label(a['from'])} to ${label(a['to'])} through Permit2`
      break
    case 'permit2-lockdown':
      text = `revokes ${(a['approvals'] as unknown[]).length} Permit2 approvals`
      break
    case 'permit2-invalidateNonces':
      text = `invalidates Permit2 nonces of spender ${label(a['spender'])} for token ${label(a['token'])}`
      break
    case 'safe-owners':
      text = describeOwners(call.function?.name, a, onSafe, label)
      break
    case 'safe-modules':
      text =
        call.function?.name === 'enableModule'
          ? `enables module ${label(a['module'])} on ${onSafe}: it can move funds without owner signatures`
          : `disables module ${label(a['module'])} on ${onSafe}`
      break
    case 'safe-guard': {
      const guard = a['guard'] ?? a['moduleGuard']
      text =
        addressKey(String(guard)) === ZERO_ADDRESS
          ? `removes the ${call.function?.name === 'setModuleGuard' ? 'module guard' : 'transaction guard'} of ${onSafe}`
          : `sets the ${call.function?.name === 'setModuleGuard' ? 'module guard' : 'transaction guard'} of ${onSafe} to ${label(guard)}: it can block every future transaction`
      break
    }
    case 'safe-fallback':
      text = `sets the fallback handler of ${onSafe} to ${label(a['handler'])}`
      break
    case 'safe-masterCopy':
      text = `replaces the implementation (masterCopy) of ${onSafe} with the code at ${label(a['_masterCopy'])}`
      break
    case 'safe-approveHash':
      text = `approves hash ${String(a['hashToApprove']).slice(0, 10)}… on ${onSafe} (an on-chain signature for another transaction)`
      break
    case 'safe-execTransaction':
      text = `executes a transaction of the Safe at ${target}, which ${call.children?.[0]?.summary ?? 'could not be decoded'}`
      break
    case 'multisend':
      text = `calls MultiSend at ${target} with a batch of ${call.children?.length ?? 0} calls (MultiSend acts for this Safe only through DELEGATECALL)`
      break
    case 'safe-signMessage':
      text = `signs a message for this Safe (SignMessageLib) so that contracts accept it as the Safe's signature`
      break
    case 'safe-migration':
      text = `migrates this Safe to another singleton with ${call.function?.name}()`
      break
    default:
      text = call.function ? `calls ${callText(call, label)} on ${target}` : `calls ${target}`
  }
  if (call.kind === 'multisend' && call.operation === 1 && call.children) {
    text = `runs a batch of ${call.children.length} calls as this Safe`
  }
  return text + withValue
}

function describeOwners(
  name: string | undefined,
  a: Args,
  onSafe: string,
  label: (a: unknown) => string,
): string {
  switch (name) {
    case 'addOwnerWithThreshold':
      return `adds owner ${label(a['owner'])} to ${onSafe} and sets the threshold to ${a['_threshold']}`
    case 'removeOwner':
      return `removes owner ${label(a['owner'])} from ${onSafe} and sets the threshold to ${a['_threshold']}`
    case 'swapOwner':
      return `replaces owner ${label(a['oldOwner'])} of ${onSafe} with ${label(a['newOwner'])}`
    case 'changeThreshold':
      return `changes the threshold of ${onSafe} to ${a['_threshold']}`
    default:
      return `changes the owners of ${onSafe}`
  }
}

function roleName(role: unknown): string {
  if (role === `0x${'0'.repeat(64)}`) return 'DEFAULT_ADMIN_ROLE'
  return typeof role === 'string' ? `${role.slice(0, 10)}…` : String(role)
}
