"""The config service's auth surface, mounted as the service mounts it, for the compat tests:
FastAPI routes over ``incidentfox_auth.compat.config_service`` with SQLAlchemy sessions on
SQLite (or any URL) for ``team_tokens``, ``org_admin_tokens`` and ``impersonation_jtis``."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

from fastapi import Depends, FastAPI, Header, HTTPException
from sqlalchemy import Engine, create_engine, insert
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool
from support import ADMIN_GROUP, AUDIENCE, ISSUER, oidc_jwks

from incidentfox_auth import generate_team_token
from incidentfox_auth.compat import config_service as cs
from incidentfox_auth.compat.config_service.auth import (
    AdminPrincipal,
    TeamPrincipal,
    auth_me,
    require_admin,
    require_team_auth,
)
from incidentfox_auth.compat.config_service.repository import SqlAlchemyJtiStore
from incidentfox_auth.compat.config_service.tables import metadata, org_admin_tokens, team_tokens

ADMIN_TOKEN = "compat-break-glass-admin-token-0123456789"
PEPPER = "compat-token-pepper"
IMP_SECRET = "compat-impersonation-secret-0123456789abcdef"
NEW_TEAM = generate_team_token(PEPPER)
LEGACY_TEAM = "tokid.toksecret"
ORG_ADMIN = "orgadm1.orgadminsecret"
REVOKED = "revoked1.revokedsecret"
EXPIRED = "expired1.expiredsecret"


def env(**extra: str) -> dict[str, str]:
    """The service's environment: token and OIDC admins, token and OIDC teams, impersonation."""
    return {
        "ADMIN_AUTH_MODE": "both",
        "TEAM_AUTH_MODE": "both",
        "ADMIN_TOKEN": ADMIN_TOKEN,
        "TOKEN_PEPPER": PEPPER,
        "OIDC_ENABLED": "1",
        "OIDC_ISSUER": ISSUER,
        "OIDC_AUDIENCE": AUDIENCE,
        "OIDC_JWKS_JSON": oidc_jwks("rs256"),
        "OIDC_ALG": "RS256",
        "ADMIN_PERMISSIONS_DEFAULT": "admin:read",
        "ADMIN_GROUP_PERMISSIONS_JSON": '{"incidentfox-config-admin": ["admin:*"], "provisioners": "admin:provision"}',
        "IMPERSONATION_JWT_SECRET": IMP_SECRET,
        **extra,
    }


def sqlite_engine() -> Engine:
    # One in-memory database shared by every session; the package may call the lookup from a
    # worker thread, hence check_same_thread off.
    return create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)


def legacy_hash(secret: str) -> str:
    """What the service's hash_token stored: hex SHA-256 of secret ‖ pepper."""
    return hashlib.sha256(secret.encode() + PEPPER.encode()).hexdigest()


def seed(engine: Engine) -> sessionmaker[Session]:
    metadata.create_all(engine)
    now = datetime.now(timezone.utc)
    team = {
        "org_id": "org-1", "team_node_id": "team-1", "issued_at": now, "permissions": ["team:read", "team:write"],
        "label": None, "revoked_at": None, "expires_at": None,
    }
    with engine.begin() as conn:
        conn.execute(
            insert(team_tokens),
            [
                {**team, "token_id": NEW_TEAM["token_id"], "token_hash": NEW_TEAM["token_hash"], "label": "new"},
                {**team, "token_id": "tokid", "token_hash": legacy_hash("toksecret"), "label": "legacy"},
                {**team, "token_id": "revoked1", "token_hash": legacy_hash("revokedsecret"), "revoked_at": now},
                # Naive UTC, as the service's datetime.utcnow() wrote it.
                {
                    **team,
                    "token_id": "expired1",
                    "token_hash": legacy_hash("expiredsecret"),
                    "expires_at": (now - timedelta(hours=1)).replace(tzinfo=None),
                },
            ],
        )
        conn.execute(
            insert(org_admin_tokens),
            [{"org_id": "org-1", "token_id": "orgadm1", "token_hash": legacy_hash("orgadminsecret"), "issued_at": now}],
        )
    return sessionmaker(engine)


@contextmanager
def configured(factory: sessionmaker[Session], **settings: Any) -> Iterator[None]:
    cs.configure(session_factory=factory, jti_store=SqlAlchemyJtiStore(factory), **settings)
    try:
        yield
    finally:
        cs.configure(session_factory=None, jti_store=None, auth_failure=None, admin_action=None)


def bearer_of(authorization: str) -> str:
    return authorization.split(" ", 1)[1].strip() if authorization.lower().startswith("bearer ") else ""


def app() -> FastAPI:
    service = FastAPI()

    @service.get("/api/v1/auth/me")
    def me(body: dict[str, Any] = Depends(auth_me)) -> dict[str, Any]:
        return body

    @service.post("/api/v1/admin/orgs/{org_id}/teams/{team_node_id}/impersonation-token")
    def impersonation_token(
        org_id: str, team_node_id: str, admin: AdminPrincipal = Depends(require_admin)
    ) -> dict[str, Any]:
        if admin.org_id is not None and admin.auth_kind == "org_admin_token" and admin.org_id != org_id:
            raise HTTPException(status_code=403, detail="Org admin cannot access other orgs")
        try:
            token, exp, _ = cs.mint_team_impersonation_token(
                org_id=org_id, team_node_id=team_node_id, actor_subject=admin.subject, actor_email=admin.email
            )
        except RuntimeError as e:
            raise HTTPException(status_code=500, detail=str(e)) from e
        return {"token": token, "expires_at": exp}

    @service.get("/api/v1/admin/whoami")
    def whoami(admin: AdminPrincipal = Depends(require_admin)) -> dict[str, Any]:
        return {"auth_kind": admin.auth_kind, "subject": admin.subject, "org_id": admin.org_id, "email": admin.email}

    @service.get("/api/v1/config/me")
    def team_config(team: TeamPrincipal = Depends(require_team_auth)) -> dict[str, Any]:
        return {
            "auth_kind": team.auth_kind,
            "org_id": team.org_id,
            "team_node_id": team.team_node_id,
            "can_write": team.can_write(),
            "is_visitor": team.is_visitor(),
            "visitor_session_id": team.visitor_session_id,
        }

    @service.put("/api/v1/config/me")
    def update_config(team: TeamPrincipal = Depends(require_team_auth)) -> dict[str, bool]:
        if not team.can_write():
            raise HTTPException(status_code=403, detail="Read-only token")
        return {"ok": True}

    @service.post("/api/v1/visitor/heartbeat")
    def heartbeat(authorization: str = Header(default="")) -> dict[str, str]:
        session_id = cs.extract_visitor_session_id(bearer_of(authorization))
        if session_id is None:
            raise HTTPException(status_code=401, detail="Invalid visitor token")
        return {"session_id": session_id}

    return service


__all__ = ["ADMIN_GROUP"]
