// Compiles the devnet's own Solidity (src/devnet/contracts/*.sol) with solc-js from npm (no
// compiler download) into src/devnet/contracts/compiled.json, which is committed: compiling at
// start-up would cost the devnet ~1-2 s every time. src/devnet/contracts/compiled.test.ts
// compiles again and checks the committed file is exactly what these sources produce.
//
//   node scripts/compile-contracts.mjs          # rewrite compiled.json
import { execFileSync } from 'node:child_process'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const contractsDir = join(root, 'src/devnet/contracts')
export const outputPath = join(contractsDir, 'compiled.json')

/** Settings are fixed so that the output is reproducible: cancun opcodes run on the prague devnet. */
const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
}

/** Returns the compiled contracts as the JSON document written to compiled.json. */
export function compileContracts() {
  const solc = createRequire(import.meta.url)('solc')
  const files = readdirSync(contractsDir).filter((f) => f.endsWith('.sol')).sort()
  const sources = Object.fromEntries(files.map((f) => [f, { content: readFileSync(join(contractsDir, f), 'utf8') }]))
  const output = JSON.parse(solc.compile(JSON.stringify({ language: 'Solidity', sources, settings: SETTINGS })))
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'))
  const contracts = {}
  for (const file of files)
    for (const [name, c] of Object.entries(output.contracts[file] ?? {}))
      if (c.evm.bytecode.object.length > 0)
        contracts[name] = { source: file, abi: c.abi, bytecode: `0x${c.evm.bytecode.object}`, deployedBytecode: `0x${c.evm.deployedBytecode.object}` }
  return { compiler: `solc-js ${solc.version()}`, settings: { optimizer: SETTINGS.optimizer, evmVersion: SETTINGS.evmVersion }, contracts }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now()
  const compiled = compileContracts()
  writeFileSync(outputPath, `${JSON.stringify(compiled, null, 2)}\n`)
  // `npm run lint` checks src/ with biome, JSON included: write the file in its format.
  execFileSync(join(root, 'node_modules/.bin/biome'), ['format', '--write', outputPath], { stdio: 'ignore' })
  process.stderr.write(`compiled ${Object.keys(compiled.contracts).length} contracts in ${Math.round(performance.now() - started)} ms -> ${outputPath}\n`)
}
