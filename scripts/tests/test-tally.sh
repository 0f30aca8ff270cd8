#!/usr/bin/env bash
# The tally rules (scripts/lib/tally.sh, scripts/test-all.sh) against fake suites: a failing
# check of any kind must show up as a failure in the tally line and in the exit status, never as
# "0 failed". Run by scripts/test-scripts.sh (`make test`).
set -euo pipefail
scripts=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# expect CASE WANT_STATUS WANT_TALLY SCRIPT: runs SCRIPT (a suite's body, with the library
# sourced) and compares its exit status and its last tally-shaped line.
expect_run() {
  local case=$1 want_status=$2 want=$3 status=0 got
  shift 3
  "$@" > "$work/out" 2>&1 || status=$?
  got=$(grep -E '^[a-z][a-z0-9-]*: [0-9]+ passed, [0-9]+ failed' "$work/out" | tail -1 || true)
  if [ "$status" -eq "$want_status" ] && [ "$got" = "$want" ]; then
    echo "ok: $case"
  else
    echo "FAILED: $case: want status $want_status and \"$want\", got status $status and \"$got\"; output:"
    sed 's/^/    /' "$work/out"
    failures=$((failures + 1))
  fi
}
expect() {
  local case=$1 want_status=$2 want=$3
  printf '%s\n' 'set -euo pipefail' 'TALLY_SUITE=fake' ". '$scripts/lib/tally.sh'" "$4" > "$work/suite.sh"
  expect_run "$case" "$want_status" "$want" bash "$work/suite.sh"
}

expect "passing checks" 0 "fake: 2 passed, 0 failed" '
check "one" true
check "two" true
tally_exit'

expect "a failing check (mypy, tsc, a smoke run...) counts as a failure" 1 "fake: 1 passed, 1 failed" '
check "typecheck" false
check "other" true
tally_exit'

expect "a check of several steps fails when an early step fails" 1 "fake: 0 passed, 1 failed" '
steps() { false; true; }
check "steps" steps
tally_exit'

expect "a failed require stops the suite with its tally" 1 "fake: 1 passed, 1 failed" '
check "first" true
require "build" false
check "never runs" true
tally_exit'

expect "a test runner's counts are added as they are" 1 "fake: 6 passed, 2 failed" '
count_tests runner 1 5 2
check "other" true
tally_exit'

expect "a runner that failed without a failed test (a build error) counts one failure" 1 \
  "fake: 3 passed, 1 failed" '
count_tests runner 101 3 0
tally_exit'

expect "a runner that ran no test counts one failure" 1 "fake: 0 passed, 1 failed" '
count_tests runner 0 0 0
tally_exit'

printf '%s\n' 'running 2 tests' 'test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured' \
  'test result: FAILED. 3 passed; 1 failed; 0 ignored; 0 measured' > "$work/cargo.log"
expect "cargo_counts sums every test result line" 1 "fake: 5 passed, 1 failed" "
read -r p f < <(cargo_counts '$work/cargo.log')
count_tests cargo 101 \"\$p\" \"\$f\"
tally_exit"

# scripts/lint.sh itself, with a cargo whose clippy fails: a lint failure is in the lint tally.
# `cargo metadata` is the real one's: cargo-deny asks $CARGO for the dependency graph.
# shellcheck disable=SC2016 # the fake's own "$1"
printf '%s\n' '#!/usr/bin/env bash' '[ "$1" = metadata ] && exec cargo "$@"' '[ "$1" != clippy ]' > "$work/cargo"
chmod +x "$work/cargo"
expect_run "lint.sh counts a clippy failure" 1 "lint: 2 passed, 2 failed" env CARGO="$work/cargo" "$scripts/lint.sh"

# test-all.sh over fake suites.
suite() { printf '%s\n' '#!/usr/bin/env bash' "$2" > "$work/$1"; chmod +x "$work/$1"; }
suite good.sh 'echo "good: 4 passed, 0 failed"'
suite bad.sh 'echo "bad: 2 passed, 1 failed"; exit 1'
suite liar.sh 'echo "liar: 7 passed, 0 failed"; exit 1'
suite silent.sh 'echo "no tally here"; exit 3'
suite quiet.sh 'exit 0'
expect_run "test-all.sh: every suite passing" 0 "total: 8 passed, 0 failed" \
  "$scripts/test-all.sh" "$work/good.sh" "$work/good.sh"
expect_run "test-all.sh: a suite's failures reach the total" 1 "total: 6 passed, 1 failed" \
  "$scripts/test-all.sh" "$work/good.sh" "$work/bad.sh"
expect_run "test-all.sh: a suite that exits non-zero with 0 failed counts one" 1 \
  "total: 11 passed, 1 failed" "$scripts/test-all.sh" "$work/liar.sh" "$work/good.sh"
expect_run "test-all.sh: a suite that dies before its tally counts one" 1 \
  "total: 4 passed, 1 failed" "$scripts/test-all.sh" "$work/silent.sh" "$work/good.sh"
expect_run "test-all.sh: a suite that prints no tally counts one" 1 \
  "total: 4 passed, 1 failed" "$scripts/test-all.sh" "$work/good.sh" "$work/quiet.sh"
expect_run "test-all.sh: the repeated tally names the failing suite" 1 "liar: 7 passed, 1 failed (the suite exited 1)" \
  bash -c "'$scripts/test-all.sh' '$work/liar.sh' | grep -E '^liar: ' | tail -1; exit \${PIPESTATUS[0]}"

echo
if [ "$failures" -ne 0 ]; then
  echo "tally: $failures case(s) failed"
  exit 1
fi
echo "tally: every case passed"
