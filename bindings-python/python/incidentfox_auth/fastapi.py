"""FastAPI dependencies and the error handler (``pip install 'incidentfox-auth[fastapi]'``).

::

    from fastapi import Depends, FastAPI
    from incidentfox_auth import Principal
    from incidentfox_auth.fastapi import install, require_admin, require_principal, require_route

    app = FastAPI()
    install(app)  # every AuthError becomes its HTTP status and {"error": {code, status, message}}

    @app.get("/api/v1/auth/me")
    async def me(principal: Principal = Depends(require_principal())) -> dict[str, object]:
        return principal.to_dict()

    @app.post("/api/v1/admin/provision/team")
    async def provision(principal: Principal = Depends(require_route("provision_team"))) -> ...

The dependencies authenticate the request's headers and method with one shared
:class:`Authenticator`: the one given to :func:`configure`, or else ``Authenticator.from_env()``
built on first use. The method is what ``SESSION_COOKIE_CSRF`` checks before the session cookie
counts. They await ``authenticate_async``, so the event loop never blocks on a key fetch or a JTI
store.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ._native import Authenticator, Principal
from .errors import AuthError

__all__ = [
    "configure",
    "error_response",
    "get_authenticator",
    "install",
    "require_admin",
    "require_principal",
    "require_route",
    "require_team",
]

Dependency = Callable[[Request], Awaitable[Principal]]

_lock = threading.Lock()
_authenticator: Authenticator | None = None


def configure(authenticator: Authenticator | None) -> None:
    """Uses ``authenticator`` for every dependency of this module (``None`` forgets it, so the
    next request builds one from the environment again)."""
    global _authenticator
    with _lock:
        _authenticator = authenticator


def get_authenticator() -> Authenticator:
    """The configured authenticator, built from the environment on first use when none was given.

    A configuration problem raises :class:`~incidentfox_auth.errors.ConfigurationError` (500) on
    each request until it is fixed, rather than caching a half-built authenticator.
    """
    global _authenticator
    authenticator = _authenticator
    if authenticator is not None:
        return authenticator
    with _lock:
        if _authenticator is None:
            _authenticator = Authenticator.from_env()
        return _authenticator


async def _authenticate(authenticator: Authenticator, request: Request) -> Principal:
    # Every header, and the method, are passed on: which ones carry a credential, and whether the
    # session cookie counts for this request, is the core's decision.
    return await authenticator.authenticate_async(dict(request.headers), method=request.method)


async def _principal(request: Request) -> Principal:
    return await _authenticate(get_authenticator(), request)


def require_principal() -> Dependency:
    """Any authenticated caller (admin or team), e.g. for ``GET /api/v1/auth/me``."""

    async def principal(request: Request) -> Principal:
        return await _principal(request)

    return principal


def _org_of(request: Request, org_id_param: str | None) -> str | None:
    # The org the request acts on: the path parameter the route names, if any.
    return request.path_params.get(org_id_param) if org_id_param else None


def require_admin(permission: str | None = None, *, org_id_param: str | None = None) -> Dependency:
    """An admin (``not_admin``, 403, otherwise) that, when ``permission`` is given, holds a grant
    for it (``permission_denied``, 403). ``org_id_param`` names the path parameter holding the
    org the request acts on: an org-admin token passes only for its own org, never without it."""

    async def admin(request: Request) -> Principal:
        principal = await _principal(request)
        principal.require_admin(permission, org_id=_org_of(request, org_id_param))
        return principal

    return admin


def require_route(name: str, *, org_id_param: str | None = None) -> Dependency:
    """The orchestrator's check for route ``name`` (``provision_team``, ``agent_run``, ...): an
    admin, ``admin:*`` when ``ORCHESTRATOR_REQUIRE_ADMIN_STAR=1``, and the route's permission.
    An unknown route name is ``invalid_config`` (500), so a typo never opens a route.
    ``org_id_param`` is as for :func:`require_admin`."""

    async def route(request: Request) -> Principal:
        authenticator = get_authenticator()
        principal = await _authenticate(authenticator, request)
        org_id = _org_of(request, org_id_param)
        authenticator.routes.authorize(principal, name, org_id=org_id).raise_for_denial()
        return principal

    return route


def require_team() -> Dependency:
    """A caller scoped to one team: the principal must name an ``org_id`` and a ``team_node_id``
    (``permission_denied``, 403, otherwise)."""

    async def team(request: Request) -> Principal:
        principal = await _principal(request)
        principal.require_team()
        return principal

    return team


def error_response(error: AuthError) -> JSONResponse:
    """``error`` as its HTTP response: the error's status, ``{"error": {code, status, message}}``,
    and ``WWW-Authenticate: Bearer`` on a 401."""
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    return JSONResponse(
        status_code=error.status,
        content={"error": {"code": error.code, "status": error.status, "message": error.message}},
        headers=headers,
    )


async def _handle(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, AuthError):  # pragma: no cover - registered for AuthError only
        raise exc
    return error_response(exc)


def install(app: FastAPI) -> None:
    """Registers the handler that turns every :class:`AuthError` raised by a route or dependency
    into :func:`error_response`."""
    app.add_exception_handler(AuthError, _handle)
