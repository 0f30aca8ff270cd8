"""``config_service/src/core/oidc.py``: the OIDC settings and token verification."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Any

from ..._native import OidcValidator
from ...errors import AuthError, ConfigurationError, UnavailableError

__all__ = ["OIDCConfig", "load_oidc_config", "verify_oidc_jwt"]


@dataclass(frozen=True)
class OIDCConfig:
    issuer: str
    audience: str
    jwks_url: str | None
    jwks_json: str | None
    alg: str
    leeway_seconds: int
    groups_claim: str
    admin_group: str
    org_id_claim: str
    team_node_id_claim: str
    email_claim: str
    subject_claim: str


def _env(name: str, default: str) -> str:
    return (os.environ.get(name) or default).strip()


def _from_environment() -> OIDCConfig:
    leeway = _env("OIDC_LEEWAY_SECONDS", "30")
    return OIDCConfig(
        issuer=_env("OIDC_ISSUER", ""),
        audience=_env("OIDC_AUDIENCE", ""),
        jwks_url=(os.environ.get("OIDC_JWKS_URL") or "").strip() or None,
        jwks_json=(os.environ.get("OIDC_JWKS_JSON") or "").strip() or None,
        alg=_env("OIDC_ALG", "RS256"),
        leeway_seconds=int(float(leeway)),
        groups_claim=_env("OIDC_GROUPS_CLAIM", "groups"),
        admin_group=_env("OIDC_ADMIN_GROUP", "incidentfox-config-admin"),
        org_id_claim=_env("OIDC_ORG_ID_CLAIM", "org_id"),
        team_node_id_claim=_env("OIDC_TEAM_NODE_ID_CLAIM", "team_node_id"),
        email_claim=_env("OIDC_EMAIL_CLAIM", "email"),
        subject_claim=_env("OIDC_SUBJECT_CLAIM", "sub"),
    )


def load_oidc_config() -> OIDCConfig | None:
    """The settings when ``OIDC_ENABLED=1``, else ``None``. The package checks every ``OIDC_*``
    variable first and raises ``InvalidConfigError`` for one it cannot use (an enabled OIDC
    without issuer or audience, a leeway out of range, ...)."""
    if OidcValidator.from_env() is None:
        return None
    return _from_environment()


@functools.lru_cache(maxsize=8)
def _validator(cfg: OIDCConfig) -> OidcValidator:
    # The configuration the environment describes gets the validator of the environment, with
    # every OIDC_* setting the dataclass does not carry (kid rule, size cap, key-set timings).
    if OidcValidator.from_env() is not None and cfg == _from_environment():
        validator = OidcValidator.from_env()
        assert validator is not None
        return validator
    return OidcValidator(
        issuer=cfg.issuer,
        audience=cfg.audience,
        jwks_json=cfg.jwks_json,
        jwks_url=None if cfg.jwks_json else cfg.jwks_url,
        algorithms=[a.strip() for a in cfg.alg.split(",") if a.strip()],
        leeway=float(cfg.leeway_seconds),
        groups_claim=cfg.groups_claim,
        subject_claim=cfg.subject_claim,
        email_claim=cfg.email_claim,
        org_id_claim=cfg.org_id_claim,
        team_node_id_claim=cfg.team_node_id_claim,
    )


def verify_oidc_jwt(token: str, *, cfg: OIDCConfig) -> dict[str, Any]:
    """The claims of a valid token; ``ValueError`` otherwise: "Unknown kid" when no key has the
    token's ``kid`` (a missing ``kid`` included), else the package's reason."""
    validator = _validator(cfg)
    try:
        return validator.verify(token).claims
    except (UnavailableError, ConfigurationError):
        raise
    except AuthError as e:
        if e.code == "unknown_key_id":
            raise ValueError("Unknown kid") from e
        raise ValueError(e.message) from e
