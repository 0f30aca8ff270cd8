#!/usr/bin/env bash
# Builds the Python package as a release wheel (and an sdist), proves the wheel works alone in an
# empty venv, installs it into the test venv, and runs pytest, mypy --strict (the package, tests
# and examples) and stubtest. Ends with one tally line ("python: N passed, N failed"): pytest's
# tests, and every other step (the tools' install, the builds, the wheel smoke, mypy, stubtest)
# as one check each.
#
# The test venv is $IFX_CACHE/venv ($HOME/.cache/incidentfox-auth by default, outside the clone),
# so repeated runs reuse the installed tools. Every run installs the `test` dependency group of
# bindings-python/pyproject.toml into it (the one list of the Python test and tool dependencies;
# pip does nothing when they are satisfied), after bringing the venv's pip to the 25.1 that
# `--group` needs. PyPI is the only network needed.
# shellcheck disable=SC2317 # the steps are functions, run through check and require
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cache="${IFX_CACHE:-$HOME/.cache/incidentfox-auth}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$cache/target}"
python="${PYTHON:-python3}"
venv="$cache/venv"
pip=(-m pip install -q --disable-pip-version-check)
TALLY_SUITE=python
# shellcheck source=SCRIPTDIR/lib/tally.sh
. "$here/lib/tally.sh"
mkdir -p "$cache"
dist=$(mktemp -d)
trap 'rm -rf "$dist"' EXIT

tools() {
  if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
  fi
  "$venv/bin/python" "${pip[@]}" "pip>=25.1"
  "$venv/bin/python" "${pip[@]}" --group "$root/bindings-python/pyproject.toml:test"
}
require "test tools (dependency group \`test\`)" tools

cd "$root/bindings-python"
require "maturin build --release" "$venv/bin/maturin" build --release --quiet --out "$dist"
wheel=$(ls "$dist"/*.whl)

sdist() {
  "$venv/bin/maturin" sdist --out "$dist/sdist" > /dev/null
  ls "$dist"/sdist/*.tar.gz > /dev/null
}
check "maturin sdist" sdist

# The wheel on its own: an empty venv, no test tools, no source tree on the path.
wheel_alone() {
  "$python" -m venv "$dist/fresh"
  "$dist/fresh/bin/python" "${pip[@]}" "$wheel"
  cd "$dist"
  "$dist/fresh/bin/python" -c '
import incidentfox_auth as ifx
d = ifx.explain(["admin:*"], "admin:provision")
assert d.allowed and d.matched_grant == "admin:*", d
try:
    ifx.PermissionSet(["bad perm"])
except ifx.AuthError as e:
    assert e.code == "invalid_permission"
else:
    raise SystemExit("a bad permission was accepted")
print("wheel ok:", ifx.__name__)
'
}
check "the wheel alone in an empty venv" wheel_alone

require "the wheel into the test venv" \
  "$venv/bin/python" "${pip[@]}" --force-reinstall --no-deps "$wheel"

# tests/test_login.py signs in against the test OpenID Provider (Node.js, npm oidc-provider).
check "test OpenID Provider packages" "$root/scripts/ensure-oidc-provider.sh"

log="$dist/pytest.log"
status=0
"$venv/bin/python" -m pytest -q -p no:cacheprovider 2>&1 | tee "$log" || status=$?
# pytest's last line: "N passed, M failed, K errors in ..."
read -r passed failed < <(tail -1 "$log" | awk '{
    for (i = 1; i < NF; i++) {
      if ($(i+1) ~ /^passed/) p += $i
      if ($(i+1) ~ /^(failed|error)/) f += $i
    }
  } END { print p + 0, f + 0 }')
count_tests pytest "$status" "$passed" "$failed"

# The oldest CPython the wheel's abi3 tag (cp310) admits runs the same wheel and the same tests,
# in a venv of its own. PYTHON_MIN names the interpreter; otherwise python3.10 on PATH, then
# pyenv's. No such interpreter fails this check: the tag's promise would go unchecked. Each
# candidate must run and be 3.10 (pyenv's shim for python3.10 exists even where it cannot run).
python_min() {
  local found
  for found in "${PYTHON_MIN:-}" "$(command -v python3.10 || true)" \
    "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10.*/bin/python3.10; do
    [ -n "$found" ] && [ -x "$found" ] || continue
    if "$found" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2> /dev/null; then
      echo "$found"
      return 0
    fi
  done
  echo "no Python 3.10 found: set PYTHON_MIN to one" >&2
  return 1
}
pytest_min() {
  local interpreter venv_min=$cache/venv-min
  interpreter=$(python_min)
  [ -x "$venv_min/bin/python" ] || "$interpreter" -m venv "$venv_min"
  "$venv_min/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 10), sys.version'
  "$venv_min/bin/python" "${pip[@]}" "pip>=25.1"
  "$venv_min/bin/python" "${pip[@]}" --group "$root/bindings-python/pyproject.toml:test"
  "$venv_min/bin/python" "${pip[@]}" --force-reinstall --no-deps "$wheel"
  "$venv_min/bin/python" -m pytest -q -p no:cacheprovider
}
check "pytest on Python 3.10 (the abi3 floor)" pytest_min

check "mypy --strict" "$venv/bin/python" -m mypy --no-incremental
check "stubtest" "$venv/bin/python" -m mypy.stubtest incidentfox_auth._native --ignore-missing-stub
tally_exit
