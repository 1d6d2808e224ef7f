import type { AbiFunction } from 'viem'
import { parse as parseYaml } from 'yaml'
import { InputError } from '../../core/BaseError.js'
import type { AbiSource } from './createRegistry.js'

/**
 * Reads a user ABI file (JSON or YAML): an array of ABI items, an object with an `abi` array
 * (Hardhat/Foundry artifacts, Etherscan downloads), or human-readable `function ...` strings.
 * Only functions are kept; anything else in the file is ignored.
 *
 * @example
 * parseAbiFile('["function sweep(address to)"]', 'vault.json').abi.length // 1
 */
export function parseAbiFile(text: string, source: string): AbiSource {
  let data: unknown
  try {
    data = source.endsWith('.json') ? JSON.parse(text) : parseYaml(text)
  } catch (error) {
    throw new InputError(
      `not valid ${source.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`,
      {
        code: 'INVALID_ABI',
        field: source,
      },
    )
  }
  const items = Array.isArray(data) ? data : (data as { abi?: unknown } | null)?.abi
  if (!Array.isArray(items))
    throw new InputError('expected an ABI array or an object with an "abi" array', {
      code: 'INVALID_ABI',
      field: source,
    })
  const abi: (AbiFunction | string)[] = []
  items.forEach((item, index) => {
    if (typeof item === 'string') {
      if (item.trim().startsWith('function ')) abi.push(item.trim())
      return
    }
    const record = item as { type?: unknown; name?: unknown; inputs?: unknown } | null
    if (record?.type !== 'function') return
    if (typeof record.name !== 'string' || !Array.isArray(record.inputs))
      throw new InputError(`ABI item ${index} is a function without a name or inputs`, {
        code: 'INVALID_ABI',
        field: source,
      })
    abi.push(record as AbiFunction)
  })
  return { source, abi }
}
