#!/usr/bin/env bash
# Runs every Rust test (unit, integration, doc, CLI, PostgreSQL) and the demo, then prints one
# tally line ("N passed, N failed") so the outcome is readable at a glance and by CI. The
# PostgreSQL tests need the server scripts/with-postgres.sh provides (`make test` does that).
set -euo pipefail
cargo="${CARGO:-cargo}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

status=0
# The login end-to-end test drives a real OpenID Provider (npm oidc-provider).
"$(dirname "$0")/ensure-oidc-provider.sh"
features=(--features incidentfox-auth/postgres)
"$cargo" test --workspace --all-targets "${features[@]}" 2>&1 | tee -a "$log" || status=1
"$cargo" test --workspace --doc "${features[@]}" 2>&1 | tee -a "$log" || status=1
"$cargo" run --quiet -p incidentfox-auth-cli -- demo > /dev/null || { echo "demo failed"; status=1; }

read -r passed failed < <(awk '/^test result:/ {
    for (i = 1; i <= NF; i++) {
      if ($(i+1) ~ /^passed;?$/) p += $i
      if ($(i+1) ~ /^failed;?$/) f += $i
    }
  } END { print p + 0, f + 0 }' "$log")
if [ "$passed" -eq 0 ]; then
  echo "no test ran"
  status=1
fi
echo
echo "rust: $passed passed, $failed failed"
exit "$status"
