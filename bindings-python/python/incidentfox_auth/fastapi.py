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

Each dependency checks its options when it is built: an unknown option or a value of the wrong
type raises :class:`TypeError` then, naming it and the accepted options, so a misspelt
requirement never leaves a route open.

:func:`observability_router` serves ``/metrics`` (the counters as OpenMetrics text) and
``/healthz`` (``health()`` as JSON: 200 when ready, 503 when not) for a scraper and a readiness
probe::

    app.include_router(observability_router())  # the configured authenticator

A refusal's body carries its code and a fixed message per code; the detail (which claim, key or
store failed, and a store's or lookup's exception text, which may name a database host, user or
query) goes to the ``incidentfox_auth.fastapi`` logger: 5xx at ``ERROR``, 4xx at ``INFO``.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from ._native import (
    Authenticator,
    ImpersonationVerifier,
    OidcValidator,
    Principal,
    error_http_response,
    openmetrics,
)
from .errors import AuthError

__all__ = [
    "OPENMETRICS_CONTENT_TYPE",
    "configure",
    "error_response",
    "get_authenticator",
    "install",
    "observability_router",
    "require_admin",
    "require_principal",
    "require_route",
    "require_team",
    "require_team_member",
]

Dependency = Callable[[Request], Awaitable[Principal]]

_log = logging.getLogger(__name__)

_P = ParamSpec("_P")


def _checked_options(helper: Callable[_P, Dependency]) -> Callable[_P, Dependency]:
    # Python's own TypeError for an unexpected keyword names it but not what the helper takes;
    # this one lists the accepted options too.
    accepted = list(inspect.signature(helper).parameters)

    @functools.wraps(helper)
    def checked(*args: _P.args, **kwargs: _P.kwargs) -> Dependency:
        for name in kwargs:
            if name not in accepted:
                raise TypeError(
                    f"{helper.__name__}() got an unknown option {name!r}; "
                    f"the accepted options are {', '.join(accepted) or 'none'}"
                )
        return helper(*args, **kwargs)

    return checked


def _string_option(helper: str, name: str, value: object) -> None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{helper}(): {name!r} must be a str, not {type(value).__name__}")


def _bool_option(helper: str, name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{helper}(): {name!r} must be a bool, not {type(value).__name__}")

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


@_checked_options
def require_principal() -> Dependency:
    """Any authenticated caller (admin or team), e.g. for ``GET /api/v1/auth/me``."""

    async def principal(request: Request) -> Principal:
        return await _principal(request)

    return principal


def _org_of(request: Request, org_id_param: str | None) -> str | None:
    # The org the request acts on: the path parameter the route names, if any.
    return request.path_params.get(org_id_param) if org_id_param else None


def _param(request: Request, name: str | None) -> str | None:
    # A path parameter the route names; "" when the request lacks it, which the core admits
    # nobody for.
    if name is None:
        return None
    value = request.path_params.get(name)
    return value if isinstance(value, str) else ""


@_checked_options
def require_admin(permission: str | None = None, *, org_id_param: str | None = None) -> Dependency:
    """An admin (``not_admin``, 403, otherwise) that, when ``permission`` is given, holds a grant
    for it (``permission_denied``, 403). ``org_id_param`` names the path parameter holding the
    org the request acts on: an org-admin token passes only for its own org, never without it."""
    _string_option("require_admin", "permission", permission)
    _string_option("require_admin", "org_id_param", org_id_param)

    async def admin(request: Request) -> Principal:
        principal = await _principal(request)
        principal.require_admin(permission, org_id=_org_of(request, org_id_param))
        return principal

    return admin


@_checked_options
def require_route(name: str, *, org_id_param: str | None = None) -> Dependency:
    """The orchestrator's check for route ``name`` (``provision_team``, ``agent_run``, ...): an
    admin, ``admin:*`` when ``ORCHESTRATOR_REQUIRE_ADMIN_STAR=1``, and the route's permission.
    An unknown route name is ``invalid_config`` (500), so a typo never opens a route.
    ``org_id_param`` is as for :func:`require_admin`."""
    if not isinstance(name, str):
        raise TypeError(f"require_route(): the route name must be a str, not {type(name).__name__}")
    _string_option("require_route", "org_id_param", org_id_param)

    async def route(request: Request) -> Principal:
        authenticator = get_authenticator()
        principal = await _authenticate(authenticator, request)
        org_id = _org_of(request, org_id_param)
        authenticator.routes.authorize(principal, name, org_id=org_id).raise_for_denial()
        return principal

    return route


@_checked_options
def require_team() -> Dependency:
    """A caller that names an ``org_id`` and a ``team_node_id`` (``permission_denied``, 403,
    otherwise).

    That is all it checks: read-only impersonation tokens and anonymous visitor tokens name a
    team too and pass, whatever the request is about. Routes that write, need a permission, act
    on a team named in the path or are not for visitors use :func:`require_team_member`."""

    async def team(request: Request) -> Principal:
        principal = await _principal(request)
        principal.require_team()
        return principal

    return team


@_checked_options
def require_team_member(
    *,
    write: bool = False,
    permission: str | None = None,
    org_id_param: str | None = None,
    team_id_param: str | None = None,
    allow_visitors: bool = False,
) -> Dependency:
    """A member of a team that meets what the route needs (``permission_denied``, 403,
    otherwise), decided by the core's ``Principal.require_team_member``:

    - no anonymous visitor token, unless ``allow_visitors`` (a public playground's routes);
    - ``write``: no read-only principal (impersonation and visitor tokens);
    - ``permission``: a grant for it (``team:write``, ``agent:invoke``, ...);
    - ``org_id_param`` / ``team_id_param``: the path parameters holding the org and team the
      request acts on, which the caller must belong to.
    """
    _bool_option("require_team_member", "write", write)
    _bool_option("require_team_member", "allow_visitors", allow_visitors)
    for name, value in (
        ("permission", permission),
        ("org_id_param", org_id_param),
        ("team_id_param", team_id_param),
    ):
        _string_option("require_team_member", name, value)

    async def member(request: Request) -> Principal:
        principal = await _principal(request)
        principal.require_team_member(
            write=write,
            permission=permission,
            org_id=_param(request, org_id_param),
            team_node_id=_param(request, team_id_param),
            allow_visitors=allow_visitors,
        )
        return principal

    return member


def error_response(error: AuthError) -> JSONResponse:
    """``error`` as its HTTP response (the core's ``Error::http_response``): the code's status,
    ``{"error": {code, status, message}}`` with the code's fixed message, and
    ``WWW-Authenticate: Bearer`` on a 401. The error's own message is logged (the
    ``incidentfox_auth.fastapi`` logger: 5xx at ``ERROR``, 4xx at ``INFO``), never sent."""
    answer = error_http_response(error.code)
    if answer is None:
        # A code this version does not know (an AuthError built by hand): its own status, and a
        # message that says nothing of its detail.
        body = {"error": {"code": error.code, "status": error.status, "message": "the request was refused"}}
        answer = (error.status, [("content-type", "application/json")], json.dumps(body))
    status, headers, body_text = answer
    level = logging.ERROR if status >= 500 else logging.INFO
    _log.log(level, "%s %s: %s", status, error.code, error.message)
    # JSONResponse (as before) over the core's body: it sets content-type itself.
    extra = {name: value for name, value in headers if name != "content-type"}
    return JSONResponse(content=json.loads(body_text), status_code=status, headers=extra or None)


async def _handle(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, AuthError):  # pragma: no cover - registered for AuthError only
        raise exc
    return error_response(exc)


def install(app: FastAPI) -> None:
    """Registers the handler that turns every :class:`AuthError` raised by a route or dependency
    into :func:`error_response`."""
    app.add_exception_handler(AuthError, _handle)


#: The content type of the OpenMetrics text exposition.
OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8"

Observable = OidcValidator | ImpersonationVerifier | Authenticator


async def _health(target: Observable) -> dict[str, Any]:
    return await target.health_async()


def observability_router(
    *objects: Observable, metrics_path: str = "/metrics", health_path: str = "/healthz"
) -> APIRouter:
    """A router with ``GET /metrics`` and ``GET /healthz`` (left out of the OpenAPI schema) for
    ``objects``, or for the authenticator of :func:`get_authenticator` when none is given.

    - ``/metrics``: :func:`incidentfox_auth.openmetrics` of the objects (their counters added
      together in the core), as :data:`OPENMETRICS_CONTENT_TYPE`.
    - ``/healthz``: the object's ``health()`` as JSON (``{ready, jwks, jti_store}``), 200 when
      it is ready and 503 when not. With several objects: ``{"ready": ..., "components": [...]}``,
      ready when each is. The JTI store probe runs under the hook deadline and never blocks the
      event loop.
    """
    for target in objects:
        if not isinstance(target, (OidcValidator, ImpersonationVerifier, Authenticator)):
            raise TypeError(
                "observability_router() takes OidcValidator, ImpersonationVerifier or "
                f"Authenticator objects, not {type(target).__name__}"
            )
    router = APIRouter()

    def targets() -> tuple[Observable, ...]:
        return objects or (get_authenticator(),)

    @router.get(metrics_path, include_in_schema=False)
    async def metrics() -> Response:
        return Response(content=openmetrics(*targets()), media_type=OPENMETRICS_CONTENT_TYPE)

    @router.get(health_path, include_in_schema=False)
    async def healthz() -> JSONResponse:
        checks = [await _health(target) for target in targets()]
        if len(checks) == 1:
            body = checks[0]
        else:
            body = {"ready": all(check["ready"] for check in checks), "components": checks}
        return JSONResponse(content=body, status_code=200 if body["ready"] else 503)

    return router
