#!/usr/bin/env bash
# Installs the test OpenID Provider's packages (testdata/oidc-provider: npm oidc-provider) with
# `npm ci` when node_modules is missing or was installed from another package-lock.json.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
provider="$root/testdata/oidc-provider"
command -v node > /dev/null || { echo "node is not installed (Node.js 20.19 or later is needed)" >&2; exit 1; }
command -v npm > /dev/null || { echo "npm is not installed" >&2; exit 1; }
# The stamp records which package-lock.json node_modules was installed from.
stamp="$provider/node_modules/.installed-from-lock"
want=$(sha256sum "$provider/package-lock.json" | cut -d' ' -f1)
if [ ! -f "$provider/node_modules/oidc-provider/package.json" ] || [ "$(cat "$stamp" 2> /dev/null)" != "$want" ]; then
  echo "npm ci in testdata/oidc-provider"
  (cd "$provider" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
fi
