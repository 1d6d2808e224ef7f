import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { getAddress } from 'viem'
import { InputError } from '../core/BaseError.js'
import type { Address } from '../core/hex.js'

/** One address read from a list file, with whatever the file says about it. */
export type AddressListEntry = {
  /** EIP-55 checksummed. */
  address: Address
  /** The file (or name) the entry came from, e.g. `ofac_sdn_eth_2025-11-19_annotated.tsv`. */
  source: string
  /** 1-based line in that file (0 for JSON arrays, where lines mean little). */
  line: number
  /** Party or label, when the format carries one (OFAC `party_name`, a trailing `# comment`). */
  name?: string
  /** OFAC sanctions programs, e.g. `['DPRK3']`. */
  programs?: string[]
  /** Any other columns of an annotated TSV, by header name. */
  fields?: Record<string, string>
}

/** A parsed list: entries in file order and a lookup by lowercase address. */
export type AddressList = {
  source: string
  entries: AddressListEntry[]
  /** Keyed by lowercase address; the first entry wins when a file repeats an address. */
  byAddress: Map<string, AddressListEntry>
}

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/

/**
 * Parses an address list in any of the formats heistguard reads, chosen by content:
 * - plain lists (one address per line; `#` starts a comment; a comment after the address
 *   becomes its `name`), as in the FBI PSA and OFAC "Lazarus Group" files;
 * - annotated TSV with a header row that has an `address` column (OFAC SDN ETH extracts;
 *   `party_name` and `programs` are kept, other columns land in `fields`);
 * - a JSON array of `{address, asset?, party_name?, programs?}` (OFAC all-assets file; only
 *   EVM-shaped addresses are kept, since Bitcoin or Tron addresses cannot appear on Ethereum).
 *
 * A mixed-case address whose EIP-55 checksum is wrong is an InputError naming `source:line`:
 * such a line was typed or altered by hand and must not silently match or miss.
 *
 * @example
 * parseAddressList('# FBI PSA\n0x51E9d833Ecae4E8D9D8Be17300AEE6D3398C135D\n', 'fbi.txt')
 *   .entries[0].address // '0x51E9d833Ecae4E8D9D8Be17300AEE6D3398C135D'
 */
export function parseAddressList(text: string, sourceName: string): AddressList {
  const body = text.replace(/^\uFEFF/, '')
  const trimmed = body.trimStart()
  let entries: AddressListEntry[]
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) entries = parseJsonList(body, sourceName)
  else {
    const firstLine = firstContentLine(body)
    entries =
      firstLine?.includes('\t') && /(^|\t)address(\t|$)/i.test(firstLine)
        ? parseTsv(body, sourceName)
        : parsePlain(body, sourceName)
  }
  const byAddress = new Map<string, AddressListEntry>()
  for (const entry of entries) {
    const key = entry.address.toLowerCase()
    if (!byAddress.has(key)) byAddress.set(key, entry)
  }
  return { source: sourceName, entries, byAddress }
}

/**
 * Reads and parses an address list file (see `parseAddressList` for the formats). Errors name
 * the file and line; a missing file is an InputError too.
 *
 * @example
 * const list = await readAddressList('../shared/data/sanctions/fbi_psa250226_tradertraitor_eth.txt')
 * list.byAddress.has('0x51e9d833ecae4e8d9d8be17300aee6d3398c135d') // true
 */
export async function readAddressList(path: string): Promise<AddressList> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new InputError(code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? 'error'})`, {
      code: 'FILE_UNREADABLE',
      field: path,
    })
  }
  return parseAddressList(text, basename(path))
}

/**
 * The addresses of a list file as a set of lowercase addresses, for plain membership tests.
 *
 * @example
 * const fbi = await readAddressSet('fbi_psa250226_tradertraitor_eth.txt')
 * fbi.has('0x51e9d833ecae4e8d9d8be17300aee6d3398c135d') // true
 */
export async function readAddressSet(path: string): Promise<Set<Address>> {
  const list = await readAddressList(path)
  return new Set(list.entries.map((entry) => entry.address.toLowerCase() as Address))
}

function firstContentLine(text: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const content = line.trim()
    if (content !== '' && !content.startsWith('#')) return line
  }
  return undefined
}

function checkedAddress(value: string, source: string, line: number): Address {
  const where = line > 0 ? `${source}:${line}` : source
  if (!ADDRESS_RE.test(value))
    throw new InputError(`not a 20-byte 0x address: ${JSON.stringify(value.slice(0, 50))}`, {
      code: 'INVALID_ADDRESS',
      field: where,
    })
  const checksummed = getAddress(value.toLowerCase())
  const body = value.slice(2)
  const mixedCase = body !== body.toLowerCase() && body !== body.toUpperCase()
  if (mixedCase && checksummed !== value)
    throw new InputError(`bad EIP-55 checksum in ${value} (expected ${checksummed})`, {
      code: 'INVALID_CHECKSUM',
      field: where,
    })
  return checksummed
}

function parsePlain(text: string, source: string): AddressListEntry[] {
  const entries: AddressListEntry[] = []
  const lines = text.split(/\r?\n/)
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!
    const hash = raw.indexOf('#')
    const content = (hash === -1 ? raw : raw.slice(0, hash)).trim()
    if (content === '') continue
    const token = content.split(/[\s,;]+/)[0]!
    const entry: AddressListEntry = {
      address: checkedAddress(token, source, index + 1),
      source,
      line: index + 1,
    }
    const comment = hash === -1 ? '' : raw.slice(hash + 1).trim()
    if (comment !== '') entry.name = comment
    entries.push(entry)
  }
  return entries
}

function parseTsv(text: string, source: string): AddressListEntry[] {
  const lines = text.split(/\r?\n/)
  let headerIndex = lines.findIndex((line) => line.trim() !== '' && !line.trim().startsWith('#'))
  if (headerIndex === -1) headerIndex = 0
  const header = lines[headerIndex]!.split('\t').map((cell) => cell.trim())
  const addressColumn = header.findIndex((cell) => cell.toLowerCase() === 'address')
  const entries: AddressListEntry[] = []
  for (let index = headerIndex + 1; index < lines.length; index++) {
    const raw = lines[index]!
    if (raw.trim() === '' || raw.trim().startsWith('#')) continue
    const cells = raw.split('\t')
    const address = checkedAddress((cells[addressColumn] ?? '').trim(), source, index + 1)
    const fields: Record<string, string> = {}
    header.forEach((name, column) => {
      if (column !== addressColumn && name !== '') fields[name] = (cells[column] ?? '').trim()
    })
    const entry: AddressListEntry = { address, source, line: index + 1, fields }
    const party = fields['party_name'] ?? fields['name'] ?? fields['label'] ?? fields['role']
    if (party) entry.name = party
    if (fields['programs']) entry.programs = fields['programs'].split(/[;,]\s*/).filter(Boolean)
    entries.push(entry)
  }
  return entries
}

function parseJsonList(text: string, source: string): AddressListEntry[] {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new InputError(`not valid JSON (${(error as Error).message.split('\n')[0]})`, {
      code: 'INVALID_JSON',
      field: source,
    })
  }
  const items = Array.isArray(data)
    ? data
    : Array.isArray((data as { addresses?: unknown })?.addresses)
      ? (data as { addresses: unknown[] }).addresses
      : undefined
  if (!items)
    throw new InputError('expected a JSON array of addresses or {address, ...} objects', {
      code: 'INVALID_ADDRESS_LIST',
      field: source,
    })
  const entries: AddressListEntry[] = []
  items.forEach((item, index) => {
    const record =
      typeof item === 'string' ? { address: item } : (item as Record<string, unknown> | null)
    const value = record?.['address']
    // Non-EVM assets (XBT, TRX, ...) share the file; they cannot be counterparties on Ethereum.
    if (typeof value !== 'string' || !value.startsWith('0x')) return
    const entry: AddressListEntry = {
      address: checkedAddress(value, `${source}[${index}]`, 0),
      source,
      line: 0,
    }
    const party = record?.['party_name'] ?? record?.['name']
    if (typeof party === 'string') entry.name = party
    const programs = record?.['programs']
    if (Array.isArray(programs)) entry.programs = programs.map(String)
    entries.push(entry)
  })
  return entries
}
