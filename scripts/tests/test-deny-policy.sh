#!/usr/bin/env bash
# deny.toml bites: the policy as committed passes, and taking away one allowed licence or one
# listed duplicate makes cargo-deny fail, so a policy that only warns is caught here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=SCRIPTDIR/../lib/cargo-deny.sh
. "$root/scripts/lib/cargo-deny.sh"
ensure_cargo_deny
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"

deny() { "$cargo_deny" --log-level error --config "$1" check "$2" > /dev/null 2>&1; }

deny deny.toml licenses || { echo "FAIL: the committed licence policy fails"; exit 1; }
deny deny.toml bans || { echo "FAIL: the committed bans fail"; exit 1; }

grep -v '"Unicode-3.0",' deny.toml > "$work/licences.toml"
if deny "$work/licences.toml" licenses; then
  echo "FAIL: without Unicode-3.0 allowed, the licence check still passes"
  exit 1
fi
grep -v 'crate = "digest@' deny.toml > "$work/bans.toml"
if deny "$work/bans.toml" bans; then
  echo "FAIL: with digest's duplicate unlisted, the bans check still passes"
  exit 1
fi
echo "deny policy: passes as committed, fails without an allowed licence or a listed duplicate"
