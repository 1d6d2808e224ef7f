import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { getAddress, keccak256 } from 'viem'
import { BaseError } from '../core/BaseError.js'
import type { Address, Hex } from '../core/hex.js'
import { DEPLOYMENTS_DATA } from '../safe/deploymentsData.js'
import type { Devnet } from './startDevnet.js'

const requireCjs = createRequire(import.meta.url)

/** The Safe releases the devnet installs (L2 singletons share the other contracts of their release). */
export type DevnetSafeVersion =
  | '1.0.0'
  | '1.1.1'
  | '1.2.0'
  | '1.3.0'
  | '1.3.0+L2'
  | '1.4.1'
  | '1.4.1+L2'

export type SafeContractRole =
  | 'singleton'
  | 'proxyFactory'
  | 'multiSend'
  | 'multiSendCallOnly'
  | 'signMessageLib'
  | 'createCall'
  | 'fallbackHandler'
  | 'simulateTxAccessor'
  | 'createAndAddModules'

export type InstalledSafeContract = {
  version: DevnetSafeVersion
  role: SafeContractRole
  /** Contract name as in @safe-global/safe-deployments (or the artifact when it is not listed there). */
  name: string
  address: Address
  /** keccak256 of the runtime code placed at `address`. */
  codeHash: Hex
  /** The code hash @safe-global/safe-deployments records for the mainnet deployment; null if none. */
  expectedCodeHash: Hex | null
  codeHashMatches: boolean
  /** Why the code differs from (or cannot be checked against) mainnet; absent when it matches. */
  note?: string
}

export type InstallSafeContractsReturnType = InstalledSafeContract[]

/** Where a package's files are, found through Node's resolver so that it works from dist/ too. */
function packageDir(name: string): string {
  return dirname(requireCjs.resolve(`${name}/package.json`))
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>
}

export type SafeArtifactSource =
  | { kind: 'truffle'; pkg: string; contract: string }
  | { kind: 'hardhat'; pkg: string; path: string }

type Entry = {
  version: DevnetSafeVersion
  role: SafeContractRole
  /** safe-deployments asset `src/assets/v<release>/<file>.json`; null when the release lacks it. */
  deployment: { release: string; file: string } | null
  /** Used when `deployment` is null: mainnet address from the truffle artifact's `networks['1']`. */
  address?: Address
  source: SafeArtifactSource
  /**
   * Solidity `immutable`s: the compiler leaves zeros in the artifact's runtime code and the
   * constructor writes the value at deployment. MultiSend stores `address(this)` (to refuse
   * being CALLed), SimulateTxAccessor likewise. Offsets are the `immutableReferences` of the
   * packages' build-info files; the patched code then hashes to safe-deployments' codeHash.
   */
  selfImmutableAt?: number
  /** Why the artifact's code hash cannot equal mainnet's (checked, not silenced: see tests). */
  note?: string
}

const s100 = (contract: string): SafeArtifactSource => ({
  kind: 'truffle',
  pkg: 'safe-contracts-1.0.0',
  contract,
})
const s111 = (contract: string): SafeArtifactSource => ({
  kind: 'truffle',
  pkg: 'safe-contracts-1.1.1',
  contract,
})
const s120 = (contract: string): SafeArtifactSource => ({
  kind: 'truffle',
  pkg: 'safe-contracts-1.2.0',
  contract,
})
const s130 = (path: string): SafeArtifactSource => ({
  kind: 'hardhat',
  pkg: 'safe-contracts-1.3.0',
  path,
})
const s141 = (path: string): SafeArtifactSource => ({
  kind: 'hardhat',
  pkg: '@safe-global/safe-contracts',
  path,
})

// The 1.0.0 and 1.2.0 npm artifacts were compiled again on a developer machine when the package
// was published (their metadata names absolute paths such as /home/rmeissner/gnosis/...), and
// solc's CBOR trailer is the IPFS hash of that metadata (sources, paths, settings). The trailer
// therefore differs from the deployed one and so does the code hash; the executable part cannot be
// compared offline because no mainnet copy of the code is shipped in any package we have.
const REBUILT_ARTIFACT =
  'npm artifact recompiled at publish time: the solc metadata hash (CBOR trailer) differs from the deployed code, so the code hash cannot match; executable code not verifiable offline'

const ENTRIES: Entry[] = [
  {
    version: '1.0.0',
    role: 'singleton',
    deployment: { release: '1.0.0', file: 'gnosis_safe' },
    source: s100('GnosisSafe'),
    note: REBUILT_ARTIFACT,
  },
  {
    version: '1.0.0',
    role: 'proxyFactory',
    deployment: { release: '1.0.0', file: 'proxy_factory' },
    source: s100('ProxyFactory'),
    note: REBUILT_ARTIFACT,
  },
  {
    version: '1.0.0',
    role: 'multiSend',
    deployment: null,
    address: '0xD4B7B161E4779629C2717385114Bf78D612aEa72',
    source: s100('MultiSend'),
    note: 'not listed in safe-deployments; address from the artifact (truffle networks["1"]), no code hash to check',
  },
  {
    version: '1.0.0',
    role: 'createAndAddModules',
    deployment: null,
    address: '0x1a56aE690ab0818aF5cA349b7D21f1d7e76a3d36',
    source: s100('CreateAndAddModules'),
    note: 'not listed in safe-deployments; address from the artifact (truffle networks["1"]), no code hash to check',
  },
  {
    version: '1.1.1',
    role: 'singleton',
    deployment: { release: '1.1.1', file: 'gnosis_safe' },
    source: s111('GnosisSafe'),
  },
  {
    version: '1.1.1',
    role: 'proxyFactory',
    deployment: { release: '1.1.1', file: 'proxy_factory' },
    source: s111('ProxyFactory'),
  },
  {
    version: '1.1.1',
    role: 'multiSend',
    deployment: { release: '1.1.1', file: 'multi_send' },
    source: s111('MultiSend'),
  },
  {
    version: '1.1.1',
    role: 'createCall',
    deployment: { release: '1.1.1', file: 'create_call' },
    source: s111('CreateCall'),
  },
  {
    version: '1.1.1',
    role: 'fallbackHandler',
    deployment: { release: '1.1.1', file: 'default_callback_handler' },
    source: s111('DefaultCallbackHandler'),
  },
  {
    version: '1.1.1',
    role: 'createAndAddModules',
    deployment: { release: '1.1.1', file: 'create_and_add_modules' },
    source: s111('CreateAndAddModules'),
  },
  {
    version: '1.2.0',
    role: 'singleton',
    deployment: { release: '1.2.0', file: 'gnosis_safe' },
    source: s120('GnosisSafe'),
    note: REBUILT_ARTIFACT,
  },
  {
    version: '1.3.0',
    role: 'singleton',
    deployment: { release: '1.3.0', file: 'gnosis_safe' },
    source: s130('GnosisSafe.sol/GnosisSafe'),
  },
  {
    version: '1.3.0+L2',
    role: 'singleton',
    deployment: { release: '1.3.0', file: 'gnosis_safe_l2' },
    source: s130('GnosisSafeL2.sol/GnosisSafeL2'),
  },
  {
    version: '1.3.0',
    role: 'proxyFactory',
    deployment: { release: '1.3.0', file: 'proxy_factory' },
    source: s130('proxies/GnosisSafeProxyFactory.sol/GnosisSafeProxyFactory'),
  },
  {
    version: '1.3.0',
    role: 'multiSend',
    deployment: { release: '1.3.0', file: 'multi_send' },
    source: s130('libraries/MultiSend.sol/MultiSend'),
    selfImmutableAt: 224,
  },
  {
    version: '1.3.0',
    role: 'multiSendCallOnly',
    deployment: { release: '1.3.0', file: 'multi_send_call_only' },
    source: s130('libraries/MultiSendCallOnly.sol/MultiSendCallOnly'),
  },
  {
    version: '1.3.0',
    role: 'createCall',
    deployment: { release: '1.3.0', file: 'create_call' },
    source: s130('libraries/CreateCall.sol/CreateCall'),
  },
  {
    version: '1.3.0',
    role: 'signMessageLib',
    deployment: { release: '1.3.0', file: 'sign_message_lib' },
    source: s130('examples/libraries/SignMessage.sol/SignMessageLib'),
    // Checked in installSafeContracts.test.ts: without the CBOR trailer this code is byte-identical
    // to the 1.4.1 SignMessageLib artifact, whose full hash does match its mainnet deployment.
    note: 'npm 1.3.0 artifact differs from mainnet only in the solc metadata hash (CBOR trailer); its executable code equals the hash-verified 1.4.1 SignMessageLib',
  },
  {
    version: '1.3.0',
    role: 'fallbackHandler',
    deployment: { release: '1.3.0', file: 'compatibility_fallback_handler' },
    source: s130('handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler'),
  },
  {
    version: '1.3.0',
    role: 'simulateTxAccessor',
    deployment: { release: '1.3.0', file: 'simulate_tx_accessor' },
    source: s130('accessors/SimulateTxAccessor.sol/SimulateTxAccessor'),
    selfImmutableAt: 368,
  },
  {
    version: '1.4.1',
    role: 'singleton',
    deployment: { release: '1.4.1', file: 'safe' },
    source: s141('Safe.sol/Safe'),
  },
  {
    version: '1.4.1+L2',
    role: 'singleton',
    deployment: { release: '1.4.1', file: 'safe_l2' },
    source: s141('SafeL2.sol/SafeL2'),
  },
  {
    version: '1.4.1',
    role: 'proxyFactory',
    deployment: { release: '1.4.1', file: 'safe_proxy_factory' },
    source: s141('proxies/SafeProxyFactory.sol/SafeProxyFactory'),
  },
  {
    version: '1.4.1',
    role: 'multiSend',
    deployment: { release: '1.4.1', file: 'multi_send' },
    source: s141('libraries/MultiSend.sol/MultiSend'),
    selfImmutableAt: 224,
  },
  {
    version: '1.4.1',
    role: 'multiSendCallOnly',
    deployment: { release: '1.4.1', file: 'multi_send_call_only' },
    source: s141('libraries/MultiSendCallOnly.sol/MultiSendCallOnly'),
  },
  {
    version: '1.4.1',
    role: 'createCall',
    deployment: { release: '1.4.1', file: 'create_call' },
    source: s141('libraries/CreateCall.sol/CreateCall'),
  },
  {
    version: '1.4.1',
    role: 'signMessageLib',
    deployment: { release: '1.4.1', file: 'sign_message_lib' },
    source: s141('libraries/SignMessageLib.sol/SignMessageLib'),
  },
  {
    version: '1.4.1',
    role: 'fallbackHandler',
    deployment: { release: '1.4.1', file: 'compatibility_fallback_handler' },
    source: s141('handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler'),
  },
  {
    version: '1.4.1',
    role: 'simulateTxAccessor',
    deployment: { release: '1.4.1', file: 'simulate_tx_accessor' },
    source: s141('accessors/SimulateTxAccessor.sol/SimulateTxAccessor'),
    selfImmutableAt: 368,
  },
]

type Artifact = { abi: unknown[]; bytecode: Hex; deployedBytecode: Hex }

/** Reads a Safe contract artifact (ABI, creation and runtime code) from the npm packages. */
export function readSafeArtifact(source: SafeArtifactSource): Artifact {
  const json = readJson(artifactPath(source))
  return {
    abi: json.abi as unknown[],
    bytecode: json.bytecode as Hex,
    deployedBytecode: json.deployedBytecode as Hex,
  }
}

function artifactPath(source: SafeArtifactSource): string {
  return source.kind === 'truffle'
    ? join(packageDir(source.pkg), 'build/contracts', `${source.contract}.json`)
    : join(packageDir(source.pkg), 'build/artifacts/contracts', `${source.path}.json`)
}

/**
 * Only the runtime code, found as a string: the 1.x truffle artifacts are ~1.3 MB of JSON (ASTs,
 * sources) and parsing them all cost ~300 ms of start-up. Falls back to JSON.parse when the key
 * is not found exactly once.
 */
function readDeployedBytecode(source: SafeArtifactSource): Hex {
  const text = readFileSync(artifactPath(source), 'utf8')
  const key = '"deployedBytecode":'
  const at = text.indexOf(key)
  if (at >= 0 && text.indexOf(key, at + 1) < 0) {
    const match = /^\s*"(0x[0-9a-fA-F]*)"/.exec(
      text.slice(at + key.length, at + key.length + 80_000),
    )
    if (match?.[1]) return match[1] as Hex
  }
  return (JSON.parse(text) as { deployedBytecode: Hex }).deployedBytecode
}

/**
 * Canonical address and code hash of one safe-deployments asset, from src/safe/deploymentsData.ts
 * (the project's single copy of that package's data). That copy leaves out the 1.1.1 CreateCall
 * and CreateAndAddModules assets, which are read from the package itself.
 */
function canonicalDeployment(
  release: string,
  file: string,
  deploymentsDir: string,
): { address: Address; codeHash: Hex; contractName: string } {
  const entry = DEPLOYMENTS_DATA.entries.find((e) => e.file === `v${release}/${file}.json`)
  const canonical = entry?.deployments.canonical
  if (entry && canonical?.codeHash)
    return {
      address: canonical.address as Address,
      codeHash: canonical.codeHash as Hex,
      contractName: entry.contractName,
    }
  const json = readJson(join(deploymentsDir, `v${release}`, `${file}.json`)) as {
    contractName: string
    deployments: { canonical: { address: Address; codeHash: Hex } }
  }
  return { ...json.deployments.canonical, contractName: json.contractName }
}

type Planned = InstalledSafeContract & { code: Hex }

let planCache: Planned[] | undefined

/** Reads every artifact once per process (the 1.x truffle JSONs are ~1 MB each with their ASTs). */
function plan(): Planned[] {
  if (planCache) return planCache
  const deploymentsDir = join(packageDir('@safe-global/safe-deployments'), 'src/assets')
  planCache = ENTRIES.map((entry) => {
    let address = entry.address
    let expectedCodeHash: Hex | null = null
    let name =
      entry.source.kind === 'truffle'
        ? entry.source.contract
        : (entry.source.path.split('/').pop() ?? '')
    if (entry.deployment) {
      const canonical = canonicalDeployment(
        entry.deployment.release,
        entry.deployment.file,
        deploymentsDir,
      )
      address = canonical.address
      expectedCodeHash = canonical.codeHash
      name = canonical.contractName
    }
    if (!address)
      throw new BaseError(`no address for Safe ${entry.version} ${entry.role}`, {
        code: 'NO_SAFE_CONTRACT',
      })
    let code = readDeployedBytecode(entry.source).toLowerCase() as Hex
    if (entry.selfImmutableAt !== undefined) {
      const at = 2 + entry.selfImmutableAt * 2
      code =
        `${code.slice(0, at)}${address.slice(2).toLowerCase().padStart(64, '0')}${code.slice(at + 64)}` as Hex
    }
    const codeHash = keccak256(code)
    const codeHashMatches = expectedCodeHash !== null && codeHash === expectedCodeHash
    return {
      version: entry.version,
      role: entry.role,
      name,
      address: getAddress(address),
      codeHash,
      expectedCodeHash,
      codeHashMatches,
      ...(codeHashMatches
        ? {}
        : { note: entry.note ?? 'code hash differs from safe-deployments (unexplained)' }),
      code,
    }
  })
  return planCache
}

/** The key under which `devnet.addresses` lists a Safe contract, e.g. `safe-1.3.0/multiSendCallOnly`. */
export function safeContractKey(version: DevnetSafeVersion, role: SafeContractRole): string {
  return `safe-${version}/${role}`
}

/**
 * The Safe contracts the devnet installs, with their mainnet addresses and code-hash checks,
 * without touching a devnet. Pure apart from reading the npm artifacts.
 *
 * @example
 * listSafeContracts().find((c) => c.version === '1.1.1' && c.role === 'singleton')?.address
 * // '0x34CfAC646f301356fAa8B21e94227e3583Fe3F5F'
 */
export function listSafeContracts(): InstalledSafeContract[] {
  return plan().map(({ code: _code, ...contract }) => contract)
}

/**
 * Installs the Safe singletons, proxy factories, MultiSend, MultiSendCallOnly, SignMessageLib,
 * CreateCall and fallback handlers of 1.0.0, 1.1.1, 1.2.0, 1.3.0 (+L2) and 1.4.1 (+L2) at their
 * canonical mainnet addresses with `hardhat_setCode`. The original deployments cannot be replayed
 * (1.0.0-1.2.0 came from ordinary deployer nonces; 1.3.0+ through CREATE2 factories whose exact
 * creation code is not in the packages for every contract), so runtime code is set directly and
 * its keccak256 compared with safe-deployments' `codeHash`; every mismatch carries its reason.
 * Adds each address to `devnet.addresses` under `safeContractKey(version, role)`.
 *
 * @example
 * const devnet = await startDevnet()
 * const installed = await installSafeContracts(devnet)
 * devnet.addresses['safe-1.4.1/singleton'] // '0x41675C099F32341bf84BFc5382aF534df5C7461a'
 */
export async function installSafeContracts(
  devnet: Devnet,
): Promise<InstallSafeContractsReturnType> {
  const planned = plan()
  await Promise.all(
    planned.map((contract) => devnet.request('hardhat_setCode', [contract.address, contract.code])),
  )
  for (const contract of planned)
    devnet.addresses[safeContractKey(contract.version, contract.role)] = contract.address
  return listSafeContracts()
}

/**
 * Address of a Safe contract on the devnet, resolving what a release shares with another one:
 * L2 singletons use their release's other contracts, and 1.2.0 was released with only a new
 * singleton (safe-deployments lists 1.1.1's factory, MultiSend and handlers for it).
 *
 * @example
 * safeContractAddress('1.3.0+L2', 'proxyFactory') // '0xa6B71E26C5e0845f74c812102Ca7114b6a896AB2'
 */
export function safeContractAddress(version: DevnetSafeVersion, role: SafeContractRole): Address {
  const contracts = plan()
  const find = (v: DevnetSafeVersion) =>
    contracts.find((c) => c.version === v && c.role === role)?.address
  const base: DevnetSafeVersion | undefined =
    version === '1.3.0+L2'
      ? '1.3.0'
      : version === '1.4.1+L2'
        ? '1.4.1'
        : version === '1.2.0'
          ? '1.1.1'
          : undefined
  const address = find(version) ?? (base ? find(base) : undefined)
  if (!address) throw new BaseError(`Safe ${version} has no ${role}`, { code: 'NO_SAFE_CONTRACT' })
  return address
}
