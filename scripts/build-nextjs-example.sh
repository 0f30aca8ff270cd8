#!/usr/bin/env bash
# Installs and builds the Next.js example (examples/nextjs) for bindings-node/test/nextjs.test.js:
# `npm ci`, then one `next build`. scripts/test-node.sh runs it after the addon's build, and so
# must anyone running that test alone after changing the addon or the app.
#
# `npm ci` runs every time: the app's .npmrc sets install-links, so node_modules/@incidentfox/auth
# is a copy of bindings-node as `npm pack` would ship it (the built `.node` file included), which
# goes stale when the addon is rebuilt. A copy, not a symlink, because Next bundles whatever
# resolves outside node_modules, and a bundled native addon cannot load.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
app="$root/examples/nextjs"
command -v node > /dev/null || { echo "node is not installed (Node.js 20.9 or later is needed by Next.js 16)" >&2; exit 1; }
if ! ls "$root"/bindings-node/incidentfox-auth.*.node > /dev/null 2>&1; then
  echo "bindings-node has no built addon: run \`npx napi build --platform --release\` there first" >&2
  exit 1
fi
# Next would otherwise send anonymous usage data; the build must not reach past the registries.
export NEXT_TELEMETRY_DISABLED=1
cd "$app"
# A failed run leaves no build behind for the test to find.
rm -rf .next
npm ci --no-audit --no-fund --loglevel=error
start=$(date +%s)
npx --no-install next build
echo "next build took $(($(date +%s) - start)) s"
