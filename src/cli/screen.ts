import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { InputError } from '../core/BaseError.js'
import { readAddressList } from '../labels/addressList.js'
import type { ExposureIndex, LabelHit, RiskLevel } from '../screen/Exposure.js'
import { labelsFromAddressLists } from '../screen/labelsFromAddressLists.js'
import { readExposureIndex } from '../screen/readExposureIndex.js'
import { screenAddress } from '../screen/screenAddress.js'
import { createBatchScreener } from '../screen/screenBatchLine.js'
import { screenTransaction } from '../screen/screenTransaction.js'
import type { CliContext } from './context.js'
import { parseFlags } from './parseFlags.js'

const HELP = `usage: heistguard screen <address|tx-hash> --index FILE [flags]
       heistguard screen --batch FILE|- --index FILE      (one address per line in, JSONL out)

  --index FILE          trace report JSON (heistguard trace --json) the exposure index is built from
  --sanctions FILE      sanctions list (OFAC SDN TSV/JSON or plain list); repeatable
  --heist-list H=FILE   addresses attributed to heist H (e.g. bybit=fbi_psa250226_tradertraitor_eth.txt); repeatable
  --hops N              follow indirect exposure N hops (default 3)
  --rpc URL             JSON-RPC endpoint, needed to screen a transaction hash
  --json                one JSON document

exit codes: 0 none/low, 3 medium, 4 high/severe, 2 bad input
`

/** `heistguard screen`: exposure of an address or deposit transaction to stolen funds. */
export async function run(ctx: CliContext): Promise<number> {
  const { values, positionals } = parseFlags(
    ctx.argv,
    {
      index: { type: 'string' },
      sanctions: { type: 'string', multiple: true },
      'heist-list': { type: 'string', multiple: true },
      hops: { type: 'string' },
      rpc: { type: 'string' },
      batch: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    { positionals: 1, command: 'screen' },
  )
  if (values.help) {
    ctx.stdout.write(HELP)
    return 0
  }
  const target = positionals[0]
  if (!values.batch && target === undefined)
    throw new InputError('give an address or transaction hash, or --batch FILE', {
      code: 'USAGE',
      field: 'screen',
    })
  if (values.batch && target !== undefined)
    throw new InputError('give either an address or --batch, not both', {
      code: 'USAGE',
      field: 'screen',
    })
  const index = await loadIndex(ctx, values)

  if (values.batch) return runBatch(ctx, index, values.batch)

  if (/^0x[0-9a-fA-F]{64}$/.test(target!)) {
    if (!values.rpc)
      throw new InputError('screening a transaction hash needs --rpc URL', {
        code: 'USAGE',
        field: '--rpc',
      })
    const { createPublicClient, http } = await import('viem')
    const client = createPublicClient({ transport: http(values.rpc) })
    const result = await screenTransaction(client as never, index, target!)
    if (values.json) ctx.stdout.write(`${JSON.stringify(result)}\n`)
    else {
      ctx.stdout.write(`${result.tx}: ${result.risk.toUpperCase()}\n`)
      for (const reason of result.reasons) ctx.stdout.write(`  - ${reason}\n`)
    }
    return exitCodeFor(result.risk)
  }
  const result = screenAddress(index, target!, 'screen')
  if (values.json) ctx.stdout.write(`${JSON.stringify(result)}\n`)
  else {
    ctx.stdout.write(
      `${result.address}: ${result.risk.toUpperCase()}${result.indexed ? '' : ' (not in the index)'}\n`,
    )
    for (const reason of result.reasons) ctx.stdout.write(`  - ${reason}\n`)
  }
  return exitCodeFor(result.risk)
}

/** Screening answers map onto the house exit codes: 3 for "look closer", 4 for "stop". */
export function exitCodeFor(risk: RiskLevel): number {
  return risk === 'high' || risk === 'severe' ? 4 : risk === 'medium' ? 3 : 0
}

async function loadIndex(
  ctx: CliContext,
  values: { index?: string; sanctions?: string[]; 'heist-list'?: string[]; hops?: string },
): Promise<ExposureIndex> {
  if (!values.index)
    throw new InputError('missing --index FILE (a trace report JSON)', {
      code: 'USAGE',
      field: '--index',
    })
  let hops: number | undefined
  if (values.hops !== undefined) {
    hops = Number(values.hops)
    if (!Number.isInteger(hops) || hops < 0 || hops > 10)
      throw new InputError('expected an integer 0..10', { code: 'INVALID_NUMBER', field: '--hops' })
  }
  const labels: (LabelHit & { address: string })[] = await loadLabels(
    ctx,
    values.sanctions ?? [],
    values['heist-list'] ?? [],
  )
  return readExposureIndex(resolve(ctx, values.index), {
    labels,
    ...(hops === undefined ? {} : { hops }),
  })
}

/** Reads sanctions and heist-attribution lists given on the command line into label hits. */
export async function loadLabels(
  ctx: Pick<CliContext, 'cwd'>,
  sanctions: string[],
  heistLists: string[],
): Promise<(LabelHit & { address: string })[]> {
  const lists: Parameters<typeof labelsFromAddressLists>[0] = []
  for (const file of sanctions)
    lists.push({ list: await readAddressList(resolve(ctx, file)), kind: 'sanctions' })
  for (const spec of heistLists) {
    const eq = spec.indexOf('=')
    if (eq <= 0)
      throw new InputError('expected HEIST=FILE, e.g. bybit=fbi.txt', {
        code: 'USAGE',
        field: '--heist-list',
      })
    lists.push({
      list: await readAddressList(resolve(ctx, spec.slice(eq + 1))),
      kind: 'heist',
      heist: spec.slice(0, eq),
    })
  }
  return labelsFromAddressLists(lists)
}

function resolve(ctx: Pick<CliContext, 'cwd'>, path: string): string {
  return path.startsWith('/') ? path : `${ctx.cwd}/${path}`
}

async function runBatch(ctx: CliContext, index: ExposureIndex, file: string): Promise<number> {
  const input =
    file === '-'
      ? process.stdin
      : createReadStream(resolve(ctx, file)).on('error', () => {
          /* reported below through the readline iterator */
        })
  if (file !== '-') {
    const { access } = await import('node:fs/promises')
    await access(resolve(ctx, file)).catch(() => {
      throw new InputError('cannot read the batch file', { code: 'FILE_NOT_READABLE', field: file })
    })
  }
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })
  const screen = createBatchScreener(index)
  let buffer = ''
  let n = 0
  for await (const line of lines) {
    n++
    if (line.length !== 42 && (line.trim() === '' || line.startsWith('#'))) continue
    buffer += `${screen(line, n)}\n`
    if (buffer.length > 1 << 16) {
      ctx.stdout.write(buffer)
      buffer = ''
    }
  }
  if (buffer) ctx.stdout.write(buffer)
  return 0
}
