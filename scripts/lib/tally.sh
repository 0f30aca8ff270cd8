# shellcheck shell=bash
# Sourced by every suite (scripts/lint.sh, test-*.sh, fuzz.sh): counts each check the suite runs
# into its one tally line ("<suite>: N passed, N failed"). A test runner adds its own counts; any
# other check (a build, mypy, tsc, a smoke run of a package, the demo) counts as one. Whatever
# fails shows up as a failure in the tally: a runner that exits non-zero without having counted a
# failed test (it did not compile, a test crashed it, collection broke) adds one, and so does one
# that ran no test at all. scripts/tests/test-tally.sh holds these rules to account.
#
# Usage: TALLY_SUITE=python; . "$here/lib/tally.sh"; check NAME CMD...; require NAME CMD...;
# count_tests NAME STATUS PASSED FAILED; ...; tally_exit.

tally_passed=0
tally_failed=0
tally_failures=()

tally_fail() {
  tally_failed=$((tally_failed + 1))
  tally_failures+=("$1")
  echo "${TALLY_SUITE:-tally}: FAILED: $1"
}

# check NAME CMD [ARG...]: runs CMD as one check. CMD runs in a subshell with `set -e` in force
# (even when CMD is a function of several steps), so its variables do not reach the caller.
check() {
  local name=$1 status errexit=
  shift
  case $- in *e*) errexit=1 ;; esac
  set +e
  (
    set -e
    "$@"
  )
  status=$?
  if [ -n "$errexit" ]; then set -e; fi
  if [ "$status" -eq 0 ]; then
    tally_passed=$((tally_passed + 1))
    echo "${TALLY_SUITE:-tally}: ok: $name"
  else
    tally_fail "$name (exit $status)"
  fi
  tally_last=$status
}

# require NAME CMD [ARG...]: a check the rest of the suite cannot run without; when it fails the
# suite ends there with its tally.
require() {
  check "$@"
  if [ "$tally_last" -ne 0 ]; then
    echo "${TALLY_SUITE:-tally}: stopped: $1 failed, nothing after it ran"
    tally_exit
  fi
}

# count_tests NAME STATUS PASSED FAILED: a test runner's own counts, and the status it exited with.
count_tests() {
  local name=$1 status=$2 passed=${3:-0} failed=${4:-0}
  tally_passed=$((tally_passed + passed))
  tally_failed=$((tally_failed + failed))
  if [ "$failed" -gt 0 ]; then
    tally_failures+=("$name: $failed failed")
  fi
  if [ "$((passed + failed))" -eq 0 ]; then
    tally_fail "$name ran no test (exit $status)"
  elif [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    tally_fail "$name exited $status with no failed test counted"
  fi
}

# cargo_counts LOG: the passed and failed tests of every `test result:` line of a cargo test log.
cargo_counts() {
  awk '/^test result:/ {
      for (i = 1; i <= NF; i++) {
        if ($(i+1) ~ /^passed;?$/) p += $i
        if ($(i+1) ~ /^failed;?$/) f += $i
      }
    } END { print p + 0, f + 0 }' "$1"
}

# tally_exit: prints what failed and the tally line, then exits 1 if anything failed, else 0.
tally_exit() {
  local item
  echo
  for item in ${tally_failures[@]+"${tally_failures[@]}"}; do
    echo "failed: $item"
  done
  echo "${TALLY_SUITE:-tally}: $tally_passed passed, $tally_failed failed"
  if [ "$tally_failed" -eq 0 ]; then exit 0; fi
  exit 1
}
