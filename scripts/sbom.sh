#!/usr/bin/env bash
# Usage: scripts/sbom.sh OUT_DIR
#
# Writes a CycloneDX 1.5 SBOM (JSON) of the Rust crates compiled into each artifact that has no
# SBOM of its own: each npm platform addon (for its target: the dependencies differ by platform),
# the core crate and the CLI. The wheels carry theirs inside (maturin, .dist-info/sboms/).
# `make dist` runs it and checks the files; the release workflow attaches them to the release.
#
# cargo-cyclonedx (pinned) is installed with `cargo install` into IFX_CACHE when missing. It
# writes a file beside every workspace member's Cargo.toml; the ones wanted are moved out and the
# rest removed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=${1:?usage: scripts/sbom.sh OUT_DIR}
cache=${IFX_CACHE:-$HOME/.cache/incidentfox-auth}
tools=$cache/cargo-tools
cyclonedx_version=0.5.9
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -1)
name=ifx-sbom-$$

if ! "$tools/bin/cargo-cyclonedx" cyclonedx --version 2> /dev/null | grep -q " $cyclonedx_version$"; then
  CARGO_TARGET_DIR=$cache/cargo-tools-build cargo install --locked --quiet \
    --version "$cyclonedx_version" --root "$tools" cargo-cyclonedx
fi
mkdir -p "$out"
cleanup() { find "$root" -maxdepth 3 -name "$name.json" -not -path '*/node_modules/*' -delete; }
trap cleanup EXIT

cyclonedx() {
  (cd "$root" && "$tools/bin/cargo-cyclonedx" cyclonedx --format json --spec-version 1.5 \
    --override-filename "$name" -q "$@")
}

# The npm platform packages, one per target of bindings-node/package.json that builds on Linux
# and the other systems alike (the target decides the platform-specific crates).
for target in $(node -p 'require(process.argv[1]).napi.targets.join(" ")' "$root/bindings-node/package.json"); do
  platform=$(node -e '
    const [arch, , os, abi] = process.argv[1].split("-")
    const cpu = { x86_64: "x64", aarch64: "arm64" }[arch]
    const sys = { linux: "linux", darwin: "darwin", windows: "win32" }[os]
    console.log([sys, cpu, abi].filter(Boolean).join("-"))
  ' "$target")
  cyclonedx --target "$target"
  mv "$root/bindings-node/$name.json" "$out/incidentfox-auth-$platform-$version.cdx.json"
done

# The crates, with every feature (postgres included): what `cargo add` may build.
cyclonedx --all-features --target all
mv "$root/core/$name.json" "$out/incidentfox-auth-$version.crate.cdx.json"
mv "$root/cli/$name.json" "$out/incidentfox-auth-cli-$version.crate.cdx.json"
ls "$out"
