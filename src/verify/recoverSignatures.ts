import { errorFirstLine } from '../core/errorFirstLine.js'
import { hashSafeTx } from '../safe/hashSafeTx.js'
import { parseSignatures } from '../safe/parseSignatures.js'
import type { VerifyInput } from './verifySafeTransaction.js'

// Its own module so that the CLI loads secp256k1 recovery only when there are signatures.
/**
 * Splits and recovers the signatures and confirmations of an input against the safeTxHash of
 * its own fields, so that `verifySafeTransaction` can say whether they approve it. Unparseable
 * signatures become a recorded error (a finding later), not an exception.
 *
 * @example
 * const ready = await recoverSignatures({ context, tx, signatures: '0xd0afef78…' })
 * ready.recovered // [{ type: 'eth_sign', signer: '0x1F4E…', ... }, ...]
 */
export async function recoverSignatures(input: VerifyInput): Promise<VerifyInput> {
  const { safeTxHash } = hashSafeTx(input.context, input.tx)
  const out: VerifyInput = { ...input }
  if (input.signatures !== undefined && input.signatures !== '0x') {
    try {
      out.recovered = await parseSignatures(input.signatures, safeTxHash)
    } catch (error) {
      out.recovered = { error: errorFirstLine(error) }
    }
  }
  if (input.confirmations)
    out.confirmations = await Promise.all(
      input.confirmations.map(async (confirmation) => {
        try {
          const [parsed] = await parseSignatures(confirmation.signature, safeTxHash, {
            field: 'confirmation',
          })
          if (!parsed) return { ...confirmation, error: 'empty signature' }
          return { ...confirmation, signer: parsed.signer, type: parsed.type }
        } catch (error) {
          return { ...confirmation, signer: null, error: errorFirstLine(error) }
        }
      }),
    )
  return out
}
