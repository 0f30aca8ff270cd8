"""The orchestrator's admin checks (closures inside its ``create_app``), decided locally.

The orchestrator asked the config service's ``/auth/me`` over HTTP and cached the answer; here
the package's ``Authenticator`` (built from the same environment) answers in process, and its
``RouteTable`` holds the route permissions (``ORCHESTRATOR_REQUIRED_PERMISSION_*``)."""

from __future__ import annotations

import os
import threading
from typing import Any

from fastapi import HTTPException

from .._native import Authenticator, RouteTable, explain
from ..errors import ForbiddenError

__all__ = ["configure", "require_admin", "require_admin_permission", "route_permission"]

_lock = threading.Lock()
_state: dict[str, Any] = {"authenticator": None, "key": None}


def configure(authenticator: Authenticator | None) -> None:
    """Uses ``authenticator`` (with the service's JTI store and token lookup) for every check;
    ``None`` goes back to ``Authenticator.from_env()``, rebuilt when the environment changes."""
    with _lock:
        _state["authenticator"] = authenticator
        _state["key"] = "configured" if authenticator is not None else None


def _authenticator() -> Authenticator:
    with _lock:
        if _state["key"] == "configured":
            configured: Authenticator = _state["authenticator"]
            return configured
        key = tuple(sorted(os.environ.items()))
        if _state["key"] != key:
            _state["authenticator"] = Authenticator.from_env()
            _state["key"] = key
        built: Authenticator = _state["authenticator"]
        return built


def _admin_routes(authenticator: Authenticator) -> RouteTable:
    # One route with no permission: authorize() then decides only "an admin, holding admin:*
    # when ORCHESTRATOR_REQUIRE_ADMIN_STAR says so", the package's rule for any admin route.
    return RouteTable(require_admin_star=authenticator.routes.require_admin_star, routes={"admin": None})


def require_admin(raw: str) -> dict[str, Any]:
    """The ``/auth/me`` body of the admin whose bearer token is ``raw``.

    ``PermissionError("admin permissions required")`` when the caller is authenticated but is no
    admin, or lacks ``admin:*`` while ``ORCHESTRATOR_REQUIRE_ADMIN_STAR`` is on; a credential the
    package refuses raises its ``AuthError`` (401, or 503 when a key set or store is down)."""
    authenticator = _authenticator()
    try:
        # An OIDC user outside OIDC_ADMIN_GROUP is refused (not_admin) while authenticating.
        principal = authenticator.authenticate({"Authorization": f"Bearer {raw}"})
        _admin_routes(authenticator).authorize(principal, "admin").raise_for_denial()
    except ForbiddenError as e:
        raise PermissionError("admin permissions required") from e
    return principal.to_dict()


def route_permission(route: str) -> str | None:
    """The permission route ``route`` needs (``provision_team``, ``provision_read``,
    ``agent_run``, ...), from the same variables as before; ``None`` when a blank value skips it."""
    return _authenticator().routes.required(route)


def require_admin_permission(principal: dict[str, Any], required: str | None) -> None:
    """HTTPException 403 "insufficient_permissions" unless a permission of ``principal`` (an
    ``/auth/me`` body) grants ``required``; nothing to check when ``required`` is empty (a blank
    ``ORCHESTRATOR_REQUIRED_PERMISSION_*``)."""
    if not required:
        return
    permissions = [str(p) for p in principal.get("permissions") or []]
    if not explain(permissions, required).allowed:
        raise HTTPException(status_code=403, detail="insufficient_permissions")
