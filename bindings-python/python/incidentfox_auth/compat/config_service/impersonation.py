"""``config_service/src/core/impersonation.py``: team-impersonation and visitor tokens.

Minting and verification are the package's ``ImpersonationSigner`` / ``ImpersonationVerifier``
built from the same variables; the getters read those variables as the service did."""

from __future__ import annotations

import os
from typing import Any

from ..._native import ImpersonationSigner, ImpersonationVerifier, VerifiedImpersonation
from ...errors import AuthError, ConfigurationError, UnavailableError
from ._state import cached, settings

__all__ = [
    "DEFAULT_IMPERSONATION_JWT_AUDIENCE",
    "LEGACY_IMPERSONATION_JWT_AUDIENCE",
    "accept_legacy_impersonation_jwt_audience",
    "create_visitor_token",
    "extract_visitor_session_id",
    "get_impersonation_jwt_audience",
    "get_impersonation_jwt_secret",
    "get_impersonation_ttl_seconds",
    "get_visitor_token_ttl_seconds",
    "mint_team_impersonation_token",
    "verify_team_impersonation_token",
    "verify_visitor_token",
]

DEFAULT_IMPERSONATION_JWT_AUDIENCE = "incidentfox-agent-runtime"
LEGACY_IMPERSONATION_JWT_AUDIENCE = "incidentfox-config-service"

# Every variable the package's signer and verifier read: a change to any rebuilds them.
_VARIABLES = ("IMPERSONATION_", "VISITOR_TOKEN_", "AUTH_ALLOW_SHORT_SECRETS", "AUTH_HOOK_", "DATABASE_URL", "PGSSL")


def get_impersonation_jwt_secret() -> str:
    """``IMPERSONATION_JWT_SECRET`` without surrounding whitespace; ``RuntimeError`` when unset."""
    secret = (os.environ.get("IMPERSONATION_JWT_SECRET") or "").strip()
    if not secret:
        raise RuntimeError("IMPERSONATION_JWT_SECRET is not set")
    return secret


def get_impersonation_jwt_audience() -> str:
    aud = (os.environ.get("IMPERSONATION_JWT_AUDIENCE") or DEFAULT_IMPERSONATION_JWT_AUDIENCE).strip()
    return aud or DEFAULT_IMPERSONATION_JWT_AUDIENCE


def accept_legacy_impersonation_jwt_audience() -> bool:
    return (os.environ.get("IMPERSONATION_JWT_ACCEPT_LEGACY_AUDIENCE", "0") or "0").strip() == "1"


def _ttl(variable: str, default: int) -> int:
    # The getters report the configured value as the service did; the package reads the same
    # variable when it mints, and refuses there a value it cannot use (docs/migrating.md).
    try:
        return int(os.environ.get(variable, str(default)))
    except ValueError:
        return default


def get_impersonation_ttl_seconds() -> int:
    return _ttl("IMPERSONATION_TOKEN_TTL_SECONDS", 900)


def get_visitor_token_ttl_seconds() -> int:
    return _ttl("VISITOR_TOKEN_TTL_SECONDS", 1800)


def _signer() -> ImpersonationSigner:
    get_impersonation_jwt_secret()
    store = settings()["jti_store"]
    return cached("signer", _VARIABLES, lambda: ImpersonationSigner.from_env(jti_store=store))


def _verifier() -> ImpersonationVerifier:
    get_impersonation_jwt_secret()
    store = settings()["jti_store"]
    return cached("verifier", _VARIABLES, lambda: ImpersonationVerifier.from_env(jti_store=store))


def mint_team_impersonation_token(
    *,
    org_id: str,
    team_node_id: str,
    actor_subject: str,
    actor_email: str | None,
    ttl_seconds: int | None = None,
) -> tuple[str, int, str]:
    """``(token, exp, jti)``. With a JTI setting on, the jti is recorded in the configured store
    before the token is returned (no token when the store fails: ``jti_store_unavailable``)."""
    minted = _signer().mint(
        org_id=org_id,
        team_node_id=team_node_id,
        subject=actor_subject,
        email=actor_email,
        ttl_seconds=ttl_seconds,
    )
    return minted.token, minted.expires_at, minted.jti


def _verify(token: str, prefix: str) -> VerifiedImpersonation:
    try:
        return _verifier().verify(token)
    except (UnavailableError, ConfigurationError):
        # A store or configuration failure is the service's problem, not the token's: raised as
        # the package's error (503 / 500), never folded into "invalid token".
        raise
    except AuthError as e:
        raise ValueError(f"{prefix}: {e.message}") from e


def verify_team_impersonation_token(token: str) -> dict[str, Any]:
    """The claims of a valid team-impersonation or visitor token; ``ValueError`` otherwise
    ("Invalid impersonation token: <reason>", the reason being the package's)."""
    return _verify(token, "Invalid impersonation token").claims


def create_visitor_token(
    *,
    session_id: str,
    email: str,
    org_id: str,
    team_node_id: str,
    ttl_seconds: int | None = None,
) -> str:
    minted = _signer().mint_visitor(
        org_id=org_id,
        team_node_id=team_node_id,
        session_id=session_id,
        email=email,
        ttl_seconds=ttl_seconds,
    )
    return minted.token


def verify_visitor_token(token: str) -> dict[str, Any]:
    """The claims of a valid visitor token; ``ValueError`` otherwise ("Invalid visitor token:
    <reason>", or "Not a visitor token" for a valid team-impersonation token)."""
    verified = _verify(token, "Invalid visitor token")
    if verified.kind != "visitor":
        raise ValueError("Not a visitor token")
    return verified.claims


def extract_visitor_session_id(token: str) -> str | None:
    """The session id of a valid visitor token; ``None`` for anything else, an expired or
    revoked visitor token included. Unlike the service, the token is verified: an unverified
    claim would let anyone name any session (docs/migrating.md)."""
    try:
        verified = _verifier().verify(token)
    except AuthError:
        return None
    return verified.visitor_session_id if verified.kind == "visitor" else None
