#!/usr/bin/env bash
# Proves that scan-logs.sh can fail: planted logs with each kind of leak must be reported (exit 1, one finding per
# kind, the secret itself never printed), and a log holding only the server's redacted forms must pass (exit 0).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d /tmp/pierre-logscan-selftest-XXXXXX)"
trap 'rm -rf "$work"' EXIT
fail() { echo "self-test: FAIL: $*" >&2; exit 1; }

jwt='eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEiLCJ0ZW5hbnQiOiJ0LTEifQ.c2lnbmF0dXJlLWJ5dGVz'
mkdir -p "$work/leaky" "$work/clean"
cat > "$work/leaky/server-1.log" <<LOG
[info] request_id=1 POST /auth/login 200 token=$jwt
[info] login ok for alice.smith+test@example.org
[warn] api key pk_live_AbCdEfGhIjKlMnOpQrStUvWx presented
[warn] header Authorization: Bearer abcdef0123456789ghij
-----BEGIN PRIVATE KEY-----
[error] setup failed for password correct horse battery 42
LOG
cat > "$work/clean/e2e-2.log" <<'LOG'
[info] request_id=1 POST /auth/login 200 token=[redacted] body={"jwt_token":"[jwt]"}
[info] login ok for [email]; api key [api-key]; Authorization: Bearer [redacted]
[info] 401 WWW-Authenticate: Bearer resource_metadata="http://127.0.0.1:1/.well-known/oauth-protected-resource/mcp"
[info] Bearer realm="pierre", error="invalid_token"
[info] tools/call get_activities version=1.2.3 pierre@0.1.0 (no domain) key kid=Qx1_abc-DEF
LOG

rc=0
out=$("$here/scan-logs.sh" "$work/leaky") || rc=$?
echo "$out"
[[ $rc == 1 ]] || fail "the scan of planted leaks exited $rc, not 1"
for kind in jwt email api-key bearer private-key "known test secret"; do
  grep -q "^LEAK server-1.log:[0-9]*: $kind: " <<<"$out" || fail "no '$kind' finding"
done
for secret in "$jwt" alice.smith pk_live_AbCd abcdef0123456789 "horse battery"; do
  if grep -qF -- "$secret" <<<"$out"; then fail "the report prints a secret in clear ($secret)"; fi
done

rc=0
out=$("$here/scan-logs.sh" "$work/clean") || rc=$?
echo "$out"
[[ $rc == 0 ]] || fail "redacted log text is reported as a leak (exit $rc)"

rc=0
PIERRE_TEST_LOG_DIR='' PIERRE_TEST_LOG_DIR_DEFAULT='' "$here/scan-logs.sh" > /dev/null 2>&1 || rc=$?
[[ $rc == 2 ]] || fail "no directory given should be a usage error (exit 2), got $rc"
echo "self-test: OK"
