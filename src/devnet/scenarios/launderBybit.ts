import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import {
  encodeFunctionData,
  getAddress,
  keccak256,
  numberToHex,
  parseAbi,
  parseEther,
  stringToHex,
} from 'viem'
import { BaseError } from '../../core/BaseError.js'
import type { Address, Hex } from '../../core/hex.js'
import { mulberry32 } from '../../core/mulberry32.js'
import { deployUniswapV2 } from '../deployUniswapV2.js'
import { devnetContract } from '../devnetContract.js'
import { sendAs } from '../execSafeTransaction.js'
import { deployContract, placeContract } from '../placeContract.js'
import type { Devnet } from '../startDevnet.js'
import { BYBIT, type BybitTheftResult } from './bybit.js'

/**
 * The 49 "~10,000 ETH tranche" wallets of bybit_eth_addresses.tsv (category `splitter`, most of
 * them on the FBI's TraderTraitor list), so that labels and screening meet real addresses.
 */
export const BYBIT_SPLITTERS: readonly Address[] = [
  '0x36ed3C0213565530C35115d93A80F9c04d94E4Cb',
  '0xAF620E6d32B1c67f3396EF5d2F7d7642Dc2e6CE9',
  '0x3A21F4E6Bbe527D347ca7c157F4233c935779847',
  '0xfa3FcCCB897079fD83bfBA690E7D47Eb402d6c49',
  '0xFc926659Dd8808f6e3e0a8d61B20B871F3Fa6465',
  '0x83c7678492D623fb98834F0fbcb2E7b7f5Af8950',
  '0x96244D83DC15d36847C35209bBDc5bdDE9bEc3D8',
  '0x83Ef5E80faD88288F770152875Ab0bb16641a09E',
  '0x51E9d833Ecae4E8D9D8Be17300AEE6D3398C135D',
  '0xCd1a4A457cA8b0931c3BF81Df3CFa227ADBdb6E9',
  '0x1eB27f136BFe7947f80d6ceE3Cf0bfDf92b45e57',
  '0x52207Ec7B1b43AA5DB116931a904371ae2C1619e',
  '0x09278b36863bE4cCd3d0c22d643E8062D7a11377',
  '0x23Db729908137cb60852f2936D2b5c6De0e1c887',
  '0xB72334cB9D0b614D30C4c60e2bd12fF5Ed03c305',
  '0x2290937A4498C96eFfb87b8371a33D108F8D433f',
  '0xb172F7e99452446f18FF49A71bfEeCf0873003b4',
  '0x6d46bd3AfF100f23C194e5312f93507978a6DC91',
  '0x30a822CDD2782D2B2A12a08526452e885978FA1D',
  '0xB4a862A81aBB2f952FcA4C6f5510962e18c7f1A2',
  '0x140c9Ab92347734641b1A7c124ffDeE58c20C3E3',
  '0xCd7eC020121Ead6f99855cbB972dF502dB5bC63a',
  '0xf0a16603289eAF35F64077Ba3681af41194a1c09',
  '0x40e98FeEEbaD7Ddb0F0534Ccaa617427eA10187e',
  '0x959c4CA19c4532C97A657D82d97acCBAb70e6fb4',
  '0x0e8C1E2881F35Ef20343264862A242FB749d6b35',
  '0x8c7235e1A6EeF91b980D0FcA083347FBb7EE1806',
  '0x1bb0970508316DC735329752a4581E0a4bAbc6B4',
  '0x660BfcEa3A5FAF823e8f8bF57dd558db034dea1d',
  '0x5Af75eAB6BEC227657fA3E749a8BFd55f02e4b1D',
  '0xBC3e5e8C10897a81b63933348f53f2e052F89a7E',
  '0x4C198B3B5F3a4b1Aa706daC73D826c2B795ccd67',
  '0x9271EDdda0F0f2bB7b1A0c712bdF8dbD0A38d1Ab',
  '0x684d4b58Dc32af786BF6D572A792fF7A883428B9',
  '0xbdE2Cc5375fa9E0383309A2cA31213f2D6cabcbd',
  '0xe69753Ddfbedbd249E703EB374452E78dae1ae49',
  '0x9eF42873Ae015AA3da0c4354AeF94a18D2B3407b',
  '0xD3C611AeD139107DEC2294032da3913BC26507fb',
  '0xE9bc552fdFa54b30296d95F147e3e0280FF7f7e6',
  '0xBCA02B395747D62626a65016F2e64A20bd254A39',
  '0xF302572594a68aA8F951faE64ED3aE7DA41c72Be',
  '0x21032176B43d9f7E9410fB37290a78f4fEd6044C',
  '0xD5b58Cf7813c1eDC412367b97876bD400ea5c489',
  '0xA5A023E052243b7cce34Cbd4ba20180e8Dea6Ad6',
  '0x723a7084028421994d4a7829108D63aB44658315',
  '0x1512fcb09463A61862B73ec09B9b354aF1790268',
  '0xEB0bAA3A556586192590CAD296b1e48dF62a8549',
  '0xf03AfB1c6A11A7E370920ad42e6eE735dBedF0b1',
  '0x55CCa2f5eB07907696afe4b9Db5102bcE5feB734',
]

/** THORChain's Ethereum router (tsv) and vaults seen in bybit_thorchain_deposit_examples.tsv. */
export const THORCHAIN = {
  router: '0xD37BbE5744D730a1d98d8DC97c42F0Ca46aD7146',
  vaults: [
    '0x85098119eab098f62d542714f82001be30a208af',
    '0x3b4aa5be6301829285f336e6b7f1f9543ca76872',
    '0x996b24069c31a485e07408370125952b0ff44c0a',
    '0x72eb2f7fe7b3e672443dd9639c9ecd3f8bd09393',
    '0x69a836a822a3c7dde5caa82ed05157032d168da9',
  ],
} as const

/** Proceeds of the LST swaps went here (tsv: "98,048 ETH (swapped LST proceeds)"). */
export const BYBIT_SWAP_PROCEEDS: Address = '0xdD90071D52F20e85c89802e5Dc1eC0A7B6475f92'

/** A made-up exchange: its hot wallet is derived from a fixed string, not a real exchange's address. */
export const DEVNET_EXCHANGE_HOT_WALLET: Address = getAddress(
  `0x${keccak256(stringToHex('heistguard devnet exchange hot wallet')).slice(-40)}`,
)

export type LaunderBybitParameters = {
  /** Drives amounts, routes, memos and timing. Same seed, same chain history. */
  seed: number
  /** Writes the ground truth JSON here as well as returning it. */
  groundTruthPath?: string
  /** The theft's result, to name its transaction in the ground truth. */
  theft?: BybitTheftResult
}

/** One movement of stolen value, as the scenario made it. Amounts are decimal strings of wei. */
export type GroundTruthTransfer = {
  step: 'fund-gas' | 'forward-lst' | 'swap' | 'split' | 'bridge' | 'exchange-deposit'
  heist: 'bybit'
  token: 'ETH' | 'stETH' | 'mETH' | 'cmETH'
  from: Address
  to: Address
  amount: string
  txHash: Hex
  block: number
  timestamp: number
}

export type BybitGroundTruth = {
  scenario: 'bybit'
  seed: number
  chainId: number
  tokens: Record<'stETH' | 'mETH' | 'cmETH' | 'WETH', Address>
  heists: {
    bybit: { victim: Address; execTransactionHash: Hex | null; stolen: Record<string, string> }
  }
  transfers: GroundTruthTransfer[]
  exits: {
    bridge: {
      txHash: Hex
      from: Address
      router: Address
      vault: Address
      amount: string
      memo: string
    }[]
    exchange: {
      txHash: Hex
      from: Address
      depositAddress: Address
      hotWallet: Address
      amount: string
    }[]
  }
  /** Total stolen value each address received, per heist and token (wei, decimal strings). */
  received: Record<Address, { bybit: Partial<Record<GroundTruthTransfer['token'], string>> }>
  /** What each attacker-controlled address still holds at the end (wei; ETH net of gas paid). */
  holdings: Record<Address, Partial<Record<GroundTruthTransfer['token'], string>>>
  addresses: Record<string, Address>
}

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l'
const erc20Abi = parseAbi([
  'function approve(address spender, uint256 amount) returns (bool)',
  'function transfer(address to, uint256 amount) returns (bool)',
  'function balanceOf(address) view returns (uint256)',
  'function mint(address to, uint256 amount)',
])
const routerAbi = parseAbi([
  'function addLiquidityETH(address token, uint256 amountTokenDesired, uint256 amountTokenMin, uint256 amountETHMin, address to, uint256 deadline) payable returns (uint256, uint256, uint256)',
  'function swapExactTokensForETH(uint256 amountIn, uint256 amountOutMin, address[] path, address to, uint256 deadline) returns (uint256[])',
])
const bridgeAbi = parseAbi([
  'function depositWithExpiry(address vault, address asset, uint256 amount, string memo, uint256 expiration) payable',
])
const GAS_RESERVE = parseEther('0.1')
const ZERO: Address = '0x0000000000000000000000000000000000000000'

/**
 * The first laundering stage after `executeBybitTheft`, generated from `seed`: the LSTs are moved
 * to 0xA4B2…449e and swapped to ETH on a real Uniswap V2 deployment (proceeds to 0xdD90…5f92), the
 * ETH is split into ~10,000 ETH tranches over the 49 real tranche wallets, most of which bridge it
 * through a THORChain-style router with `=:BTC.BTC:bc1q…` memos, a few pay an exchange deposit
 * address that forwards to the exchange's hot wallet, and some simply hold. Every step is its own
 * block with increasing timestamps. Returns the ground truth (and writes it to `groundTruthPath`).
 *
 * @example
 * await setupBybit(devnet); await executeBybitTheft(devnet)
 * const truth = await launderBybit(devnet, { seed: 1, groundTruthPath: '.tmp/bybit-truth.json' })
 * truth.exits.bridge.length // ~100
 */
export async function launderBybit(
  devnet: Devnet,
  parameters: LaunderBybitParameters,
): Promise<BybitGroundTruth> {
  const random = mulberry32(parameters.seed)
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1))
  const transfers: GroundTruthTransfer[] = []
  const bridgeExits: BybitGroundTruth['exits']['bridge'] = []
  const exchangeExits: BybitGroundTruth['exits']['exchange'] = []

  const headTime = async () =>
    Number(
      BigInt(
        ((await devnet.request('eth_getBlockByNumber', ['latest', false])) as { timestamp: Hex })
          .timestamp,
      ),
    )
  let clock = await headTime()
  const tick = async (minSeconds: number, maxSeconds: number) => {
    clock += between(minSeconds, maxSeconds)
    await devnet.request('evm_setNextBlockTimestamp', [numberToHex(clock)])
  }
  const mined = async (hash: Hex) => {
    const receipt = (await devnet.request('eth_getTransactionReceipt', [hash])) as {
      status: Hex
      blockNumber: Hex
    } | null
    if (receipt?.status !== '0x1')
      throw new BaseError('laundering step failed', {
        code: 'DEVNET_SCENARIO_BROKEN',
        details: hash,
      })
    return { block: Number(BigInt(receipt.blockNumber)), timestamp: clock }
  }
  const ethBalance = async (a: Address) =>
    BigInt((await devnet.request('eth_getBalance', [a, 'latest'])) as Hex)
  const tokenBalance = async (token: Address, holder: Address) =>
    BigInt(
      (await devnet.request('eth_call', [
        {
          to: token,
          data: encodeFunctionData({ abi: erc20Abi, functionName: 'balanceOf', args: [holder] }),
        },
        'latest',
      ])) as Hex,
    )
  const record = async (
    step: GroundTruthTransfer['step'],
    token: GroundTruthTransfer['token'],
    from: Address,
    to: Address,
    amount: bigint,
    txHash: Hex,
  ) => {
    const { block, timestamp } = await mined(txHash)
    transfers.push({
      step,
      heist: 'bybit',
      token,
      from: getAddress(from),
      to: getAddress(to),
      amount: amount.toString(),
      txHash,
      block,
      timestamp,
    })
  }
  const sendEth = async (
    step: GroundTruthTransfer['step'],
    from: Address,
    to: Address,
    amount: bigint,
  ) => {
    await tick(20, 240)
    await record(step, 'ETH', from, to, amount, await sendAs(devnet, from, { to, value: amount }))
  }

  if ((await ethBalance(BYBIT.exploiter1)) === 0n)
    throw new BaseError('run executeBybitTheft before launderBybit', {
      code: 'DEVNET_SCENARIO_ORDER',
    })

  // Infrastructure (not part of the laundering trail): Uniswap V2 with deep stETH and mETH pools
  // provided by a market maker, the bridge router at THORChain's address, an exchange deposit.
  const uniswap = await deployUniswapV2(devnet)
  const maker = devnet.accounts[1]?.address ?? (devnet.accounts[0]?.address as Address)
  const minter = devnet.accounts[0]?.address as Address
  await devnet.request('hardhat_setBalance', [maker, numberToHex(parseEther('5000000'))])
  const pools = { stETH: parseEther('2000000'), mETH: parseEther('200000') }
  for (const symbol of ['stETH', 'mETH'] as const) {
    const token = BYBIT.tokens[symbol]
    await sendAs(devnet, minter, {
      to: token,
      data: encodeFunctionData({
        abi: erc20Abi,
        functionName: 'mint',
        args: [maker, pools[symbol]],
      }),
    })
    await sendAs(devnet, maker, {
      to: token,
      data: encodeFunctionData({
        abi: erc20Abi,
        functionName: 'approve',
        args: [uniswap.router, pools[symbol]],
      }),
    })
    await sendAs(devnet, maker, {
      to: uniswap.router,
      value: pools[symbol],
      data: encodeFunctionData({
        abi: routerAbi,
        functionName: 'addLiquidityETH',
        args: [token, pools[symbol], 0n, 0n, maker, BigInt(clock + 86_400 * 365)],
      }),
    })
  }
  await placeContract(devnet, THORCHAIN.router, devnetContract('BridgeRouter'))
  const exchangeDeposit = (
    await deployContract(devnet, {
      ...devnetContract('DepositForwarder'),
      args: [DEVNET_EXCHANGE_HOT_WALLET],
    })
  ).address
  // Infrastructure blocks take wall-clock timestamps. The laundering clock restarts one hour
  // after the start, not from them: deadlines and expiries are calldata, and a clock read from
  // the wall would change tx hashes from run to run (the same seed must replay the same chain).
  clock = Math.max(clock + 3600, await headTime())

  // 1. LSTs to the LST holder, who gets 1 ETH of gas money from the exploiter, then swaps.
  const stETHAmount = await tokenBalance(BYBIT.tokens.stETH, BYBIT.exploiter1)
  await tick(60, 300)
  await record(
    'forward-lst',
    'stETH',
    BYBIT.exploiter1,
    BYBIT.lstHolder,
    stETHAmount,
    await sendAs(devnet, BYBIT.exploiter1, {
      to: BYBIT.tokens.stETH,
      data: encodeFunctionData({
        abi: erc20Abi,
        functionName: 'transfer',
        args: [BYBIT.lstHolder, stETHAmount],
      }),
    }),
  )
  await sendEth('fund-gas', BYBIT.exploiter1, BYBIT.lstHolder, parseEther('1'))
  for (const symbol of ['stETH', 'mETH'] as const) {
    const token = BYBIT.tokens[symbol]
    const amount = await tokenBalance(token, BYBIT.lstHolder)
    await tick(30, 180)
    await mined(
      await sendAs(devnet, BYBIT.lstHolder, {
        to: token,
        data: encodeFunctionData({
          abi: erc20Abi,
          functionName: 'approve',
          args: [uniswap.router, amount],
        }),
      }),
    )
    const before = await ethBalance(BYBIT_SWAP_PROCEEDS)
    await tick(12, 120)
    const hash = await sendAs(devnet, BYBIT.lstHolder, {
      to: uniswap.router,
      data: encodeFunctionData({
        abi: routerAbi,
        functionName: 'swapExactTokensForETH',
        args: [amount, 0n, [token, uniswap.weth], BYBIT_SWAP_PROCEEDS, BigInt(clock + 3600)],
      }),
    })
    await mined(hash)
    // The swap's two legs: tokens into the pool, ETH out of the router to the proceeds wallet.
    await record('swap', symbol, BYBIT.lstHolder, uniswap.router, amount, hash)
    await record(
      'swap',
      'ETH',
      uniswap.router,
      BYBIT_SWAP_PROCEEDS,
      (await ethBalance(BYBIT_SWAP_PROCEEDS)) - before,
      hash,
    )
  }

  // 2. Tranches of ~10,000 ETH: 40 wallets from the exploiter, 9 from the swap proceeds.
  const tranche = () => parseEther('10000') + parseEther(String(between(0, 30)))
  const fromExploiter = BYBIT_SPLITTERS.slice(0, 40)
  const fromProceeds = BYBIT_SPLITTERS.slice(40)
  for (const wallet of fromExploiter) await sendEth('split', BYBIT.exploiter1, wallet, tranche())
  for (const wallet of fromProceeds) {
    const available = (await ethBalance(BYBIT_SWAP_PROCEEDS)) - GAS_RESERVE
    if (available < parseEther('10030')) break
    await sendEth('split', BYBIT_SWAP_PROCEEDS, wallet, tranche())
  }

  // 3. Exits: most tranche wallets bridge to BTC in 2-4 deposits; at least 3 pay the exchange.
  const order = [...BYBIT_SPLITTERS]
  for (let i = order.length - 1; i > 0; i--) {
    const j = between(0, i)
    ;[order[i], order[j]] = [order[j] as Address, order[i] as Address]
  }
  const routes = new Map<Address, 'bridge' | 'exchange' | 'hold'>()
  for (const [i, wallet] of order.entries())
    routes.set(wallet, i < 3 ? 'exchange' : random() < 0.85 ? 'bridge' : 'hold')
  for (const wallet of order) {
    const route = routes.get(wallet)
    let balance = await ethBalance(wallet)
    if (balance <= GAS_RESERVE || route === 'hold') continue
    const parts = route === 'bridge' ? between(2, 4) : between(1, 2)
    for (let part = 0; part < parts; part++) {
      const spendable = balance - GAS_RESERVE
      const amount = part === parts - 1 ? spendable : (spendable * BigInt(between(25, 60))) / 100n
      await tick(30, 900)
      if (route === 'bridge') {
        const vault = getAddress(
          THORCHAIN.vaults[between(0, THORCHAIN.vaults.length - 1)] as Address,
        )
        const btc = `bc1q${Array.from({ length: 38 }, () => BECH32[between(0, 31)]).join('')}`
        const memo = `=:BTC.BTC:${btc}:0/1/0`
        const hash = await sendAs(devnet, wallet, {
          to: THORCHAIN.router,
          value: amount,
          data: encodeFunctionData({
            abi: bridgeAbi,
            functionName: 'depositWithExpiry',
            args: [vault, ZERO, amount, memo, BigInt(clock + 900)],
          }),
        })
        await record('bridge', 'ETH', wallet, vault, amount, hash)
        bridgeExits.push({
          txHash: hash,
          from: wallet,
          router: getAddress(THORCHAIN.router),
          vault,
          amount: amount.toString(),
          memo,
        })
      } else {
        const hash = await sendAs(devnet, wallet, { to: exchangeDeposit, value: amount })
        await record('exchange-deposit', 'ETH', wallet, DEVNET_EXCHANGE_HOT_WALLET, amount, hash)
        exchangeExits.push({
          txHash: hash,
          from: wallet,
          depositAddress: exchangeDeposit,
          hotWallet: DEVNET_EXCHANGE_HOT_WALLET,
          amount: amount.toString(),
        })
      }
      balance = await ethBalance(wallet)
    }
  }

  // Ground truth: totals received per address, and what attacker wallets still hold.
  const received: BybitGroundTruth['received'] = {}
  for (const t of transfers) {
    const entry = received[t.to] ?? { bybit: {} }
    received[t.to] = entry
    entry.bybit[t.token] = (BigInt(entry.bybit[t.token] ?? '0') + BigInt(t.amount)).toString()
  }
  const holdings: BybitGroundTruth['holdings'] = {}
  for (const wallet of [
    BYBIT.exploiter1,
    BYBIT.lstHolder,
    BYBIT_SWAP_PROCEEDS,
    BYBIT.cmethHolder,
    ...BYBIT_SPLITTERS,
  ]) {
    const held: BybitGroundTruth['holdings'][Address] = {}
    const eth = await ethBalance(wallet)
    if (eth > 0n) held.ETH = eth.toString()
    for (const symbol of ['stETH', 'mETH', 'cmETH'] as const) {
      const amount = await tokenBalance(BYBIT.tokens[symbol], wallet)
      if (amount > 0n) held[symbol] = amount.toString()
    }
    if (Object.keys(held).length > 0) holdings[getAddress(wallet)] = held
  }
  const addresses = {
    'bybit/thorchainRouter': getAddress(THORCHAIN.router),
    'bybit/swapProceeds': BYBIT_SWAP_PROCEEDS,
    'bybit/lstHolder': BYBIT.lstHolder,
    'exchange/depositAddress': exchangeDeposit,
    'exchange/hotWallet': DEVNET_EXCHANGE_HOT_WALLET,
  }
  Object.assign(devnet.addresses, addresses)
  const truth: BybitGroundTruth = {
    scenario: 'bybit',
    seed: parameters.seed,
    chainId: devnet.chainId,
    tokens: { ...BYBIT.tokens, WETH: uniswap.weth },
    heists: {
      bybit: {
        victim: BYBIT.safe,
        execTransactionHash: parameters.theft?.execTransactionHash ?? null,
        stolen: {
          ETH: BYBIT.balances.eth.toString(),
          stETH: BYBIT.balances.stETH.toString(),
          mETH: BYBIT.balances.mETH.toString(),
          cmETH: BYBIT.balances.cmETH.toString(),
        },
      },
    },
    transfers,
    exits: { bridge: bridgeExits, exchange: exchangeExits },
    received,
    holdings,
    addresses: { ...addresses, ...uniswapAddresses(uniswap) },
  }
  if (parameters.groundTruthPath) {
    mkdirSync(dirname(parameters.groundTruthPath), { recursive: true })
    writeFileSync(parameters.groundTruthPath, `${JSON.stringify(truth, null, 2)}\n`)
  }
  return truth
}

function uniswapAddresses(uniswap: { weth: Address; factory: Address; router: Address }) {
  return {
    'uniswapV2/weth': uniswap.weth,
    'uniswapV2/factory': uniswap.factory,
    'uniswapV2/router02': uniswap.router,
  }
}
