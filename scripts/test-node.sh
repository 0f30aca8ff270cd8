#!/usr/bin/env bash
# Builds the Node package (@incidentfox/auth, bindings-node/) and tests it: `npm ci`, the native
# addon with `napi build --platform --release`, a drift check of the committed index.js and
# index.d.ts against what the build generates, the test OpenID Provider's packages and Debian's
# Chromium (installed when missing, for the login and browser tests), the Next.js example
# (examples/nextjs: `npm ci` and one `next build`, for test/nextjs.test.js), `node --test`,
# `tsc --noEmit`, then `npm pack` installed into an empty folder and both required and imported
# there, and the per-platform packages of `napi create-npm-dirs` checked (then removed). Ends with
# one tally line ("node: N passed, N failed"): node --test's tests, and every other step (npm ci,
# the build, the drift check, the Next.js example's build, tsc, the tarball, the platform
# packages) as one check each.
#
# The test and tool dependencies are bindings-node/package.json's devDependencies (with its
# package-lock.json) and testdata/oidc-provider's package.json; `npm ci` installs them on every run.
#
# Release, not debug: the addon then shares the compiled core with the Python wheel's release
# build in the same CARGO_TARGET_DIR (test-all.sh runs test-python.sh first), what the tests load
# is what `npm pack` ships, and the Wycheproof and concurrency suites run on optimised crypto.
# shellcheck disable=SC2317 # the steps are functions, run through check and require
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${IFX_CACHE:-$HOME/.cache/incidentfox-auth}/target}"
TALLY_SUITE=node
# shellcheck source=SCRIPTDIR/lib/tally.sh
. "$here/lib/tally.sh"
pkg="$root/bindings-node"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$pkg"

require "npm ci" npm ci --no-audit --no-fund --loglevel=error

# test/login.test.js and test/browser.test.js sign in against the test OpenID Provider
# (testdata/oidc-provider); the browser test drives Debian's Chromium, installed when missing
# (when that fails, the browser test fails).
check "test OpenID Provider packages" "$root/scripts/ensure-oidc-provider.sh"
if [ ! -x /usr/bin/chromium ]; then
  echo "installing Debian's chromium for test/browser.test.js"
  as_root=()
  if [ "$(id -u)" -ne 0 ] && command -v sudo > /dev/null; then
    as_root=(sudo -n)
  fi
  { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium > /dev/null; } ||
    echo "could not install chromium: the browser test will fail"
fi

# The generated loader and types are committed: the build must reproduce them exactly.
cp index.js "$work/index.js.committed"
cp index.d.ts "$work/index.d.ts.committed"
require "napi build --release" npx napi build --platform --release
drift() {
  local file drift=0
  for file in index.js index.d.ts; do
    if ! diff -u "$work/$file.committed" "$file" > "$work/$file.diff"; then
      echo "$file differs from what \`napi build\` generates (commit the regenerated file):"
      cat "$work/$file.diff"
      drift=1
    fi
  done
  return "$drift"
}
check "index.js and index.d.ts as napi build generates them" drift

# After the addon's build: the example's node_modules holds a copy of this package, addon
# included, and `next build` loads the route modules. Without a build, test/nextjs.test.js fails.
check "Next.js example: npm ci and next build" "$root/scripts/build-nextjs-example.sh"

log="$work/node-test.log"
status=0
node --test --test-reporter=tap test/ 2>&1 | tee "$log" || status=$?
# node --test's TAP summary: "# pass N", "# fail N" (cancelled tests count as failed).
passed=$(awk '/^# pass /{p=$3} END{print p+0}' "$log")
failed=$(awk '/^# (fail|cancelled) /{f+=$3} END{print f+0}' "$log")
count_tests "node --test" "$status" "$passed" "$failed"

check "tsc --noEmit" npx tsc --noEmit -p tsconfig.json

# The tarball on its own: an empty folder, no source tree, CommonJS and ES module.
tarball_alone() {
  npm pack --silent --pack-destination "$work" > /dev/null
  tarball=$(ls "$work"/incidentfox-auth-*.tgz)
  mkdir "$work/fresh"
  cd "$work/fresh"
  npm init -y > /dev/null
  npm install --no-audit --no-fund --loglevel=error "$tarball"
  node -e '
    const ifx = require("@incidentfox/auth")
    const d = ifx.explain(["admin:*"], "admin:provision")
    if (!d.allowed || d.matchedGrant !== "admin:*") throw new Error("wrong decision")
    try { new ifx.PermissionSet(["bad perm"]); throw new Error("a bad permission was accepted") }
    catch (e) { if (e.code !== "ERR_INVALID_PERMISSION" || e.status !== 500) throw e }
    if (typeof require("@incidentfox/auth/express").requireAdmin !== "function") throw new Error("no express helpers")
    if (typeof require("@incidentfox/auth/express").callbackRoute !== "function") throw new Error("no login routes")
    if (typeof ifx.OidcLogin.create !== "function") throw new Error("no OidcLogin")
    console.log("tarball ok (require):", Object.keys(ifx.ERROR_CODES).length, "codes")
  '
  node --input-type=module -e '
    import { explain, ERROR_CODES } from "@incidentfox/auth"
    import { callbackHandler, loginHandler, withAuth } from "@incidentfox/auth/next"
    if (!explain(["admin:*"], "admin:x").allowed || typeof withAuth !== "function") throw new Error("import failed")
    if (typeof loginHandler !== "function" || typeof callbackHandler !== "function") throw new Error("no login handlers")
    console.log("tarball ok (import):", ERROR_CODES.token_expired)
  '
}
check "npm pack, installed and loaded in an empty folder" tarball_alone

# The per-platform packages are made at publish time (`napi prepublish` runs `create-npm-dirs`),
# never committed: make them here, check that every target of the napi block gets one, named as
# the generated loader requires it and with the right os/cpu/libc, then remove them.
platform_packages() {
  if ! npx napi create-npm-dirs > "$work/npm-dirs.log" 2>&1; then
    echo "napi create-npm-dirs failed:"
    cat "$work/npm-dirs.log"
    return 1
  fi
  # shellcheck disable=SC2016 # JavaScript template literals, not shell expansions
  node -e '
    const fs = require("node:fs")
    const pkg = require("./package.json")
    const loader = fs.readFileSync("index.js", "utf8")
    const want = {
      "x86_64-unknown-linux-gnu": ["linux-x64-gnu", "linux", "x64", "glibc"],
      "aarch64-unknown-linux-gnu": ["linux-arm64-gnu", "linux", "arm64", "glibc"],
      "x86_64-unknown-linux-musl": ["linux-x64-musl", "linux", "x64", "musl"],
      "aarch64-unknown-linux-musl": ["linux-arm64-musl", "linux", "arm64", "musl"],
      "x86_64-apple-darwin": ["darwin-x64", "darwin", "x64", undefined],
      "aarch64-apple-darwin": ["darwin-arm64", "darwin", "arm64", undefined],
      "x86_64-pc-windows-msvc": ["win32-x64-msvc", "win32", "x64", undefined],
    }
    for (const target of pkg.napi.targets) {
      const [dir, os, cpu, libc] = want[target] ?? []
      if (!dir) throw new Error(`no expectation for target ${target}`)
      const sub = JSON.parse(fs.readFileSync(`npm/${dir}/package.json`, "utf8"))
      const name = `${pkg.name}-${dir}`
      if (sub.name !== name || sub.version !== pkg.version) throw new Error(`${dir}: ${sub.name}@${sub.version}`)
      if (sub.os[0] !== os || sub.cpu[0] !== cpu || sub.libc?.[0] !== libc) throw new Error(`${dir}: os/cpu/libc`)
      if (sub.main !== `incidentfox-auth.${dir}.node`) throw new Error(`${dir}: main ${sub.main}`)
      if (!loader.includes(`require(\x27${name}\x27)`)) throw new Error(`the loader does not require ${name}`)
    }
    console.log("platform packages ok:", pkg.napi.targets.length, "targets")
  '
}
rm -rf npm
check "napi create-npm-dirs: the platform packages" platform_packages
rm -rf npm
tally_exit

