#!/usr/bin/env bash
# Prints the closing line of `make test`: "N passed, M failed" over every CTest run plus the fuzz smoke (one check).
#   scripts/test-summary.sh CTEST_LOG... FUZZ_FAILED(0|1)
set -uo pipefail
args=("$@")
fuzz_failed="${args[-1]}"
unset 'args[-1]'
passed=0
failed=0
for log in "${args[@]}"; do
  line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" 2>/dev/null | tail -1)
  if [[ -z "$line" ]]; then
    failed=$((failed + 1))  # a suite that produced no summary did not run: count it as a failure
    continue
  fi
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
  bad=$(sed -E 's/.* ([0-9]+) tests failed.*/\1/' <<<"$line")
  passed=$((passed + total - bad))
  failed=$((failed + bad))
done
if [[ "$fuzz_failed" == "0" ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
echo "${passed} passed, ${failed} failed"
