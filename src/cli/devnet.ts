import { InputError } from '../core/BaseError.js'
import { installSafeContracts, listSafeContracts } from '../devnet/installSafeContracts.js'
import type { ScenarioName, ScenarioStage } from '../devnet/scenarios/runScenario.js'
import { scenarioGenesisDate } from '../devnet/scenarios/scenarioGenesisDate.js'
import { startDevnet } from '../devnet/startDevnet.js'
import type { CliContext } from './context.js'
import { parseFlags } from './parseFlags.js'

const HELP = `usage: heistguard devnet [--port 8545] [--scenario NAME] [--stage STAGE] [--json]

A local Ethereum JSON-RPC node (hardhat EDR) on 127.0.0.1 with the Safe contracts of 1.0.0 to
1.4.1 at their mainnet addresses, 10 funded test accounts and the hardhat_*/evm_* cheat methods.
Prints one JSON line (url, chainId, accounts, addresses, scenario) and serves until Ctrl-C.

  --port N           TCP port on 127.0.0.1 (default 8545; 0 picks a free one)
  --chain-id N       chain id (default 31337)
  --scenario NAME    ${['bybit', 'wazirx', 'radiant', 'benign'].join(' | ')}
  --stage STAGE      setup (default: the victim just before signing) | attack | launder
  --seed N           seed of generated laundering steps (default 1)
  --ground-truth F   write the laundering ground truth JSON to F
  --json             the same JSON line (the output is always JSON)
`

const STAGES: readonly ScenarioStage[] = ['setup', 'attack', 'launder']
// Listed here rather than imported so that a plain devnet does not load the scenario modules.
const SCENARIO_NAMES: readonly ScenarioName[] = ['bybit', 'wazirx', 'radiant', 'benign']

function parseInteger(
  value: string | undefined,
  field: string,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value === undefined) return fallback
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
    throw new InputError(`expected an integer in ${min}..${max}, got ${JSON.stringify(value)}`, {
      code: 'USAGE',
      field,
    })
  return Number(value)
}

/** `heistguard devnet`: serves a local chain until SIGINT/SIGTERM (ctx.signal). */
export async function run(ctx: CliContext): Promise<number> {
  const { values } = parseFlags(
    ctx.argv,
    {
      port: { type: 'string' },
      'chain-id': { type: 'string' },
      scenario: { type: 'string' },
      stage: { type: 'string' },
      seed: { type: 'string' },
      'ground-truth': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    { command: 'devnet' },
  )
  if (values.help) {
    ctx.stdout.write(HELP)
    return 0
  }
  const port = parseInteger(values.port, '--port', 0, 65535, 8545)
  const chainId = parseInteger(values['chain-id'], '--chain-id', 1, Number.MAX_SAFE_INTEGER, 31337)
  const seed = parseInteger(values.seed, '--seed', 0, 2 ** 31 - 1, 1)
  const scenario = values.scenario as ScenarioName | undefined
  if (scenario !== undefined && !SCENARIO_NAMES.includes(scenario))
    throw new InputError(
      `unknown scenario ${JSON.stringify(scenario)}; one of ${SCENARIO_NAMES.join(', ')}`,
      {
        code: 'USAGE',
        field: '--scenario',
      },
    )
  const stage = (values.stage ?? 'setup') as ScenarioStage
  if (!STAGES.includes(stage))
    throw new InputError(
      `unknown stage ${JSON.stringify(values.stage)}; one of ${STAGES.join(', ')}`,
      {
        code: 'USAGE',
        field: '--stage',
      },
    )
  if (values.stage !== undefined && scenario === undefined)
    throw new InputError('--stage needs --scenario', { code: 'USAGE', field: '--stage' })

  const starting = startDevnet({
    port,
    chainId,
    ...(scenario ? { initialDate: scenarioGenesisDate(scenario) } : {}),
    logger: (line) => ctx.stderr.write(`${line}\n`),
  })
  // Reading the Safe artifacts (sync) overlaps with EDR building its genesis state (native, async).
  let planError: unknown
  try {
    listSafeContracts()
  } catch (error) {
    planError = error
  }
  const devnet = await starting
  if (planError !== undefined) {
    await devnet.stop()
    throw planError
  }
  try {
    await installSafeContracts(devnet)
    const summary = scenario
      ? await (await import('../devnet/scenarios/runScenario.js')).runScenario(devnet, {
          name: scenario,
          stage,
          seed,
          ...(values['ground-truth'] ? { groundTruthPath: values['ground-truth'] } : {}),
        })
      : undefined
    const line = {
      url: devnet.url,
      wsUrl: devnet.wsUrl,
      chainId: devnet.chainId,
      hardfork: devnet.hardfork,
      accounts: devnet.accounts.map((a) => a.address),
      addresses: devnet.addresses,
      ...(summary ? { scenario: summary } : {}),
    }
    ctx.stdout.write(`${JSON.stringify(line)}\n`)
    ctx.stderr.write(
      `devnet: ${Object.keys(devnet.addresses).length} named addresses (JSON line on stdout); test accounts use the public "test test ... junk" mnemonic; Ctrl-C stops\n`,
    )
    if (!ctx.signal.aborted)
      await new Promise<void>((resolve) =>
        ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
      )
    return 0
  } finally {
    await devnet.stop()
  }
}
