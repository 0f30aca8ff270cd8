"""``config_service/src/core/admin_rbac.py``: an admin's permissions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..._native import RbacPolicy, admin_token_grants
from ._state import cached

__all__ = ["resolve_admin_permissions"]


def _policy() -> RbacPolicy:
    return cached("rbac", ("ADMIN_PERMISSIONS_DEFAULT", "ADMIN_GROUP_PERMISSIONS_JSON"), RbacPolicy.from_env)


def resolve_admin_permissions(
    *,
    auth_kind: str,
    oidc_claims: Mapping[str, Any] | None = None,
    oidc_groups_claim: str = "groups",
) -> list[str]:
    """The break-glass grants for ``admin_token``; otherwise ``ADMIN_PERMISSIONS_DEFAULT`` plus
    the ``ADMIN_GROUP_PERMISSIONS_JSON`` grants of each group in ``oidc_claims[oidc_groups_claim]``.

    A malformed ``ADMIN_GROUP_PERMISSIONS_JSON`` raises the package's ``InvalidConfigError``
    where the service silently used ``{}``."""
    if auth_kind == "admin_token":
        return admin_token_grants()
    return _policy().resolve_claims(dict(oidc_claims or {}), groups_claim=oidc_groups_claim)
