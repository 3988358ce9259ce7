#!/usr/bin/env bash
# Scans the server logs of a test run for secrets and personal data in clear. Every server a test starts appends its
# stderr to $PIERRE_TEST_LOG_DIR (else $PIERRE_TEST_LOG_DIR_DEFAULT, which ctest sets to <build>/test-logs):
# tests/support/server_process.cpp writes server-<pid>.log, tests/e2e/lib/server.mjs writes e2e-<pid>.log.
#
#   scan-logs.sh --clear [DIR]   empty the directory (ctest fixture setup, before any server starts)
#   scan-logs.sh [DIR]           scan every *.log in it; exit 1 on any finding (ctest fixture cleanup, after them all)
#
# A finding names the file, the line, the pattern, and a masked excerpt (never the secret itself). What is looked
# for: JWTs, API keys (pk_live_/pk_trial_/pk_test_), email addresses, "Bearer <token>", PEM private keys, and the
# fixed passwords and master keys the tests use (known-secrets.txt). The server's redaction writes [jwt], [email],
# [api-key] and [redacted] instead (src/core/redact.cpp), which none of the patterns match.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

clear=0
if [[ "${1:-}" == --clear ]]; then clear=1; shift; fi
dir="${1:-${PIERRE_TEST_LOG_DIR:-${PIERRE_TEST_LOG_DIR_DEFAULT:-}}}"
[[ -n "$dir" ]] || { echo "scan-logs: no log directory (pass one, or set PIERRE_TEST_LOG_DIR)" >&2; exit 2; }

if ((clear)); then
  mkdir -p "$dir"
  find "$dir" -maxdepth 1 -type f -name '*.log' -delete
  echo "scan-logs: cleared $dir"
  exit 0
fi

[[ -d "$dir" ]] || { echo "scan-logs: $dir does not exist: no server logged anything in this run"; exit 0; }
mapfile -t files < <(find "$dir" -maxdepth 1 -type f -name '*.log' | sort)
if ((${#files[@]} == 0)); then
  echo "scan-logs: no server logs in $dir"
  exit 0
fi

# name <TAB> PCRE. Kept narrow enough that redacted output and ordinary log text never match.
patterns=(
  $'jwt\t(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.'
  $'api-key\t(?<![A-Za-z0-9_])pk_(live|trial|test)_[A-Za-z0-9]{20,}'
  $'email\t(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}'
  # A credential after the scheme; not a challenge's auth-params (Bearer realm="…", resource_metadata="…").
  $'bearer\t(?i)(?<![a-z0-9_-])bearer[ \t]+(?![a-z0-9_-]+=")[A-Za-z0-9._~+/-]{8,}=*'
  $'private-key\t-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----'
)

# Shows only the first two characters and the length of a match.
mask() { local m=$1; printf '%s…(%d chars)' "${m:0:2}" "${#m}"; }

findings=0
hits="$(mktemp)"
trap 'rm -f "$hits"' EXIT
search() {  # pattern name, grep arguments...: reports each "file:line:match" that grep -H -n -o prints
  local name=$1 rc=0 hit file line match
  shift
  grep -H -n -o -a "$@" > "$hits" || rc=$?
  # 1 is "no match"; anything else (a bad pattern, an unreadable file) must not pass as a clean scan.
  ((rc <= 1)) || { echo "scan-logs: grep failed ($rc) for pattern $name" >&2; exit 2; }
  while IFS= read -r hit; do
    file=${hit%%:*}; hit=${hit#*:}
    line=${hit%%:*}; match=${hit#*:}
    echo "LEAK ${file#"$dir"/}:$line: $name: $(mask "$match")"
    findings=$((findings + 1))
  done < "$hits"
}

lines=0
for f in "${files[@]}"; do lines=$((lines + $(wc -l < "$f"))); done

for entry in "${patterns[@]}"; do
  name=${entry%%$'\t'*}
  regex=${entry#*$'\t'}
  search "$name" -P -- "$regex" "${files[@]}"
done

secrets="$here/known-secrets.txt"
mapfile -t literals < <(grep -v -e '^#' -e '^[[:space:]]*$' "$secrets")
if ((${#literals[@]} > 0)); then
  args=()
  for l in "${literals[@]}"; do args+=(-e "$l"); done
  search "known test secret" -F "${args[@]}" -- "${files[@]}"
fi

echo "scan-logs: ${#files[@]} server logs, $lines lines in $dir; ${#patterns[@]} patterns + ${#literals[@]} known secrets"
if ((findings > 0)); then
  echo "scan-logs: FAIL: $findings secret(s) or personal data in clear in the server logs (listed above, masked)"
  exit 1
fi
echo "scan-logs: OK: no secret or personal data in clear"
