import { BaseError, type BaseErrorParameters } from '../core/BaseError.js'

/**
 * The smallest JSON-RPC surface the chain code needs. `createHttpRpcClient` builds one over HTTP;
 * a failover client (several URLs) or the in-process devnet provide the same shape.
 * `request` resolves with the JSON-RPC `result` and rejects with a `RpcRequestError` (or another
 * BaseError); it must never hang: every implementation bounds each call with a timeout.
 */
export type RpcClient = {
  request(method: string, params: unknown[]): Promise<unknown>
}

/**
 * Stable `code`s of RpcRequestError:
 * - `RPC_UNREACHABLE`: connection refused, DNS failure, TLS failure, connection reset.
 * - `RPC_TIMEOUT`: no complete answer within the client's timeout.
 * - `RPC_HTTP_ERROR`: the server answered with a non-2xx HTTP status.
 * - `RPC_BAD_RESPONSE`: the body is not a JSON-RPC response.
 * - `RPC_ERROR`: a JSON-RPC error object (its numeric code is `rpcCode`).
 * - `RPC_WRONG_CHAIN`: the endpoint serves another chain than the caller expected.
 */
export type RpcErrorCode =
  | 'RPC_UNREACHABLE'
  | 'RPC_TIMEOUT'
  | 'RPC_HTTP_ERROR'
  | 'RPC_BAD_RESPONSE'
  | 'RPC_ERROR'
  | 'RPC_WRONG_CHAIN'

/** A failed JSON-RPC call. The message names the method and the endpoint without credentials. */
export class RpcRequestError extends BaseError {
  override name = 'RpcRequestError'
  readonly method: string
  /** The JSON-RPC error code (e.g. -32601 method not found) when the node answered with one. */
  readonly rpcCode: number | undefined
  /** The HTTP status when the server answered with a non-2xx status. */
  readonly status: number | undefined

  constructor(
    shortMessage: string,
    parameters: Omit<BaseErrorParameters, 'code' | 'exitCode'> & {
      code: RpcErrorCode
      method: string
      rpcCode?: number
      status?: number
    },
  ) {
    super(shortMessage, { ...parameters, exitCode: 1 })
    this.method = parameters.method
    this.rpcCode = parameters.rpcCode
    this.status = parameters.status
  }
}

/**
 * JSON-RPC "method not found" / "not supported" answers (geth -32601, hardhat -32004), used to
 * pick a fallback method.
 *
 * @example
 * try { await client.request('eth_getProof', params) } catch (e) { if (!isMethodUnsupported(e)) throw e }
 */
export function isMethodUnsupported(error: unknown): boolean {
  if (!(error instanceof RpcRequestError)) return false
  if (error.rpcCode === -32601 || error.rpcCode === -32004) return true
  return (
    error.code === 'RPC_ERROR' && /not (supported|found|available)|unsupported/i.test(error.message)
  )
}
