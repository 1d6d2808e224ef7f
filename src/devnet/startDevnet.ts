import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { BaseError, InputError } from '../core/BaseError.js'
import type { Address, Hex } from '../core/hex.js'
import { HARDHAT_TEST_ACCOUNTS } from './hardhatTestAccounts.js'

// hardhat 2 is CommonJS and loads its native EDR module lazily; a local require keeps it out of the
// esbuild bundle (it is external there) and out of any module that does not start a devnet.
// Named `requireCjs` because the CLI bundle's banner already declares a top-level `require`.
const requireCjs = createRequire(import.meta.url)

/** A funded account whose key the devnet knows (hardhat's public test mnemonic: never for real funds). */
export type DevnetAccount = { address: Address; privateKey: Hex }

/** A running local Ethereum node. `request` goes straight to the in-process provider (no HTTP). */
export type Devnet = {
  /** `http://127.0.0.1:<port>` (JSON-RPC over HTTP). */
  url: string
  /** `ws://127.0.0.1:<port>`: the same server also speaks JSON-RPC over WebSocket (eth_subscribe). */
  wsUrl: string
  chainId: number
  hardfork: DevnetHardfork
  accounts: DevnetAccount[]
  /** Contracts installed so far, by name (`installSafeContracts` and scenarios add to it). */
  addresses: Record<string, Address>
  request(method: string, params?: unknown[]): Promise<unknown>
  stop(): Promise<void>
}

export type DevnetHardfork = 'cancun' | 'prague'

export type StartDevnetOptions = {
  /** 0 (default) picks an ephemeral port. */
  port?: number
  /** Only loopback: the devnet has unlocked accounts and cheat methods. */
  host?: '127.0.0.1'
  /** Default 31337 (hardhat's). */
  chainId?: number
  /** Number of funded accounts, 1..100. Default 10, each with 10,000 ETH. */
  accounts?: number
  /** Default 'prague' (mainnet since May 2025). */
  hardfork?: DevnetHardfork
  /** Timestamp of the genesis block. Default: now. Scenarios that replay history pass a past date. */
  initialDate?: Date
  /** Receives a few human-readable lines (start, stop). Default: silent. */
  logger?: (line: string) => void
}

export type StartDevnetReturnType = Devnet

/** The public hardhat test mnemonic; its keys are known to everyone, which is the point on a devnet. */
const TEST_MNEMONIC = 'test test test test test test test test test test test junk'
const ACCOUNT_BALANCE_WEI = '10000000000000000000000'

type Eip1193 = { request(args: { method: string; params?: unknown[] }): Promise<unknown> }

/**
 * Starts a hardhat 2 (EDR) network in this process and serves it as JSON-RPC over HTTP and
 * WebSocket on 127.0.0.1. No hardhat.config file is read: the provider is built from explicit
 * options, so tests and the CLI behave the same from any working directory. Automine is on; the
 * hardhat_* and evm_* cheat methods, `eth_getProof` and `debug_traceTransaction` are available
 * (`debug_traceBlockByNumber` is not implemented by EDR 0.3.8).
 *
 * @example
 * const devnet = await startDevnet({ port: 0 })
 * await devnet.request('eth_chainId') // '0x7a69'
 * await devnet.stop()
 */
export async function startDevnet(
  options: StartDevnetOptions = {},
): Promise<StartDevnetReturnType> {
  const port = options.port ?? 0
  const host = options.host ?? '127.0.0.1'
  const chainId = options.chainId ?? 31337
  const accountCount = options.accounts ?? 10
  const hardfork = options.hardfork ?? 'prague'
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InputError(`port must be an integer in 0..65535, got ${port}`, {
      code: 'INVALID_PORT',
      field: '--port',
    })
  if (host !== '127.0.0.1')
    throw new InputError('the devnet listens on 127.0.0.1 only', {
      code: 'INVALID_HOST',
      field: 'host',
    })
  if (!Number.isSafeInteger(chainId) || chainId < 1)
    throw new InputError(`chainId must be a positive integer, got ${chainId}`, {
      code: 'INVALID_CHAIN_ID',
      field: 'chainId',
    })
  if (!Number.isInteger(accountCount) || accountCount < 1 || accountCount > 100)
    throw new InputError(`accounts must be 1..100, got ${accountCount}`, {
      code: 'INVALID_ACCOUNTS',
      field: 'accounts',
    })

  const { createHardhatNetworkProvider } = requireCjs(
    'hardhat/internal/hardhat-network/provider/provider',
  ) as {
    createHardhatNetworkProvider: (
      config: unknown,
      logger: { enabled: boolean },
    ) => Promise<Eip1193>
  }
  const { JsonRpcHandler } = requireCjs('hardhat/internal/hardhat-network/jsonrpc/handler') as {
    JsonRpcHandler: new (
      provider: Eip1193,
    ) => { handleHttp: (req: unknown, res: unknown) => void; handleWs: (ws: unknown) => void }
  }
  const { Server: WebSocketServer } = requireCjs('ws') as {
    Server: new (options: {
      server: Server
    }) => {
      on(event: 'connection' | 'error', listener: (value: never) => void): void
      clients: Set<{ terminate(): void }>
      close(callback: (error?: Error) => void): void
    }
  }

  // Precomputed for the usual counts (deriving costs ~250 ms); derived by hardhat beyond 20.
  const accounts: DevnetAccount[] =
    accountCount <= HARDHAT_TEST_ACCOUNTS.length
      ? HARDHAT_TEST_ACCOUNTS.slice(0, accountCount).map(([address, privateKey]) => ({
          address,
          privateKey,
        }))
      : await deriveAccounts(accountCount)
  const genesisAccounts = accounts.map(({ privateKey }) => ({
    privateKey,
    balance: ACCOUNT_BALANCE_WEI,
  }))

  // The same fields hardhat's createProvider() passes for the `hardhat` network, with its defaults
  // (internal/core/config/default-config.js) except the fixed hardfork and an empty `chains` map.
  const provider = await createHardhatNetworkProvider(
    {
      chainId,
      networkId: chainId,
      hardfork,
      blockGasLimit: 60_000_000,
      minGasPrice: 0n,
      throwOnTransactionFailures: true,
      throwOnCallFailures: true,
      automine: true,
      intervalMining: 0,
      mempoolOrder: 'priority',
      chains: new Map(),
      genesisAccounts,
      allowUnlimitedContractSize: false,
      allowBlocksWithSameTimestamp: false,
      initialDate: options.initialDate,
      enableTransientStorage: false,
      enableRip7212: false,
    },
    { enabled: false },
  )

  const handler = new JsonRpcHandler(provider)
  const server = createServer()
  server.on('request', handler.handleHttp)
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new BaseError(`cannot listen on ${host}:${port}: ${error.code ?? error.message}`, {
          code: 'DEVNET_LISTEN',
          field: '--port',
          cause: error,
        }),
      ),
    )
    server.listen(port, host, () => resolve(server.address() as AddressInfo))
  })
  // Attached only once listening: ws re-emits the http server's errors, and a listen error (port
  // in use) must surface as our rejection above, not as an unhandled 'error' event.
  const wsServer = new WebSocketServer({ server })
  wsServer.on('connection', handler.handleWs)

  const url = `http://${host}:${address.port}`
  options.logger?.(`devnet: hardhat EDR (${hardfork}, chain ${chainId}) on ${url}`)

  let stopped: Promise<void> | undefined
  return {
    url,
    wsUrl: `ws://${host}:${address.port}`,
    chainId,
    hardfork,
    accounts,
    addresses: {},
    async request(method, params = []) {
      try {
        return await provider.request({ method, params })
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        throw new BaseError(`${method}: ${message.split('\n')[0]}`, {
          code: 'DEVNET_RPC',
          cause: error,
        })
      }
    },
    stop() {
      stopped ??= (async () => {
        for (const client of wsServer.clients) client.terminate()
        await new Promise<void>((resolve) => wsServer.close(() => resolve()))
        server.closeAllConnections()
        await new Promise<void>((resolve) => server.close(() => resolve()))
        options.logger?.('devnet: stopped')
      })()
      return stopped
    },
  }
}

async function deriveAccounts(count: number): Promise<DevnetAccount[]> {
  const { normalizeHardhatNetworkAccountsConfig } = requireCjs(
    'hardhat/internal/core/providers/util',
  ) as {
    normalizeHardhatNetworkAccountsConfig: (config: unknown) => { privateKey: Hex }[]
  }
  const { privateKeyToAddress } = await import('viem/accounts')
  return normalizeHardhatNetworkAccountsConfig({
    mnemonic: TEST_MNEMONIC,
    initialIndex: 0,
    count,
    path: "m/44'/60'/0'/0",
    passphrase: '',
    accountsBalance: ACCOUNT_BALANCE_WEI,
  }).map(({ privateKey }) => ({ address: privateKeyToAddress(privateKey), privateKey }))
}
