import { describe, expect, it } from 'vitest'
import { SAFE_TYPEHASHES } from './typehashes.js'

// Literals copied from the Safe sources in node_modules (GnosisSafe.sol 1.0.0-1.3.0, Safe.sol
// 1.4.1, CompatibilityFallbackHandler.sol); safeTxDataGas from GnosisSafe.sol v0.1.0
// (safe-global/safe-smart-account tag v0.1.0), also used by pcaversaccio/safe-tx-hashes-util.
describe('SAFE_TYPEHASHES', () => {
  it('match the constants in the Safe contracts', () => {
    expect(SAFE_TYPEHASHES).toEqual({
      domainLegacy: '0x035aff83d86937d35b32e04f0ddc6ff469290eef2f1b692d8a815c89404d4749',
      domain: '0x47e79534a245952e8b16893a336b85a3d9ea9fa8c573f3d803afb92a79469218',
      safeTxDataGas: '0x14d461bc7412367e924637b363c7bf29b8f47e2f84869f4426e5633d8af47b20',
      safeTx: '0xbb8310d486368db6bd6f849402fdd73ad53d316b5a4b2644ad6efe0f941286d8',
      safeMessage: '0x60b3cbf8b4a223d68d641b3b6ddf9a298e7f33710cf3d3a9d1146b5a6150fbca',
    })
  })
})
