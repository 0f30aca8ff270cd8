#!/usr/bin/env bash
# Runs every fuzz target for FUZZ_SECONDS each (default 20: the smoke the test command runs;
# `make fuzz FUZZ_SECONDS=600` for a real session). Installs cargo-fuzz when missing or older
# than the version below, and seeds each corpus from testdata/ first. The stable toolchain runs it
# with RUSTC_BOOTSTRAP=1 (the sanitizer flags are nightly-only). Builds go to $FUZZ_TARGET_DIR
# ($IFX_CACHE/fuzz-target by default; the sanitizer flags would otherwise rebuild the main
# target directory). A crash leaves its input in fuzz/artifacts/<target>/ and fails the run: turn
# it into a regression test before fixing it. Ends with one tally line ("fuzz: N passed, N
# failed"): each target is one, and so is each step before them (cargo-fuzz, the seeds, the build).
# shellcheck disable=SC2317 # the steps are functions, run through check and require
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
seconds="${FUZZ_SECONDS:-20}"
# The oldest cargo-fuzz known to work here (`cargo fuzz list`, `build -O`).
cargo_fuzz_min=0.12.0
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-${IFX_CACHE:-$HOME/.cache/incidentfox-auth}/fuzz-target}"
TALLY_SUITE=fuzz
# shellcheck source=SCRIPTDIR/lib/tally.sh
. "$here/lib/tally.sh"
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

cargo_fuzz() {
  local have
  have=$(cargo fuzz --version 2> /dev/null | awk '{print $2}' || true)
  if [ -n "$have" ] &&
    [ "$(printf '%s\n%s\n' "$cargo_fuzz_min" "$have" | sort -V | head -1)" = "$cargo_fuzz_min" ]; then
    return 0
  fi
  echo "fuzz: installing cargo-fuzz >= $cargo_fuzz_min (found: ${have:-none})"
  cargo install cargo-fuzz --version ">=$cargo_fuzz_min" --locked --quiet
}
require "cargo-fuzz" cargo_fuzz
require "corpus seeds" python3 "$root/scripts/fuzz_seeds.py" "$root"

cd "$root/fuzz"
targets=$(cargo fuzz list) || targets=
build() {
  [ -n "$targets" ] || { echo "cargo fuzz list named no target"; return 1; }
  cargo fuzz build -O > "$logs/build.log" 2>&1 || { cat "$logs/build.log"; return 1; }
}
require "cargo fuzz build" build

run() {
  local target=$1 runs
  if cargo fuzz run -O "$target" "corpus/$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 \
      > "$logs/$target.log" 2>&1; then
    runs=$(grep -Eo 'Done [0-9]+ runs' "$logs/$target.log" | tail -1 || true)
    echo "fuzz: $target (${runs:-no summary})"
  else
    echo "fuzz: $target failed (a crashing input is kept in fuzz/artifacts/$target/)"
    tail -30 "$logs/$target.log"
    return 1
  fi
}
for target in $targets; do
  check "$target" run "$target"
done
tally_exit
