#!/usr/bin/env bash
# Formatting, clippy (warnings are errors) and the dependency policy (deny.toml: licences, bans,
# sources): `make lint`, and the first suite of `make test` (scripts/test-all.sh). Each is one
# check of the tally ("lint: N passed, N failed"), and all run even when one fails.
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

# The dependency policy. Advisories need the RustSec database from GitHub: the CI and release
# workflows check them; this machine's registries cannot reach it.
# shellcheck source=SCRIPTDIR/lib/cargo-deny.sh
. "$here/lib/cargo-deny.sh"
deny_policy() {
  ensure_cargo_deny
  "$cargo_deny" --log-level error check licenses bans sources
}
check "cargo deny check licenses bans sources" deny_policy
tally_exit
