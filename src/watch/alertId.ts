import { createHash } from 'node:crypto'

/**
 * The stable id of an alert: SHA-256 over (chain id, block hash, tx hash, detector,
 * discriminator). A crash and a replay of the same block produce the same id, which is also the
 * receiver's idempotency key; a block on another branch has another hash, so another id.
 *
 * @example
 * alertId({ chainId: 1, blockHash: '0xab..', txHash: '0xcd..', detector: 'outflow', discriminator: 'eth:0' })
 */
export function alertId(parts: {
  chainId: number
  blockHash: string
  txHash: string | null
  detector: string
  discriminator: string
}): string {
  const text = [
    parts.chainId,
    parts.blockHash.toLowerCase(),
    (parts.txHash ?? '').toLowerCase(),
    parts.detector,
    parts.discriminator,
  ].join('\n')
  return `0x${createHash('sha256').update(text).digest('hex')}`
}
