#!/usr/bin/env bash
# Every suite, in order, even when an earlier one fails; exits non-zero if any failed and repeats
# each suite's tally at the end.
set -uo pipefail
here=$(dirname "$0")
status=0
tallies=()
for suite in test-rust.sh test-python.sh test-node.sh fuzz.sh; do
  out=$(mktemp)
  "$here/$suite" 2>&1 | tee "$out"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  tallies+=("$(grep -E '^[a-z]+: [0-9]+ passed' "$out" | tail -1)")
  rm -f "$out"
done
echo
printf '%s\n' "${tallies[@]}"
exit "$status"
