"""Shared helpers for the test suite: where the vectors are, and how to read an outcome."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from incidentfox_auth import AuthError

#: The repository root (``bindings-python/tests/support.py`` → two levels up).
REPO_ROOT = Path(__file__).resolve().parents[2]
VECTORS = REPO_ROOT / "testdata" / "vectors"
KEYS_FILE = REPO_ROOT / "testdata" / "keys" / "keys.json"

T = TypeVar("T")


def load_vectors(name: str) -> dict[str, Any]:
    """A vector file under ``testdata/vectors``; every file carries a non-empty description."""
    doc: dict[str, Any] = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    if isinstance(doc, dict) and "description" in doc:
        assert isinstance(doc["description"], str) and doc["description"], name
    return doc


def keys() -> dict[str, Any]:
    """``testdata/keys/keys.json``: test-only key pairs (PKCS#8 private keys and public JWKs)."""
    doc: dict[str, Any] = json.loads(KEYS_FILE.read_text(encoding="utf-8"))
    return doc


def private_key(name: str) -> Any:
    """keys.json's private key ``name`` as a ``cryptography`` key object (for PyJWT)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    text = keys()[name]["pkcs8_b64"]  # base64url, unpadded
    der = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    try:
        return load_der_private_key(der, password=None)
    except ValueError:
        # ring writes Ed25519 keys as PKCS#8 v2 (with the public key), which cryptography does
        # not read: take the 32-byte seed from the inner OCTET STRING (04 22 04 20 <seed>).
        marker = bytes.fromhex("04220420")
        at = der.index(marker) + len(marker)
        return Ed25519PrivateKey.from_private_bytes(der[at : at + 32])


def public_jwk(name: str) -> dict[str, Any]:
    jwk: dict[str, Any] = dict(keys()[name]["public_jwk"])
    return jwk


def outcome(call: Callable[[], T]) -> T | AuthError:
    """The result of ``call``, or the AuthError it raised (any other exception propagates)."""
    try:
        return call()
    except AuthError as e:
        return e


def unique_names(cases: list[dict[str, Any]], names: set[str] | None = None) -> None:
    """Every case has a name, used once."""
    seen = set() if names is None else names
    for case in cases:
        name = case.get("name")
        assert isinstance(name, str) and name, f"a case has no name: {case}"
        assert name not in seen, f"duplicate case name {name!r}"
        seen.add(name)


def report(failures: list[str], total: int, what: str) -> None:
    assert not failures, f"{len(failures)} of {total} {what} failed:\n  " + "\n  ".join(failures)


# --- OIDC tokens minted by PyJWT with the test keys, and an authenticator environment that
# trusts them. The issuer and audience are those of the vector files.

ISSUER = "https://idp.incidentfox.test"
AUDIENCE = "incidentfox-config-service"
ADMIN_GROUP = "incidentfox-config-admin"  # OIDC_ADMIN_GROUP's default
NOW = 1_700_000_000


def oidc_jwks(*names: str) -> str:
    """A JWKS (JSON text) with the public halves of keys.json's ``names``."""
    return json.dumps({"keys": [public_jwk(n) for n in names or ("rs256", "es256", "eddsa")]})


def oidc_claims(**extra: Any) -> dict[str, Any]:
    """Claims the vector files' validator accepts at :data:`NOW`."""
    return {"iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "iat": NOW - 60, "exp": NOW + 3600, **extra}


def mint_oidc(claims: dict[str, Any], key: str = "es256", **headers: Any) -> str:
    """``claims`` signed by PyJWT with keys.json's ``key`` (its alg, its kid)."""
    import jwt

    spec = keys()[key]
    token: str = jwt.encode(
        claims, private_key(key), algorithm=spec["alg"], headers={"kid": spec["kid"], **headers}
    )
    return token


def oidc_admin_env(**extra: str) -> dict[str, str]:
    """An authenticator environment: OIDC admins only, trusting the rs256/es256/eddsa test keys."""
    return {
        "OIDC_ENABLED": "1",
        "OIDC_ISSUER": ISSUER,
        "OIDC_AUDIENCE": AUDIENCE,
        "OIDC_JWKS_JSON": oidc_jwks(),
        "OIDC_ALG": "RS256,ES256,EdDSA",
        "ADMIN_AUTH_MODE": "oidc",
        **extra,
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class TeamTokens:
    """A team-token lookup: ``lookup(token_id)`` returns the stored row (a dict) or None."""

    def __init__(self, rows: list[dict[str, Any]] | None = None) -> None:
        self.rows = {r["token_id"]: dict(r) for r in rows or []}
        self.calls: list[str] = []

    def add(self, row: dict[str, Any]) -> None:
        self.rows[row["token_id"]] = dict(row)

    def lookup(self, token_id: str) -> dict[str, Any] | None:
        self.calls.append(token_id)
        return self.rows.get(token_id)


def team_row(
    generated: dict[str, str], *, org_id: str = "org-1", team_node_id: str | None = "team-1",
    kind: str = "team",
) -> dict[str, Any]:
    """The stored row of a token from ``generate_team_token`` (never revoked, never expires)."""
    return {
        "org_id": org_id,
        "team_node_id": team_node_id,
        "token_id": generated["token_id"],
        "token_hash": generated["token_hash"],
        "revoked_at": None,
        "expires_at": None,
        "kind": kind,
    }
