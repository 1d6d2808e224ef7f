#!/usr/bin/env bash
# The one test command (`npm test`), used by the README and by .ci/run.
# Installs what the tests need when missing, builds, type-checks, lints, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== npm ci" >&2
  npm ci --no-audit --no-fund >&2
fi

echo "== build (CLI and web UI)" >&2
npm run --silent build
npm run --silent build:web
echo "== typecheck" >&2
npx --no-install tsc --noEmit -p .
echo "== lint" >&2
npx --no-install biome check src test bench
echo "== test services: chromium, PostgreSQL, two-shard ClickHouse on 127.0.0.1" >&2
bash scripts/ensure-chromium.sh
services_env=$(bash scripts/services.sh start)
trap 'bash scripts/services.sh stop >&2 || true' EXIT
eval "$services_env"

echo "== tests" >&2
npx --no-install vitest run "$@"
