#!/usr/bin/env bash
# The web UI login end to end (core/tests/login_e2e.rs) against a real OpenID Provider
# (testdata/oidc-provider: npm oidc-provider on Node.js). Installs the provider's packages with
# `npm ci` when node_modules is missing or was installed from another package-lock.json, runs the
# tests, and ends with one tally line ("login: N passed, N failed").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")

cargo="${CARGO:-cargo}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/incidentfox-auth/target}"

"$here/ensure-oidc-provider.sh" || { echo "login: 0 passed, 1 failed"; exit 1; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
"$cargo" test -p incidentfox-auth --test login_e2e 2>&1 | tee "$log" || status=1

read -r passed failed < <(awk '/^test result:/ {
    for (i = 1; i <= NF; i++) {
      if ($(i+1) ~ /^passed;?$/) p += $i
      if ($(i+1) ~ /^failed;?$/) f += $i
    }
  } END { print p + 0, f + 0 }' "$log")
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "no test ran"
  failed=1
  status=1
fi
echo
echo "login: $passed passed, $failed failed"
exit "$status"
