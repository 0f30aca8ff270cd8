"""``config_service/src/api/auth.py``: the FastAPI dependencies of the config service.

Every request is authenticated by one package ``Authenticator`` built from the environment, with
the JTI store and the token tables given to :func:`configure`; these functions only turn its
principal into the service's dataclasses and its errors into the service's ``HTTPException``s
(status and detail as before; docs/migrating.md lists where the package answers otherwise)."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Depends, Header, HTTPException

from ..._native import Authenticator, Principal as _CorePrincipal, error_http_response
from ...errors import AuthError
from ._state import cached, settings
from .repository import TokenTableLookup, touch_last_used
from .tables import org_admin_tokens, team_tokens

__all__ = [
    "AdminPrincipal",
    "OIDCPrincipal",
    "TeamPrincipal",
    "auth_me",
    "authenticate_admin_request",
    "authenticate_team_request",
    "get_authenticator",
    "require_admin",
    "require_team_auth",
]

_log = logging.getLogger(__name__)

# Every variable the package's Authenticator reads: a change to any rebuilds it.
_VARIABLES = (
    "ADMIN_", "TEAM_AUTH_MODE", "TOKEN_PEPPER", "OIDC_", "IMPERSONATION_", "VISITOR_TOKEN_",
    "INTERNAL_SERVICE_", "AUTH_ALLOW_SHORT_SECRETS", "AUTH_HOOK_", "SESSION_COOKIE_", "WEB_UI_", "ORCHESTRATOR_",
    "DATABASE_URL", "PGSSL",
)


class _Tables:
    """Team tokens first, then org-admin tokens: the one lookup the package's dispatch asks for
    a ``<token_id>.<secret>`` bearer, through the configured session factory."""

    def lookup(self, token_id: str) -> dict[str, Any] | None:
        factory = settings()["session_factory"]
        if factory is None:
            return None
        for table, kind in ((team_tokens, "team"), (org_admin_tokens, "org_admin")):
            found = TokenTableLookup(factory, table, kind).lookup(token_id)
            if found is not None:
                return found
        return None


def get_authenticator() -> Authenticator:
    store = settings()["jti_store"]
    return cached(
        "authenticator",
        _VARIABLES,
        lambda: Authenticator.from_env(jti_store=store, team_token_lookup=_Tables()),
    )


def _count(hook: str, *labels: str) -> None:
    counter = settings()[hook]
    if counter is not None:
        counter(*labels)


def _public(code: str) -> str:
    answer = error_http_response(code)
    if answer is None:
        return "the request was refused"
    message: str = json.loads(answer[2])["error"]["message"]
    return message


def _http(error: AuthError, unauthenticated: str, forbidden: Mapping[str, str] | None = None) -> HTTPException:
    """The service's answer to a refusal: 401 with its detail, 403 with its detail for the codes
    it had one for, and for the rest the package's status and fixed public message (the package's
    detail may name a store or a claim, never for the caller: it goes to this module's logger,
    5xx at ``ERROR``, the rest at ``INFO``)."""
    _log.log(logging.ERROR if error.status >= 500 else logging.INFO, "%s %s: %s", error.status, error.code, error.message)
    if error.status == 401:
        return HTTPException(status_code=401, detail=unauthenticated)
    if error.status == 403 and forbidden and error.code in forbidden:
        return HTTPException(status_code=403, detail=forbidden[error.code])
    return HTTPException(status_code=error.status, detail=_public(error.code))


def _claims(token: str) -> dict[str, Any]:
    # The payload of a JWT the package has just verified: read only to hand the service its
    # claims, as the service's principal carried them.
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


def _bearer(authorization: str) -> str:
    if not authorization or not authorization.lower().startswith("bearer "):
        return ""
    return authorization.split(" ", 1)[1].strip()


@dataclass(frozen=True)
class OIDCPrincipal:
    subject: str
    email: str | None
    org_id: str | None
    team_node_id: str | None
    claims: dict[str, Any]


def _authenticate(headers: dict[str, str]) -> _CorePrincipal:
    return get_authenticator().authenticate(headers)


def authenticate_team_request(
    authorization: str = Header(default=""), *, session: Any = None
) -> tuple[str, OIDCPrincipal | None, str]:
    """``(auth_kind, principal, raw_token)``: ``team_token`` (no principal), ``oidc``,
    ``impersonation`` or ``visitor``. The credential is verified in full, a team token included.
    ``session`` is accepted for the old signature; lookups go through the configured factory."""
    token = _bearer(authorization)
    if not token:
        raise HTTPException(status_code=401, detail="Missing Bearer token")
    try:
        principal = _authenticate({"Authorization": f"Bearer {token}"})
    except AuthError as e:
        _count("auth_failure", "unsupported_token" if e.status == 401 else "team_auth_failed")
        raise _http(e, "Invalid token") from e
    if principal.auth_kind == "team_token":
        return "team_token", None, token
    if principal.auth_kind not in ("oidc", "impersonation", "visitor"):
        # An admin's own credential (the break-glass or an org-admin token) is no team credential.
        _count("auth_failure", "unsupported_token")
        raise HTTPException(status_code=401, detail="Invalid token")
    return (
        principal.auth_kind,
        OIDCPrincipal(
            subject=principal.subject or "",
            email=principal.email,
            org_id=principal.org_id,
            team_node_id=principal.team_node_id,
            claims=_claims(token),
        ),
        token,
    )


@dataclass(frozen=True)
class AdminPrincipal:
    auth_kind: str
    subject: str
    email: str | None
    claims: dict[str, Any]
    org_id: str | None = None


# The subjects the service gave credentials that name no user (docs/compatibility.md, "What the
# compat layer keeps of the services").
_SUBJECTS = {"admin_token": "super_admin", "internal_service": "service:internal"}


def authenticate_admin_request(
    authorization: str = Header(default=""),
    x_admin_token: str = Header(default="", alias="X-Admin-Token"),
    x_internal_service: str = Header(default="", alias="X-Internal-Service"),
) -> AdminPrincipal:
    """An admin: the break-glass token, an org-admin token (scoped to its org), an OIDC admin or
    the internal service. HTTPException 401 "Missing admin token" / "Invalid admin token", 403
    "Not an admin"."""
    headers = {
        name: value
        for name, value in (
            ("Authorization", authorization),
            ("X-Admin-Token", x_admin_token),
            ("X-Internal-Service", x_internal_service),
        )
        if value
    }
    try:
        principal = _authenticate(headers)
        # An org-admin token is an admin of its own org: the routes compare AdminPrincipal.org_id
        # with the org they act on, as before (docs/migrating.md, "Org-admin tokens").
        own_org = principal.org_id if principal.auth_kind == "org_admin_token" else None
        principal.require_admin(org_id=own_org)
    except AuthError as e:
        _count("admin_action", "auth", "denied")
        if e.code == "missing_credentials":
            raise HTTPException(status_code=401, detail="Missing admin token") from e
        raise _http(e, "Invalid admin token", {"not_admin": "Not an admin", "permission_denied": "Not an admin"}) from e
    kind = principal.auth_kind
    if kind == "org_admin_token":
        subject = f"org_admin:{principal.org_id}"
    else:
        subject = principal.subject or _SUBJECTS.get(kind, kind)
    token = _bearer(authorization) or x_admin_token.strip()
    return AdminPrincipal(
        auth_kind=kind,
        subject=subject,
        email=principal.email,
        claims=_claims(token) if kind == "oidc" else {},
        org_id=principal.org_id,
    )


def require_admin(principal: AdminPrincipal = Depends(authenticate_admin_request)) -> AdminPrincipal:
    """FastAPI dependency for requiring admin authentication."""
    return principal


@dataclass(frozen=True)
class TeamPrincipal:
    auth_kind: str
    org_id: str
    team_node_id: str
    subject: str | None = None
    email: str | None = None
    token: str | None = None
    visitor_session_id: str | None = None
    #: The package's principal this one was made from (``None`` when built by hand).
    principal: _CorePrincipal | None = field(default=None, compare=False, repr=False)

    def is_visitor(self) -> bool:
        return self.auth_kind == "visitor"

    def can_write(self) -> bool:
        """The package's answer: neither visitor nor impersonation tokens write (the service let
        impersonation tokens write here while ``/auth/me`` said they could not)."""
        if self.principal is not None:
            return self.principal.can_write
        # Built by hand: the read-only kinds of docs/compatibility.md.
        return self.auth_kind not in ("visitor", "impersonation")


def require_team_auth(authorization: str = Header(default="")) -> TeamPrincipal:
    """A team member: a team token, a team OIDC user, an impersonation or a visitor token.
    HTTPException 401 ("Missing Bearer token", "Invalid token", "Token revoked", "Token
    expired"), 403 when the credential names no team."""
    token = _bearer(authorization)
    if not token:
        raise HTTPException(status_code=401, detail="Missing Bearer token")
    try:
        principal = _authenticate({"Authorization": f"Bearer {token}"})
        principal.require_team()
    except AuthError as e:
        team_token = token.count(".") == 1
        _count("auth_failure", "team_token_invalid" if team_token else "team_auth_failed")
        detail = "Invalid token"
        if team_token:
            detail = {"token_revoked": "Token revoked", "token_expired": "Token expired"}.get(e.code, detail)
        raise _http(e, detail) from e
    if principal.auth_kind == "team_token":
        factory = settings()["session_factory"]
        if factory is not None:
            with factory() as session, session.begin():
                touch_last_used(session, team_tokens, token.split(".", 1)[0])
    return TeamPrincipal(
        auth_kind=principal.auth_kind,
        org_id=principal.org_id or "",
        team_node_id=principal.team_node_id or "",
        subject=principal.subject,
        email=principal.email,
        token=token,
        visitor_session_id=principal.visitor_session_id,
        principal=principal,
    )


def auth_me(
    authorization: str = Header(default=""),
    x_admin_token: str = Header(default="", alias="X-Admin-Token"),
) -> dict[str, Any]:
    """The ``GET /api/v1/auth/me`` body of the caller (the package's ``Principal.to_dict()``).
    HTTPException 401 "Missing Bearer token" / "Invalid token", 403 "Not an admin" or "OIDC
    token missing org/team scope"."""
    headers = {n: v for n, v in (("Authorization", authorization), ("X-Admin-Token", x_admin_token)) if v}
    try:
        principal = _authenticate(headers)
    except AuthError as e:
        if e.code == "missing_credentials":
            raise HTTPException(status_code=401, detail="Missing Bearer token") from e
        raise _http(
            e,
            "Invalid token",
            {"not_admin": "Not an admin", "permission_denied": "OIDC token missing org/team scope"},
        ) from e
    return principal.to_dict()
