#!/usr/bin/env bash
# Runs every fuzz target for FUZZ_SECONDS each (default 20: the smoke the test command runs;
# `make fuzz FUZZ_SECONDS=600` for a real session). Installs cargo-fuzz when missing and seeds
# each corpus from testdata/ first. The stable toolchain runs it with RUSTC_BOOTSTRAP=1 (the
# sanitizer flags are nightly-only). A crash leaves its input in fuzz/artifacts/<target>/ and
# fails the run: turn it into a regression test before fixing it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds="${FUZZ_SECONDS:-20}"
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$HOME/.cache/incidentfox-auth/fuzz-target}"

if ! cargo fuzz --version > /dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz"
  cargo install cargo-fuzz --locked --quiet
fi

python3 "$root/scripts/fuzz_seeds.py" "$root"

cd "$root/fuzz"
targets=$(cargo fuzz list)
cargo fuzz build -O $targets > /dev/null 2>&1 || cargo fuzz build -O
status=0
passed=0
failed=0
for target in $targets; do
  if cargo fuzz run -O "$target" "corpus/$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 \
      > "/tmp/fuzz-$target.log" 2>&1; then
    runs=$(grep -Eo 'Done [0-9]+ runs' "/tmp/fuzz-$target.log" | tail -1 || true)
    echo "fuzz: $target ok (${runs:-no summary})"
    passed=$((passed + 1))
  else
    echo "fuzz: $target FAILED; input in fuzz/artifacts/$target/"
    tail -30 "/tmp/fuzz-$target.log"
    failed=$((failed + 1))
    status=1
  fi
done
echo
echo "fuzz: $passed passed, $failed failed"
exit "$status"
