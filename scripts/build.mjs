// Bundles the CLI with esbuild so that `heistguard verify` starts fast: importing viem through its
// barrel costs ~280 ms here, a tree-shaken bundle a fraction of that. Native and heavy runtime
// packages stay external and load only in the subcommands that need them.
import { build } from 'esbuild'
import { renameSync, rmSync } from 'node:fs'

const external = [
  'better-sqlite3',
  '@duckdb/*',
  'hardhat',
  'hardhat/*',
  'pg',
  '@clickhouse/client',
  'solc',
  'nodemailer',
  '@ethereumjs/*',
  'safe-contracts-*',
  '@safe-global/safe-contracts',
  '@uniswap/*',
  'playwright-core',
]

// Build beside dist/ and swap it in, so a test that runs the CLI while another rebuilds never
// sees a half-written tree.
const staging = `dist.tmp-${process.pid}`
rmSync(staging, { recursive: true, force: true })
const started = performance.now()
await build({
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: `${staging}/cli`,
  chunkNames: 'chunks/[name]-[hash]',
  external,
  logLevel: 'warning',
  legalComments: 'none',
  // CommonJS dependencies inside an ESM bundle need a require().
  banner: { js: "import { createRequire as __hgCreateRequire } from 'node:module'; const require = __hgCreateRequire(import.meta.url);" },
})
const old = `dist.old-${process.pid}`
try {
  renameSync('dist', old)
} catch {}
renameSync(staging, 'dist')
rmSync(old, { recursive: true, force: true })
process.stderr.write(`built dist/ in ${Math.round(performance.now() - started)} ms\n`)
