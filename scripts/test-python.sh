#!/usr/bin/env bash
# Builds the Python package as a release wheel (and an sdist), proves the wheel works alone in an
# empty venv, installs it into the test venv, and runs pytest, mypy --strict and stubtest. Ends
# with one tally line ("python: N passed, N failed").
#
# The venvs live in $HOME/.cache/incidentfox-auth (outside the clone) so repeated runs reuse the
# installed test tools; PyPI is the only network needed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache="${IFX_CACHE:-$HOME/.cache/incidentfox-auth}"
python="${PYTHON:-python3}"
venv="$cache/venv"
mkdir -p "$cache"

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check \
  "maturin>=1.9,<2" "pytest>=8" "httpx>=0.27" "fastapi>=0.110" "pyjwt[crypto]>=2.8" "mypy>=1.10"

dist=$(mktemp -d)
trap 'rm -rf "$dist"' EXIT
cd "$root/bindings-python"
"$venv/bin/maturin" build --release --quiet --out "$dist"
"$venv/bin/maturin" sdist --out "$dist/sdist" > /dev/null
wheel=$(ls "$dist"/*.whl)
ls "$dist"/sdist/*.tar.gz > /dev/null

# The wheel on its own: an empty venv, no test tools, no source tree on the path.
"$python" -m venv "$dist/fresh"
"$dist/fresh/bin/python" -m pip install -q --disable-pip-version-check "$wheel"
(cd "$dist" && "$dist/fresh/bin/python" -c '
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
')

"$venv/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$wheel"

# tests/test_login.py signs in against the test OpenID Provider (Node.js, npm oidc-provider).
"$root/scripts/ensure-oidc-provider.sh" ||
  echo "could not install the test OpenID Provider's packages: the login tests will fail"

status=0
log="$dist/pytest.log"
if ! "$venv/bin/python" -m pytest -q -p no:cacheprovider 2>&1 | tee "$log"; then
  status=1
fi
"$venv/bin/python" -m mypy --no-incremental 2>&1 | tail -3 || status=1
"$venv/bin/python" -m mypy.stubtest incidentfox_auth._native --ignore-missing-stub 2>&1 | tail -5 || status=1

# pytest's last line: "N passed, M failed, K errors in ..."
read -r passed failed < <(tail -1 "$log" | awk '{
    for (i = 1; i < NF; i++) {
      if ($(i+1) ~ /^passed/) p += $i
      if ($(i+1) ~ /^(failed|error)/) f += $i
    }
  } END { print p + 0, f + 0 }')
if [ "${passed:-0}" -eq 0 ]; then
  echo "no python test ran"
  status=1
fi
echo
echo "python: ${passed:-0} passed, ${failed:-0} failed"
exit "$status"
