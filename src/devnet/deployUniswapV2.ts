import { createRequire } from 'node:module'
import { type Abi, getAddress, keccak256 } from 'viem'
import { BaseError } from '../core/BaseError.js'
import type { Address, Hex } from '../core/hex.js'
import { placeContract } from './placeContract.js'
import type { Devnet } from './startDevnet.js'

const requireCjs = createRequire(import.meta.url)

/** Mainnet addresses of Uniswap V2 and WETH9; the devnet puts the npm builds there. */
export const UNISWAP_V2 = {
  weth: '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2',
  factory: '0x5C69bEe701ef814a2B6a3EDD4B1652CB9cc5aA6f',
  router02: '0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D',
} as const

export type UniswapV2Deployment = {
  weth: Address
  factory: Address
  router: Address
  /** keccak256 of UniswapV2Pair's creation code: the router's pairFor() must use this value. */
  pairInitCodeHash: Hex
  abis: { weth: Abi; factory: Abi; router: Abi; pair: Abi }
}

type WaffleArtifact = { abi: Abi; evm: { bytecode: { object: string } } }
const artifact = (path: string) => requireCjs(path) as WaffleArtifact
const creationCode = (a: WaffleArtifact) => `0x${a.evm.bytecode.object.replace(/^0x/, '')}` as Hex

/**
 * Deploys WETH9, UniswapV2Factory and UniswapV2Router02 from the @uniswap/v2-core and
 * v2-periphery npm builds and places them at their mainnet addresses (constructors run in a normal
 * deployment first, so the router's immutable factory/WETH and WETH's name/symbol/decimals are
 * right). The router finds pairs by CREATE2 with a hard-coded init code hash: in the npm builds it
 * is 0x96e8ac4277198ff8…845f, the hash of the npm UniswapV2Pair creation code, not mainnet's
 * 0x96e8ac42782006f7…3e6d (different solc metadata), so the npm router and factory agree with
 * each other, and pair addresses differ from mainnet's. Checked here, not assumed.
 *
 * @example
 * const uniswap = await deployUniswapV2(devnet)
 * uniswap.router // '0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D'
 */
export async function deployUniswapV2(devnet: Devnet): Promise<UniswapV2Deployment> {
  const weth9 = artifact('@uniswap/v2-periphery/build/WETH9.json')
  const factory = artifact('@uniswap/v2-core/build/UniswapV2Factory.json')
  const router = artifact('@uniswap/v2-periphery/build/UniswapV2Router02.json')
  const pair = artifact('@uniswap/v2-core/build/UniswapV2Pair.json')
  const pairInitCodeHash = keccak256(creationCode(pair))
  if (!router.evm.bytecode.object.includes(pairInitCodeHash.slice(2)))
    throw new BaseError(
      `UniswapV2Router02 does not use the pair init code hash ${pairInitCodeHash}`,
      {
        code: 'DEVNET_SCENARIO_BROKEN',
      },
    )
  const feeToSetter = devnet.accounts[0]?.address as Address
  // WETH9 keeps name, symbol, decimals in slots 0-2; the factory feeTo, feeToSetter in slots 0-1.
  await placeContract(devnet, UNISWAP_V2.weth, {
    abi: weth9.abi,
    bytecode: creationCode(weth9),
    copySlots: 3,
  })
  await placeContract(devnet, UNISWAP_V2.factory, {
    abi: factory.abi,
    bytecode: creationCode(factory),
    args: [feeToSetter],
    copySlots: 2,
  })
  await placeContract(devnet, UNISWAP_V2.router02, {
    abi: router.abi,
    bytecode: creationCode(router),
    args: [UNISWAP_V2.factory, UNISWAP_V2.weth],
  })
  Object.assign(devnet.addresses, {
    'uniswapV2/weth': UNISWAP_V2.weth,
    'uniswapV2/factory': UNISWAP_V2.factory,
    'uniswapV2/router02': UNISWAP_V2.router02,
  })
  return {
    weth: getAddress(UNISWAP_V2.weth),
    factory: getAddress(UNISWAP_V2.factory),
    router: getAddress(UNISWAP_V2.router02),
    pairInitCodeHash,
    abis: { weth: weth9.abi, factory: factory.abi, router: router.abi, pair: pair.abi },
  }
}
