/** What a person needs to read an amount: the ticker and where the decimal point goes. */
export type TokenInfo = { symbol: string; decimals: number }

/**
 * Tokens whose symbol and decimals are known without asking a node: native ETH (as the trace
 * report (`ETH`) and index files (`native`, `eth`) name it) and the Ethereum mainnet tokens the
 * Bybit laundering and the freezable-token checks involve. Addresses are lowercase; decimals are
 * those of the deployed contracts (USDT and USDC 6, the rest 18).
 */
export const KNOWN_TOKENS: Readonly<Record<string, TokenInfo>> = {
  native: { symbol: 'ETH', decimals: 18 },
  eth: { symbol: 'ETH', decimals: 18 },
  '0xdac17f958d2ee523a2206206994597c13d831ec7': { symbol: 'USDT', decimals: 6 },
  '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48': { symbol: 'USDC', decimals: 6 },
  '0x6b175474e89094c44da98b954eedeac495271d0f': { symbol: 'DAI', decimals: 18 },
  '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2': { symbol: 'WETH', decimals: 18 },
  '0xae7ab96520de3a18e5e111b5eaab095312d7fe84': { symbol: 'stETH', decimals: 18 },
  '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0': { symbol: 'wstETH', decimals: 18 },
  '0xd5f7838f5c461feff7fe49ea5ebaf7728bb0adfa': { symbol: 'mETH', decimals: 18 },
  '0xe6829d9a7ee3040e1276fa75293bde931859e8fa': { symbol: 'cmETH', decimals: 18 },
}

/**
 * Symbol and decimals of `token` (`native`, `ETH` or a contract address, any case), or null.
 *
 * @example
 * tokenInfo('0xdAC17F958D2ee523a2206206994597C13D831ec7') // { symbol: 'USDT', decimals: 6 }
 */
export function tokenInfo(token: string): TokenInfo | null {
  return KNOWN_TOKENS[token.toLowerCase()] ?? null
}

const AMOUNT_RE = /^([0-9]+)(?:\.([0-9]+))?$/

/**
 * A base-unit amount (decimal text, possibly with a fractional part from haircut tracing) as a
 * person reads it: token units with thousands separators and the symbol, rounded to 4 decimals
 * (6 below one unit). Amounts too small to show that way stay exact (`7 wei`). Tokens of unknown
 * decimals are shown in base units with the contract address, never guessed.
 *
 * @example
 * formatTokenAmount('1234500000000000000000', 'native') // '1,234.5 ETH'
 * formatTokenAmount('2500000', '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48') // '2.5 USDC'
 * formatTokenAmount('42', '0x1111111111111111111111111111111111111111') // '42 base units of token 0x1111111111111111111111111111111111111111'
 */
export function formatTokenAmount(amount: string, token: string): string {
  const m = AMOUNT_RE.exec(amount)
  const info = tokenInfo(token)
  if (!m) return info ? `${amount} ${info.symbol}` : `${amount} of token ${token}`
  const whole = BigInt(m[1]!)
  if (!info) return `${groupThousands(whole.toString())} base units of token ${token.toLowerCase()}`
  const unit = 10n ** BigInt(info.decimals)
  // The amount in ten-millionths of a token unit (floored; fraction digits of the base-unit amount
  // only matter when decimals are 6 or fewer), then rounded once, half up, to the display step.
  const frac = m[2] ?? ''
  let tenths = (whole * 10_000_000n) / unit
  if (info.decimals < 7 && frac) {
    const extra = 7 - info.decimals
    tenths += BigInt((frac + '0'.repeat(extra)).slice(0, extra))
  }
  const digits = tenths >= 10_000_000n ? 4 : 6
  const step = 10n ** BigInt(7 - digits)
  const rounded = ((tenths + step / 2n) / step) * step
  if (rounded === 0n) {
    const text = groupThousands(whole.toString()) + (frac ? `.${frac}` : '')
    return info.symbol === 'ETH' ? `${text} wei` : `${text} base units of ${info.symbol}`
  }
  const units = rounded / 10_000_000n
  const fraction = (rounded % 10_000_000n)
    .toString()
    .padStart(7, '0')
    .slice(0, digits)
    .replace(/0+$/, '')
  return `${groupThousands(units.toString())}${fraction ? `.${fraction}` : ''} ${info.symbol}`
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}
