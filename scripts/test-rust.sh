#!/usr/bin/env bash
# Runs every Rust test (unit, integration, doc, CLI, PostgreSQL) and the demo, then prints one
# tally line ("rust: N passed, N failed") so the outcome is readable at a glance and by CI. The
# tally counts the tests cargo reports, plus one failure for a `cargo test` run that failed
# without reporting a failed test (it did not compile), plus the test OpenID Provider's install
# and the demo as one check each. The PostgreSQL tests need the server scripts/with-postgres.sh
# provides (`make test` does that).
# shellcheck disable=SC2317 # the steps are functions, run through check and require
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cargo="${CARGO:-cargo}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${IFX_CACHE:-$HOME/.cache/incidentfox-auth}/target}"
TALLY_SUITE=rust
# shellcheck source=SCRIPTDIR/lib/tally.sh
. "$here/lib/tally.sh"
cd "$here/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The login end-to-end test drives a real OpenID Provider (npm oidc-provider).
check "test OpenID Provider packages" "$here/ensure-oidc-provider.sh"

features=(--features incidentfox-auth/postgres)
# The Node addon's symbols (napi_*) come from the node process that loads it, so a test binary of
# it cannot link; `--all-targets` would build one despite `test = false`. Its tests are npm's.
addon=(--exclude incidentfox-auth-node)
# --no-fail-fast: a failing test binary must not hide the results of the ones after it.
status=0
"$cargo" test --no-fail-fast --workspace "${addon[@]}" --all-targets "${features[@]}" 2>&1 | tee "$work/tests.log" || status=$?
read -r passed failed < <(cargo_counts "$work/tests.log")
count_tests "cargo test" "$status" "$passed" "$failed"

status=0
"$cargo" test --no-fail-fast --workspace --doc "${features[@]}" 2>&1 | tee "$work/doc.log" || status=$?
read -r passed failed < <(cargo_counts "$work/doc.log")
count_tests "cargo test --doc" "$status" "$passed" "$failed"

demo() { "$cargo" run --quiet -p incidentfox-auth-cli -- demo > /dev/null; }
check "demo" demo
tally_exit
