#!/usr/bin/env bash
# The web UI login end to end (core/tests/login_e2e.rs) against a real OpenID Provider
# (testdata/oidc-provider: npm oidc-provider on Node.js). Installs the provider's packages with
# `npm ci` when node_modules is missing or was installed from another package-lock.json, runs the
# tests, and ends with one tally line ("login: N passed, N failed"; the provider's install counts
# as one check).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cargo="${CARGO:-cargo}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${IFX_CACHE:-$HOME/.cache/incidentfox-auth}/target}"
TALLY_SUITE=login
# shellcheck source=SCRIPTDIR/lib/tally.sh
. "$here/lib/tally.sh"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

require "test OpenID Provider packages" "$here/ensure-oidc-provider.sh"

status=0
"$cargo" test -p incidentfox-auth --test login_e2e 2>&1 | tee "$log" || status=$?
read -r passed failed < <(cargo_counts "$log")
count_tests "cargo test --test login_e2e" "$status" "$passed" "$failed"
tally_exit
