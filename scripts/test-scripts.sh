#!/usr/bin/env bash
# The scripts' own checks: `bash -n` over every shell script (scripts/, .ci/run), then each
# scripts/tests/test-*.sh (among them test-tally.sh: a failing check must show up in a tally).
# Ends with one tally line ("scripts: N passed, N failed").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
TALLY_SUITE=scripts
# shellcheck source=SCRIPTDIR/lib/tally.sh
. "$here/lib/tally.sh"
cd "$here/.."

for file in scripts/*.sh scripts/lib/*.sh scripts/tests/*.sh .ci/run; do
  check "bash -n $file" bash -n "$file"
done
for test in scripts/tests/test-*.sh; do
  check "$test" bash "$test"
done
tally_exit
