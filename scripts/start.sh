#!/usr/bin/env bash
# `npm start`: the README's first command. Installs dependencies on a fresh clone, builds the CLI
# and the web UI, then runs the Bybit demo (extra arguments go to `heistguard demo`).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== npm ci (first run)" >&2
  npm ci --no-audit --no-fund >&2
fi
npm run --silent build >&2
if [ ! -f web/dist/index.html ] || [ -n "$(find web/src src/verify src/safe -newer web/dist/index.html -print -quit)" ]; then
  echo "== building the web UI" >&2
  npm run --silent build:web >&2
fi
exec node bin/heistguard.js demo "$@"
