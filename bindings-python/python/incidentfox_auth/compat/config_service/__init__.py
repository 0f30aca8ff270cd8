"""The config service's auth functions, one submodule per service module.

- :mod:`.security` (``src/core/security.py``), :mod:`.impersonation`, :mod:`.admin_rbac`,
  :mod:`.oidc`: no extra dependency.
- :mod:`.repository` and :mod:`.tables` (``src/db/repository.py``): SQLAlchemy, the
  ``incidentfox-auth[compat]`` extra.
- :mod:`.auth` (``src/api/auth.py``): FastAPI and SQLAlchemy.

Call :func:`configure` once at start with the session factory and, when the JTI allowlist is on,
the JTI store. The SQLAlchemy and FastAPI parts are imported from their submodules, so the
others work without those packages installed.
"""

from __future__ import annotations

from ._state import configure
from .admin_rbac import resolve_admin_permissions
from .impersonation import (
    accept_legacy_impersonation_jwt_audience,
    create_visitor_token,
    extract_visitor_session_id,
    get_impersonation_jwt_audience,
    get_impersonation_jwt_secret,
    get_impersonation_ttl_seconds,
    get_visitor_token_ttl_seconds,
    mint_team_impersonation_token,
    verify_team_impersonation_token,
    verify_visitor_token,
)
from .oidc import OIDCConfig, load_oidc_config, verify_oidc_jwt
from .security import generate_token, get_token_pepper, hash_token

__all__ = [
    "OIDCConfig",
    "accept_legacy_impersonation_jwt_audience",
    "configure",
    "create_visitor_token",
    "extract_visitor_session_id",
    "generate_token",
    "get_impersonation_jwt_audience",
    "get_impersonation_jwt_secret",
    "get_impersonation_ttl_seconds",
    "get_token_pepper",
    "get_visitor_token_ttl_seconds",
    "hash_token",
    "load_oidc_config",
    "mint_team_impersonation_token",
    "resolve_admin_permissions",
    "verify_oidc_jwt",
    "verify_team_impersonation_token",
    "verify_visitor_token",
]
