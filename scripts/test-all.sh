#!/usr/bin/env bash
# Usage: scripts/test-all.sh [SUITE...]
#
# Every suite, in order, even when an earlier one fails (by default: lint.sh, test-scripts.sh,
# test-rust.sh, test-python.sh, test-node.sh, test-dist.sh, fuzz.sh; a SUITE is a script in scripts/ or a
# path). Each ends with a tally line ("<suite>: N passed, N failed") counting every check it ran.
# At the end this repeats each suite's tally and adds a total; exits non-zero if any suite failed.
#
# A suite that prints no tally line, or exits non-zero with a tally of no failure, is shown with
# one failure more, so a failed suite never reads "0 failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ "$#" -eq 0 ]; then
  set -- lint.sh test-scripts.sh test-rust.sh test-python.sh test-node.sh test-dist.sh fuzz.sh
fi
status=0
total_passed=0
total_failed=0
tallies=()
for suite in "$@"; do
  case $suite in */*) path=$suite ;; *) path=$here/$suite ;; esac
  out=$(mktemp)
  "$path" 2>&1 | tee "$out"
  code=${PIPESTATUS[0]}
  line=$(grep -E '^[a-z][a-z0-9-]*: [0-9]+ passed, [0-9]+ failed$' "$out" | tail -1)
  rm -f "$out"
  name=$(basename "$suite" .sh)
  passed=0
  failed=0
  if [ -n "$line" ]; then
    name=${line%%:*}
    read -r passed failed < <(echo "$line" | awk '{print $2, $4}')
  fi
  note=
  if [ -z "$line" ]; then
    failed=1
    note=" (no tally line; the suite exited $code)"
  elif [ "$code" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1
    note=" (the suite exited $code)"
  fi
  [ "$code" -eq 0 ] && [ "$failed" -eq 0 ] || status=1
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  tallies+=("$name: $passed passed, $failed failed$note")
done
echo
printf '%s\n' "${tallies[@]}"
echo "total: $total_passed passed, $total_failed failed"
exit "$status"
