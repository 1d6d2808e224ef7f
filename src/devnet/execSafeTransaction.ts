import { encodeFunctionData, keccak256, numberToHex, stringToHex, toHex } from 'viem'
import { privateKeyToAccount, sign } from 'viem/accounts'
import { BaseError, InputError } from '../core/BaseError.js'
import type { Address, Hex } from '../core/hex.js'
import { safeAbi } from '../safe/abi.js'
import { encodeExecTransaction } from '../safe/encodeSafeCalls.js'
import { encodeSafeSignatures, type SafeSignatureInput } from '../safe/encodeSafeSignatures.js'
import { hashSafeTx } from '../safe/hashSafeTx.js'
import type { SafeTx } from '../safe/types.js'
import type { DevnetSafeVersion } from './installSafeContracts.js'
import type { Devnet } from './startDevnet.js'

/**
 * How one owner confirms: a private key (ECDSA over the safeTxHash, v = 27/28), or an approved
 * hash (`approveHash` sent from the owner, impersonated on the devnet; signature r = owner,
 * v = 1), which is what a hardware-wallet-free executor or a simulation uses.
 */
export type SafeSigner = Hex | { approvedBy: Address }

export type ExecSafeTransactionParameters = {
  safe: { address: Address; version: DevnetSafeVersion }
  tx: SafeTx
  signers: SafeSigner[]
  /** Sender of execTransaction; default the devnet's first account. Impersonated if not owned. */
  from?: Address
  /** Gas limit of the outer transaction; default: estimated by the node. */
  gas?: bigint
}

export type ExecSafeTransactionReturnType = {
  transactionHash: Hex
  safeTxHash: Hex
  signatures: Hex
  /** False when the Safe emitted ExecutionFailure / ExecutionFailed (inner call reverted, nonce still used). */
  success: boolean
  blockNumber: bigint
}

const topic = (signature: string) => keccak256(stringToHex(signature))
const FAILURE_TOPICS = new Set([
  topic('ExecutionFailure(bytes32,uint256)'),
  topic('ExecutionFailed(bytes32)'),
])

/**
 * Signs a SafeTx with owner keys (or pre-approved hashes) and executes it with `execTransaction`,
 * signatures sorted by owner address as the contract requires. The safeTxHash comes from
 * `hashSafeTx` in src/safe; the oracle tests prove it equals the contract's own.
 *
 * @example
 * await execSafeTransaction(devnet, {
 *   safe: { address: safe.address, version: '1.3.0' },
 *   tx: { to: hot, value: 10n ** 18n, data: '0x', operation: 0, safeTxGas: 0n, baseGas: 0n,
 *         gasPrice: 0n, gasToken: zeroAddress, refundReceiver: zeroAddress, nonce: 0n },
 *   signers: [ownerKey1, ownerKey2],
 * })
 */
export async function execSafeTransaction(
  devnet: Devnet,
  parameters: ExecSafeTransactionParameters,
): Promise<ExecSafeTransactionReturnType> {
  const { safe, tx } = parameters
  if (parameters.signers.length === 0)
    throw new InputError('no signers', { code: 'NO_SIGNERS', field: 'signers' })
  const version = safe.version === '1.4.1+L2' ? '1.4.1' : safe.version
  const { safeTxHash } = hashSafeTx(
    { chainId: BigInt(devnet.chainId), safe: safe.address, version },
    tx,
  )
  const inputs: SafeSignatureInput[] = []
  for (const signer of parameters.signers) {
    if (typeof signer === 'string') {
      const signature = await sign({ hash: safeTxHash, privateKey: signer, to: 'hex' })
      inputs.push({ type: 'ecdsa', signer: privateKeyToAccount(signer).address, signature })
    } else {
      await sendAs(devnet, signer.approvedBy, {
        to: safe.address,
        data: encodeFunctionData({ abi: safeAbi, functionName: 'approveHash', args: [safeTxHash] }),
      })
      inputs.push({ type: 'approved-hash', signer: signer.approvedBy })
    }
  }
  // Sorted by owner and packed by src/safe, the same code the verifier reads signatures with.
  const signatures = encodeSafeSignatures(inputs)
  const data = encodeExecTransaction(tx, signatures)
  const from = parameters.from ?? devnet.accounts[0]?.address
  if (!from)
    throw new InputError('no sender: the devnet has no accounts', {
      code: 'NO_SENDER',
      field: 'from',
    })
  const transactionHash = await sendAs(devnet, from, {
    to: safe.address,
    data,
    ...(parameters.gas === undefined ? {} : { gas: toHex(parameters.gas) }),
  })
  const receipt = (await devnet.request('eth_getTransactionReceipt', [transactionHash])) as {
    status: Hex
    blockNumber: Hex
    logs: { address: string; topics: Hex[] }[]
  }
  if (receipt.status !== '0x1')
    throw new BaseError('execTransaction reverted', {
      code: 'DEVNET_EXEC_REVERTED',
      details: transactionHash,
    })
  const failed = receipt.logs.some(
    (log) =>
      log.address.toLowerCase() === safe.address.toLowerCase() &&
      FAILURE_TOPICS.has(log.topics[0] as Hex),
  )
  return {
    transactionHash,
    safeTxHash,
    signatures,
    success: !failed,
    blockNumber: BigInt(receipt.blockNumber),
  }
}

/**
 * Sends a transaction from any address: the devnet's own accounts sign, others are impersonated
 * (and given gas money if they have none). Reverts surface as DEVNET_RPC errors with the reason.
 *
 * @example
 * await sendAs(devnet, '0x0fa09C3A328792253f8dee7116848723b72a6d2e', { to, data })
 */
export async function sendAs(
  devnet: Devnet,
  from: Address,
  call: { to?: Address; data?: Hex; value?: bigint; gas?: Hex },
): Promise<Hex> {
  const owned = devnet.accounts.some((a) => a.address.toLowerCase() === from.toLowerCase())
  if (!owned) {
    await devnet.request('hardhat_impersonateAccount', [from])
    // Gas money only (plus any value the caller sends) via setBalance, never a visible transfer.
    const balance = BigInt((await devnet.request('eth_getBalance', [from, 'latest'])) as Hex)
    const needed = (call.value ?? 0n) + 10n ** 17n
    if (balance < needed)
      await devnet.request('hardhat_setBalance', [from, numberToHex(balance + needed + 10n ** 18n)])
  }
  const request: Record<string, string> = { from }
  if (call.to) request.to = call.to
  if (call.data) request.data = call.data
  if (call.value !== undefined) request.value = toHex(call.value)
  if (call.gas) request.gas = call.gas
  return (await devnet.request('eth_sendTransaction', [request])) as Hex
}
