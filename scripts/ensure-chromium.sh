#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests, only when /usr/bin/chromium is missing.
# Called by the test command; a no-op on machines that already have it.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
echo "== installing chromium (apt-get) for the browser tests" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium >&2
test -x /usr/bin/chromium
