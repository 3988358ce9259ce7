#!/usr/bin/env bash
# Builds the libFuzzer targets (clang preset) and runs each for a bounded time, starting from the committed
# corpus, FUZZ_JOBS targets at a time (each fuzzer is one process on one core). Any crash, leak, timeout or sanitizer
# report fails the run; artifacts land in build/fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-20}"
jobs="${FUZZ_JOBS:-1}"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target fuzz_all
mkdir -p build/fuzz/artifacts

# One target: 0 when it found nothing, and its report (or the tail of its log) on stdout.
run_target() {
  local target=$1 work="build/fuzz/corpus/$1"
  mkdir -p "$work"
  # New inputs go to the scratch corpus under build/; the committed seeds are read-only inputs.
  if ! "build/fuzz/fuzz/fuzz_$target" "$work" "fuzz/corpus/$target" -max_total_time="$seconds" -timeout=5 \
       -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 -artifact_prefix="build/fuzz/artifacts/$target-" \
       2> "build/fuzz/fuzz_$target.log"; then
    echo "== fuzz_$target (${seconds}s): FAILED =="
    tail -40 "build/fuzz/fuzz_$target.log"
    return 1
  fi
  echo "== fuzz_$target (${seconds}s) =="
  grep -E '^stat::number_of_executed_units|^Done' "build/fuzz/fuzz_$target.log" || true
}

status=0
running=()
for target in http_request redact config jsonrpc gpx tcx fit; do
  # Each target's report is printed whole once it ends, so parallel runs do not interleave.
  run_target "$target" > "build/fuzz/fuzz_$target.report" &
  running+=("$!:$target")
  if ((${#running[@]} >= jobs)); then
    entry=${running[0]}
    running=("${running[@]:1}")
    wait "${entry%%:*}" || status=1
    cat "build/fuzz/fuzz_${entry#*:}.report"
  fi
done
for entry in "${running[@]}"; do
  wait "${entry%%:*}" || status=1
  cat "build/fuzz/fuzz_${entry#*:}.report"
done
exit $status
