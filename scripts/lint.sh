#!/usr/bin/env bash
# Formatting and clippy, warnings are errors: `make lint`, and the first suite of `make test`
# (scripts/test-all.sh). Each of the three is one check of the tally ("lint: N passed, N failed"),
# and all three run even when one fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cargo="${CARGO:-cargo}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${IFX_CACHE:-$HOME/.cache/incidentfox-auth}/target}"
TALLY_SUITE=lint
# shellcheck source=SCRIPTDIR/lib/tally.sh
. "$here/lib/tally.sh"
cd "$here/.."

check "cargo fmt --check" "$cargo" fmt --all -- --check
check "clippy (incidentfox-auth)" "$cargo" clippy -p incidentfox-auth --all-targets -- -D warnings
check "clippy (workspace, postgres)" \
  "$cargo" clippy --workspace --all-targets --features incidentfox-auth/postgres -- -D warnings
tally_exit
