"""incidentfox_auth.compat.config_service, tested as the config service tests itself: its routes
mounted in a FastAPI app over SQLAlchemy (SQLite), called with TestClient for every credential it
accepts, and every refusal with the status and detail the service answers."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from compat_app import (
    ADMIN_TOKEN,
    EXPIRED,
    IMP_SECRET,
    LEGACY_TEAM,
    NEW_TEAM,
    ORG_ADMIN,
    PEPPER,
    REVOKED,
    app,
    configured,
    env,
    seed,
    sqlite_engine,
)
from fastapi import HTTPException
from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker
from support import ADMIN_GROUP, AUDIENCE, ISSUER, bearer, mint_oidc, public_jwk

from incidentfox_auth import ImpersonationSigner, InvalidConfigError
from incidentfox_auth.compat import config_service as cs
from incidentfox_auth.compat.config_service import repository
from incidentfox_auth.compat.config_service.auth import authenticate_team_request
from incidentfox_auth.compat.config_service.tables import impersonation_jtis, team_tokens

NOW = int(time.time())


def oidc(**claims: Any) -> str:
    base = {"iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "email": "alice@example.com", "iat": NOW - 60, "exp": NOW + 600}
    return mint_oidc({**base, **claims}, key="rs256")


class Service:
    def __init__(self, client: TestClient, factory: sessionmaker[Session], failures: list[tuple[str, ...]]) -> None:
        self.client = client
        self.factory = factory
        self.failures = failures

    def me(self, token: str) -> Any:
        return self.client.get("/api/v1/auth/me", headers=bearer(token))

    def team(self, token: str) -> Any:
        return self.client.get("/api/v1/config/me", headers=bearer(token))

    def mint(self, token: str, org: str = "org-1", team: str = "team-1") -> Any:
        return self.client.post(f"/api/v1/admin/orgs/{org}/teams/{team}/impersonation-token", headers=bearer(token))

    def jtis(self) -> list[str]:
        with self.factory() as session:
            return list(session.execute(select(impersonation_jtis.c.jti)).scalars())


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[Service]:
    extra: dict[str, str] = getattr(request, "param", {})
    for name, value in env(**extra).items():
        monkeypatch.setenv(name, value)
    factory = seed(sqlite_engine())
    failures: list[tuple[str, ...]] = []
    with configured(
        factory,
        auth_failure=lambda reason: failures.append(("auth_failure", reason)),
        admin_action=lambda action, result: failures.append(("admin_action", action, result)),
    ):
        yield Service(TestClient(app()), factory, failures)


def detail(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    message: str = response.json()["detail"]
    return message


# --- /api/v1/auth/me for every credential.


def test_me_admin_token(service: Service) -> None:
    response = service.me(ADMIN_TOKEN)
    assert response.status_code == 200, response.text
    assert response.json() == {"role": "admin", "auth_kind": "admin_token", "can_write": True, "permissions": ["admin:*"]}


def test_me_org_admin_token_is_reported_as_admin_token_with_its_org(service: Service) -> None:
    body = service.me(ORG_ADMIN).json()
    assert body == {"role": "admin", "auth_kind": "admin_token", "org_id": "org-1", "can_write": True, "permissions": ["admin:*"]}


@pytest.mark.parametrize("token", [NEW_TEAM["token"], LEGACY_TEAM], ids=["new-shape", "legacy-shape"])
def test_me_team_token(service: Service, token: str) -> None:
    assert service.me(token).json() == {
        "role": "team",
        "auth_kind": "team_token",
        "org_id": "org-1",
        "team_node_id": "team-1",
        "can_write": True,
        "permissions": ["team:read", "team:write"],
    }


def test_me_oidc_admin_gets_its_groups_grants(service: Service) -> None:
    body = service.me(oidc(groups=[ADMIN_GROUP, "provisioners"])).json()
    assert body["role"] == "admin" and body["auth_kind"] == "oidc"
    assert (body["subject"], body["email"]) == ("alice", "alice@example.com")
    assert body["permissions"] == ["admin:read", "admin:*", "admin:provision"]


@pytest.mark.parametrize("service", [{"OIDC_GROUPS_CLAIM": "roles"}], indirect=True)
def test_me_reads_the_configured_groups_claim(service: Service) -> None:
    # The service read `groups` whatever OIDC_GROUPS_CLAIM said; the package reads the named claim.
    body = service.me(oidc(roles=[ADMIN_GROUP, "provisioners"], groups=["ignored"])).json()
    assert body["permissions"] == ["admin:read", "admin:*", "admin:provision"]
    assert detail(service.me(oidc(groups=[ADMIN_GROUP])), 403) == "OIDC token missing org/team scope"


def test_me_oidc_team_member(service: Service) -> None:
    body = service.me(oidc(org_id="org-1", team_node_id="team-1")).json()
    assert body == {
        "role": "team",
        "auth_kind": "oidc",
        "org_id": "org-1",
        "team_node_id": "team-1",
        "subject": "alice",
        "email": "alice@example.com",
        "can_write": True,
        "permissions": ["team:read", "team:write"],
    }


def test_me_refusals(service: Service) -> None:
    assert detail(service.client.get("/api/v1/auth/me"), 401) == "Missing Bearer token"
    assert detail(service.me("wrong-admin-token-0123456789abcdef"), 401) == "Invalid token"
    assert detail(service.me("tokid.wrongsecret"), 401) == "Invalid token"
    assert detail(service.me(oidc(exp=NOW - 100)), 401) == "Invalid token"
    assert detail(service.me(oidc()), 403) == "OIDC token missing org/team scope"


# --- The admin routes.


def test_admin_route_principals(service: Service) -> None:
    who = service.client.get("/api/v1/admin/whoami", headers=bearer(ADMIN_TOKEN)).json()
    assert who == {"auth_kind": "admin_token", "subject": "super_admin", "org_id": None, "email": None}
    who = service.client.get("/api/v1/admin/whoami", headers={"X-Admin-Token": ORG_ADMIN}).json()
    assert who == {"auth_kind": "org_admin_token", "subject": "org_admin:org-1", "org_id": "org-1", "email": None}
    who = service.client.get("/api/v1/admin/whoami", headers=bearer(oidc(groups=[ADMIN_GROUP]))).json()
    assert who == {"auth_kind": "oidc", "subject": "alice", "org_id": None, "email": "alice@example.com"}


def test_admin_route_refusals(service: Service) -> None:
    assert detail(service.client.get("/api/v1/admin/whoami"), 401) == "Missing admin token"
    assert detail(service.client.get("/api/v1/admin/whoami", headers=bearer("not-the-admin-token-0123456789abcdef")), 401) == "Invalid admin token"
    assert detail(service.client.get("/api/v1/admin/whoami", headers=bearer(oidc(groups=["other"]))), 403) == "Not an admin"
    assert detail(service.client.get("/api/v1/admin/whoami", headers=bearer(oidc(aud="another"))), 401) == "Invalid admin token"
    # A team token is authenticated, and is no admin.
    assert detail(service.client.get("/api/v1/admin/whoami", headers=bearer(LEGACY_TEAM)), 403) == "Not an admin"
    assert ("admin_action", "auth", "denied") in service.failures


# --- A team route.


@pytest.mark.parametrize("token", [NEW_TEAM["token"], LEGACY_TEAM], ids=["new-shape", "legacy-shape"])
def test_team_route_team_token(service: Service, token: str) -> None:
    assert service.team(token).json() == {
        "auth_kind": "team_token", "org_id": "org-1", "team_node_id": "team-1",
        "can_write": True, "is_visitor": False, "visitor_session_id": None,
    }
    assert service.client.put("/api/v1/config/me", headers=bearer(token)).json() == {"ok": True}


def test_team_route_records_last_use(service: Service) -> None:
    service.team(LEGACY_TEAM)
    with service.factory() as session:
        row = session.execute(select(team_tokens).where(team_tokens.c.token_id == "tokid")).mappings().one()
    assert row["last_used_at"] is not None


def test_team_route_refusals(service: Service) -> None:
    assert detail(service.client.get("/api/v1/config/me"), 401) == "Missing Bearer token"
    assert detail(service.team(REVOKED), 401) == "Token revoked"
    assert detail(service.team(EXPIRED), 401) == "Token expired"
    assert detail(service.team("tokid.wrongsecret"), 401) == "Invalid token"
    assert detail(service.team("unknown.secret"), 401) == "Invalid token"
    assert detail(service.team("garbage"), 401) == "Invalid token"
    assert ("auth_failure", "team_token_invalid") in service.failures
    assert ("auth_failure", "team_auth_failed") in service.failures


def test_team_route_oidc_member(service: Service) -> None:
    body = service.team(oidc(org_id="org-1", team_node_id="team-1")).json()
    assert (body["auth_kind"], body["org_id"], body["can_write"]) == ("oidc", "org-1", True)


# --- Impersonation, with and without the JTI allowlist.


def test_impersonation_without_allowlist(service: Service) -> None:
    minted = service.mint(ADMIN_TOKEN).json()
    assert set(minted) == {"token", "expires_at"} and minted["expires_at"] > NOW
    assert service.jtis() == []
    assert service.team(minted["token"]).json() == {
        "auth_kind": "impersonation", "org_id": "org-1", "team_node_id": "team-1",
        "can_write": False, "is_visitor": False, "visitor_session_id": None,
    }
    assert detail(service.client.put("/api/v1/config/me", headers=bearer(minted["token"])), 403) == "Read-only token"
    body = service.me(minted["token"]).json()
    assert body == {
        "role": "team", "auth_kind": "impersonation", "org_id": "org-1", "team_node_id": "team-1",
        "subject": "super_admin", "can_write": False, "permissions": ["team:read"],
    }


@pytest.mark.parametrize(
    "service",
    [{"IMPERSONATION_JTI_DB_LOGGING": "1", "IMPERSONATION_JTI_DB_REQUIRE": "1"}, {"IMPERSONATION_JTI_DB_REQUIRE": "1"}],
    indirect=True,
    ids=["logging-and-require", "require-only"],
)
def test_impersonation_with_allowlist(service: Service) -> None:
    # Require alone records too: the service minted tokens nobody could use then.
    minted = service.mint(ORG_ADMIN).json()
    claims = cs.verify_team_impersonation_token(minted["token"])
    assert service.jtis() == [claims["jti"]]
    assert claims["sub"] == "org_admin:org-1"
    assert service.team(minted["token"]).status_code == 200
    with service.factory() as session, session.begin():
        session.execute(delete(impersonation_jtis))
    assert detail(service.team(minted["token"]), 401) == "Invalid token"
    with pytest.raises(ValueError, match="^Invalid impersonation token: "):
        cs.verify_team_impersonation_token(minted["token"])


def test_org_admin_mints_only_for_its_org(service: Service) -> None:
    assert detail(service.mint(ORG_ADMIN, org="org-2"), 403) == "Org admin cannot access other orgs"


# --- Visitor tokens.


def test_visitor_token(service: Service) -> None:
    token = cs.create_visitor_token(session_id="visit-1", email="guest@example.com", org_id="playground", team_node_id="visitor-playground")
    assert service.me(token).json() == {
        "role": "team", "auth_kind": "visitor", "org_id": "playground", "team_node_id": "visitor-playground",
        "subject": "visitor:visit-1", "email": "guest@example.com", "can_write": False,
        "permissions": ["team:read", "agent:invoke"], "visitor_session_id": "visit-1",
    }
    body = service.team(token).json()
    assert (body["auth_kind"], body["is_visitor"], body["can_write"], body["visitor_session_id"]) == ("visitor", True, False, "visit-1")
    assert service.client.post("/api/v1/visitor/heartbeat", headers=bearer(token)).json() == {"session_id": "visit-1"}
    assert cs.verify_visitor_token(token)["email"] == "guest@example.com"


def test_an_expired_visitor_token_has_no_session(service: Service) -> None:
    expired = ImpersonationSigner(IMP_SECRET).mint_visitor(
        org_id="playground", team_node_id="visitor-playground", session_id="visit-2", now=NOW - 7200
    ).token
    assert cs.extract_visitor_session_id(expired) is None
    assert detail(service.client.post("/api/v1/visitor/heartbeat", headers=bearer(expired)), 401) == "Invalid visitor token"
    # Nor does a forged one: the claim is read only after the signature is checked.
    forged = jwt.encode(
        {"iss": "incidentfox-config-service", "ifx_kind": "visitor", "visitor_session_id": "someone-else"},
        "not-the-secret-but-long-enough-0123456789",
        algorithm="HS256",
    )
    assert cs.extract_visitor_session_id(forged) is None


def test_visitor_refusals(service: Service) -> None:
    token, _, _ = cs.mint_team_impersonation_token(org_id="o", team_node_id="t", actor_subject="a", actor_email=None)
    with pytest.raises(ValueError, match="^Not a visitor token$"):
        cs.verify_visitor_token(token)
    assert cs.extract_visitor_session_id(token) is None
    with pytest.raises(ValueError, match="^Invalid visitor token: "):
        cs.verify_visitor_token("not.a.token")


# --- Tokens minted by either implementation verify in the other.


def service_claims(kind: str, **extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": "incidentfox-config-service", "aud": "incidentfox-agent-runtime", "sub": "admin@example.com",
        "email": "admin@example.com", "org_id": "org-1", "team_node_id": "team-1", "ifx_kind": kind,
        "scope": ["team:read"], "iat": now, "exp": now + 900, "jti": "0" * 32, **extra,
    }


def test_tokens_the_service_minted_verify_here(service: Service) -> None:
    token = jwt.encode(service_claims("team_impersonation"), IMP_SECRET, algorithm="HS256")
    assert cs.verify_team_impersonation_token(token)["email"] == "admin@example.com"
    assert service.team(token).json()["auth_kind"] == "impersonation"
    visitor = jwt.encode(
        service_claims("visitor", sub="visitor:v-9", email="guest@example.com", visitor_session_id="v-9", scope=["team:read", "agent:invoke"]),
        IMP_SECRET,
        algorithm="HS256",
    )
    assert service.me(visitor).json()["email"] == "guest@example.com"
    assert cs.extract_visitor_session_id(visitor) == "v-9"


def test_tokens_minted_here_verify_as_the_service_verifies(service: Service) -> None:
    token, exp, jti = cs.mint_team_impersonation_token(
        org_id="org-1", team_node_id="team-1", actor_subject="admin", actor_email=None, ttl_seconds=30
    )
    required = ["exp", "iat", "sub", "org_id", "team_node_id", "ifx_kind", "scope", "jti"]
    claims = jwt.decode(
        token, IMP_SECRET, algorithms=["HS256"], audience="incidentfox-agent-runtime",
        issuer="incidentfox-config-service", options={"require": required},
    )
    assert (claims["exp"], claims["jti"], claims["exp"] - claims["iat"]) == (exp, jti, 60)
    assert claims["email"] is None and claims["scope"] == ["team:read"]
    visitor = cs.create_visitor_token(session_id="v-1", email="guest@example.com", org_id="o", team_node_id="t")
    claims = jwt.decode(visitor, IMP_SECRET, algorithms=["HS256"], audience="incidentfox-agent-runtime", options={"require": required})
    assert (claims["email"], claims["visitor_session_id"], claims["sub"]) == ("guest@example.com", "v-1", "visitor:v-1")
    assert claims["exp"] - claims["iat"] == 1800


# --- The module functions.


def test_security(monkeypatch: pytest.MonkeyPatch) -> None:
    assert cs.hash_token("toksecret", pepper=PEPPER) == hashlib.sha256(b"toksecret" + PEPPER.encode()).hexdigest()
    assert len(cs.generate_token()) == 43 and len(cs.generate_token(16)) == 22
    monkeypatch.setenv("TOKEN_PEPPER", PEPPER)
    assert cs.get_token_pepper() == PEPPER
    monkeypatch.setenv("TOKEN_PEPPER", "")
    with pytest.raises(RuntimeError, match="TOKEN_PEPPER is not set"):
        cs.get_token_pepper()
    monkeypatch.delenv("TOKEN_PEPPER")
    with pytest.raises(RuntimeError):
        cs.get_token_pepper()


def test_impersonation_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IMPERSONATION_JWT_SECRET", raising=False)
    with pytest.raises(RuntimeError, match="IMPERSONATION_JWT_SECRET is not set"):
        cs.get_impersonation_jwt_secret()
    with pytest.raises(RuntimeError):
        cs.mint_team_impersonation_token(org_id="o", team_node_id="t", actor_subject="a", actor_email=None)
    monkeypatch.setenv("IMPERSONATION_JWT_SECRET", f"  {IMP_SECRET}\n")
    assert cs.get_impersonation_jwt_secret() == IMP_SECRET
    assert cs.get_impersonation_jwt_audience() == "incidentfox-agent-runtime"
    assert cs.accept_legacy_impersonation_jwt_audience() is False
    assert (cs.get_impersonation_ttl_seconds(), cs.get_visitor_token_ttl_seconds()) == (900, 1800)
    monkeypatch.setenv("IMPERSONATION_JWT_ACCEPT_LEGACY_AUDIENCE", "1")
    monkeypatch.setenv("IMPERSONATION_TOKEN_TTL_SECONDS", "120")
    assert cs.accept_legacy_impersonation_jwt_audience() is True
    assert cs.get_impersonation_ttl_seconds() == 120
    legacy = jwt.encode(service_claims("team_impersonation", aud="incidentfox-config-service"), IMP_SECRET, algorithm="HS256")
    assert cs.verify_team_impersonation_token(legacy)["aud"] == "incidentfox-config-service"


def test_resolve_admin_permissions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_GROUP_PERMISSIONS_JSON", '{"sre": ["admin:provision"], "ops": "admin:agent:run,admin:provision:read"}')
    monkeypatch.delenv("ADMIN_PERMISSIONS_DEFAULT", raising=False)
    assert cs.resolve_admin_permissions(auth_kind="admin_token") == ["admin:*"]
    claims = {"groups": ["sre"], "roles": ["ops"]}
    assert cs.resolve_admin_permissions(auth_kind="oidc", oidc_claims=claims) == ["admin:*", "admin:provision"]
    assert cs.resolve_admin_permissions(auth_kind="oidc", oidc_claims=claims, oidc_groups_claim="roles") == [
        "admin:*", "admin:agent:run", "admin:provision:read",
    ]
    # The service silently used {} (every admin a superuser under the default admin:*).
    monkeypatch.setenv("ADMIN_GROUP_PERMISSIONS_JSON", "{not json")
    with pytest.raises(InvalidConfigError, match="ADMIN_GROUP_PERMISSIONS_JSON"):
        cs.resolve_admin_permissions(auth_kind="oidc", oidc_claims=claims)


def test_oidc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OIDC_ENABLED", raising=False)
    assert cs.load_oidc_config() is None
    for name, value in env().items():
        monkeypatch.setenv(name, value)
    cfg = cs.load_oidc_config()
    assert cfg is not None
    assert (cfg.issuer, cfg.audience, cfg.alg, cfg.leeway_seconds, cfg.groups_claim, cfg.admin_group) == (
        ISSUER, AUDIENCE, "RS256", 30, "groups", ADMIN_GROUP,
    )
    assert cs.verify_oidc_jwt(oidc(), cfg=cfg)["sub"] == "alice"
    rotated = json.dumps({"keys": [{**public_jwk("rs256"), "kid": "rotated"}]})
    with pytest.raises(ValueError, match="^Unknown kid$"):
        cs.verify_oidc_jwt(oidc(), cfg=dataclasses.replace(cfg, jwks_json=rotated))
    with pytest.raises(ValueError):
        cs.verify_oidc_jwt(oidc(exp=NOW - 100), cfg=cfg)


# --- The repository functions with the service's own session.


def test_repository_functions() -> None:
    factory = seed(sqlite_engine())
    with factory() as session:
        assert repository.authenticate_bearer_token(session, bearer=LEGACY_TEAM, pepper=PEPPER) == repository.Principal("org-1", "team-1")
        assert repository.authenticate_bearer_token(session, bearer=NEW_TEAM["token"], pepper=PEPPER).team_node_id == "team-1"
        for bearer_value, message in [
            ("tokid.wrong", "Invalid token"), ("nobody.secret", "Invalid token"), (REVOKED, "Token revoked"),
            (EXPIRED, "Token expired"), ("tokid.", "Invalid token format"), (ORG_ADMIN, "Invalid token"),
        ]:
            with pytest.raises(ValueError) as e:
                repository.authenticate_bearer_token(session, bearer=bearer_value, pepper=PEPPER)
            assert str(e.value) == message, bearer_value
        extended = repository.authenticate_bearer_token_extended(session, bearer=LEGACY_TEAM, pepper=PEPPER, required_permission="team:write")
        assert (extended.token_id, extended.permissions, extended.label) == ("tokid", ["team:read", "team:write"], "legacy")
        with pytest.raises(ValueError, match="^Permission denied: team:admin$"):
            repository.authenticate_bearer_token_extended(session, bearer=LEGACY_TEAM, pepper=PEPPER, required_permission="team:admin")
        assert repository.authenticate_org_admin_token(session, bearer=ORG_ADMIN, pepper=PEPPER).org_id == "org-1"
        with pytest.raises(ValueError, match="^Invalid token$"):
            repository.authenticate_org_admin_token(session, bearer=LEGACY_TEAM, pepper=PEPPER)
        from datetime import datetime, timedelta, timezone

        now = datetime.now(timezone.utc)
        repository.record_impersonation_jti(
            session, jti="a" * 32, org_id="org-1", team_node_id="team-1", subject="admin", email=None,
            issued_at=now, expires_at=now + timedelta(minutes=15),
        )
        assert repository.impersonation_jti_exists(session, jti="a" * 32)
        assert not repository.impersonation_jti_exists(session, jti="b" * 32)


def test_admin_credentials_at_a_team_route(service: Service) -> None:
    # Authenticated, but no team member: the package's 403 where the service answered 401.
    response = service.team(ADMIN_TOKEN)
    assert response.status_code == 403 and response.json()["detail"]
    assert service.team(ORG_ADMIN).status_code == 403
    with pytest.raises(HTTPException) as e:
        authenticate_team_request(f"Bearer {ADMIN_TOKEN}")
    assert (e.value.status_code, e.value.detail) == (401, "Invalid token")


def test_the_fixed_internal_service_header_is_no_credential(service: Service) -> None:
    response = service.client.get("/api/v1/admin/whoami", headers={"X-Internal-Service": "agent"})
    assert detail(response, 401) == "Invalid admin token"


@pytest.mark.parametrize("service", [{"INTERNAL_SERVICE_SECRET": "internal-service-secret-0123456789abcdef"}], indirect=True)
def test_the_internal_service_with_its_secret(service: Service) -> None:
    response = service.client.get("/api/v1/admin/whoami", headers={"X-Internal-Service": "internal-service-secret-0123456789abcdef"})
    body = response.json()
    assert body["auth_kind"] == "internal_service"
    assert "internal-service-secret" not in body["subject"]


def test_me_with_the_admin_token_header(service: Service) -> None:
    response = service.client.get("/api/v1/auth/me", headers={"X-Admin-Token": ADMIN_TOKEN})
    assert response.json()["auth_kind"] == "admin_token"


@pytest.mark.parametrize("service", [{"ADMIN_GROUP_PERMISSIONS_JSON": '{"incidentfox-config-admin": '}], indirect=True)
def test_a_malformed_group_map_stops_the_service(service: Service, caplog: pytest.LogCaptureFixture) -> None:
    # The service read it as {} and let every admin keep admin:*; the package refuses to start.
    response = service.me(oidc(groups=[ADMIN_GROUP]))
    assert response.status_code == 500
    # The detail is logged, not sent.
    assert "ADMIN_GROUP_PERMISSIONS_JSON" not in response.text
    assert "ADMIN_GROUP_PERMISSIONS_JSON" in caplog.text
    assert service.me(ADMIN_TOKEN).status_code == 500
