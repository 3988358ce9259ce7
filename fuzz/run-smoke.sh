#!/usr/bin/env bash
# Builds the libFuzzer targets (clang preset) and runs each for a bounded time, starting from the committed
# corpus. Any crash, leak, timeout or sanitizer report fails the run; artifacts land in build/fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-20}"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target fuzz_all
mkdir -p build/fuzz/artifacts
status=0
for target in http_request redact config jsonrpc gpx tcx fit; do
  work="build/fuzz/corpus/$target"
  mkdir -p "$work"
  echo "== fuzz_$target for ${seconds}s =="
  # New inputs go to the scratch corpus under build/; the committed seeds are read-only inputs.
  if ! "build/fuzz/fuzz/fuzz_$target" "$work" "fuzz/corpus/$target" -max_total_time="$seconds" -timeout=5 \
       -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 -artifact_prefix="build/fuzz/artifacts/$target-" \
       2> "build/fuzz/fuzz_$target.log"; then
    status=1
    tail -40 "build/fuzz/fuzz_$target.log"
  else
    grep -E '^stat::number_of_executed_units|^Done' "build/fuzz/fuzz_$target.log" || true
  fi
done
exit $status
