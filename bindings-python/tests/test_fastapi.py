"""The FastAPI integration against examples/app.py: the config service's GET /api/v1/auth/me, an orchestrator
admin route, a team route, and the error body of every refusal."""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from support import (
    ADMIN_GROUP,
    TeamTokens,
    bearer,
    mint_oidc,
    oidc_admin_env,
    oidc_claims,
    team_row,
)

from incidentfox_auth import (
    Authenticator,
    ImpersonationSigner,
    MemoryJtiStore,
    Principal,
    generate_team_token,
)
from incidentfox_auth import fastapi as ifx_fastapi

ADMIN_TOKEN = "break-glass-admin-token-for-fastapi"
PEPPER = "fastapi-test-pepper"
IMP_SECRET = "fastapi-impersonation-secret-0123456789"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "app.py"


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("incidentfox_auth_example_app", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EXAMPLE_APP = load_example()
TEAM = generate_team_token(PEPPER)


def authenticator(**env: str) -> Authenticator:
    settings = oidc_admin_env(
        ADMIN_AUTH_MODE="both",
        ADMIN_TOKEN=ADMIN_TOKEN,
        ADMIN_PERMISSIONS_DEFAULT="",
        ADMIN_GROUP_PERMISSIONS_JSON='{"provisioners": ["admin:provision"], "readers": ["admin:read"]}',
        TOKEN_PEPPER=PEPPER,
        IMPERSONATION_JWT_SECRET=IMP_SECRET,
        ORCHESTRATOR_REQUIRE_ADMIN_STAR="0",
    )
    settings.update(env)
    return Authenticator.from_env(
        settings, jti_store=MemoryJtiStore(), team_token_lookup=TeamTokens([team_row(TEAM)])
    )


@pytest.fixture
def client() -> Iterator[TestClient]:
    app: FastAPI = EXAMPLE_APP.create_app(authenticator())
    with TestClient(app) as c:
        yield c
    ifx_fastapi.configure(None)


def oidc_admin(*groups: str) -> dict[str, str]:
    now = int(time.time())
    return bearer(mint_oidc(oidc_claims(groups=[ADMIN_GROUP, *groups], iat=now, exp=now + 300)))


def assert_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["error"] and list(body["error"]) == ["code", "status", "message"]
    assert body["error"]["code"] == code and body["error"]["status"] == status
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"
    else:
        assert "www-authenticate" not in response.headers


# --- GET /api/v1/auth/me


def test_me_with_the_admin_token(client: TestClient) -> None:
    r = client.get("/api/v1/auth/me", headers=bearer(ADMIN_TOKEN))
    assert r.status_code == 200
    # The config service's members, in its order.
    assert r.text == '{"role":"admin","auth_kind":"admin_token","can_write":true,"permissions":["admin:*"]}'


def test_me_with_a_team_token_in_either_header(client: TestClient) -> None:
    want = {
        "role": "team", "auth_kind": "team_token", "org_id": "org-1", "team_node_id": "team-1",
        "can_write": True, "permissions": ["team:read", "team:write"],
    }
    for headers in (bearer(TEAM["token"]), {"X-IncidentFox-Team-Token": TEAM["token"]}):
        r = client.get("/api/v1/auth/me", headers=headers)
        assert r.status_code == 200 and r.json() == want and list(r.json()) == list(want)


def test_the_session_cookie_is_a_bearer_when_no_header_carries_one(client: TestClient) -> None:
    # The core's rule (Credentials::from_headers), as the Node helpers apply it.
    cookie = {"Cookie": f"theme=dark; incidentfox_session_token={TEAM['token']}"}
    r = client.get("/api/v1/auth/me", headers=cookie)
    assert r.status_code == 200 and r.json()["auth_kind"] == "team_token"
    r = client.get("/api/v1/auth/me", headers={**cookie, **bearer(ADMIN_TOKEN)})
    assert r.status_code == 200 and r.json()["auth_kind"] == "admin_token"


def test_me_with_an_impersonation_token(client: TestClient) -> None:
    minted = ImpersonationSigner(IMP_SECRET).mint(
        org_id="org-1", team_node_id="team-1", subject="okta|admin", email="a@example.com")
    r = client.get("/api/v1/auth/me", headers=bearer(minted.token))
    assert r.status_code == 200
    assert r.json() == {
        "role": "team", "auth_kind": "impersonation", "org_id": "org-1", "team_node_id": "team-1",
        "subject": "okta|admin", "email": "a@example.com", "can_write": False,
        "permissions": ["team:read"],
    }


def test_me_with_an_oidc_admin(client: TestClient) -> None:
    r = client.get("/api/v1/auth/me", headers=oidc_admin("provisioners"))
    assert r.status_code == 200
    assert r.json()["auth_kind"] == "oidc" and r.json()["permissions"] == ["admin:provision"]


def test_me_refusals(client: TestClient) -> None:
    assert_error(client.get("/api/v1/auth/me"), 401, "missing_credentials")
    assert_error(client.get("/api/v1/auth/me", headers=bearer("not-the-admin-token")), 401,
                 "invalid_credentials")
    now = int(time.time())
    expired = mint_oidc(oidc_claims(groups=[ADMIN_GROUP], iat=now - 900, exp=now - 600))
    assert_error(client.get("/api/v1/auth/me", headers=bearer(expired)), 401, "token_expired")
    outsider = mint_oidc(oidc_claims(groups=["sre"], iat=now, exp=now + 300))
    assert_error(client.get("/api/v1/auth/me", headers=bearer(outsider)), 403, "not_admin")


# --- POST /api/v1/admin/provision/team (require_route("provision_team"))


BODY = {"org_id": "org-9", "team_node_id": "team-9"}


def test_provision_by_an_admin_holding_the_permission(client: TestClient) -> None:
    r = client.post("/api/v1/admin/provision/team", json=BODY, headers=oidc_admin("provisioners"))
    assert r.status_code == 200, r.text
    assert r.json() == {"provisioned": BODY, "by": "alice", "grant": "admin:provision"}
    r = client.post("/api/v1/admin/provision/team", json=BODY, headers=bearer(ADMIN_TOKEN))
    assert r.status_code == 200 and r.json()["grant"] == "admin:*"


def test_provision_refusals(client: TestClient) -> None:
    path = "/api/v1/admin/provision/team"
    assert_error(client.post(path, json=BODY), 401, "missing_credentials")
    assert_error(client.post(path, json=BODY, headers=oidc_admin("readers")), 403, "permission_denied")
    assert_error(client.post(path, json=BODY, headers=bearer(TEAM["token"])), 403, "not_admin")


def test_provision_with_admin_star_required() -> None:
    app = EXAMPLE_APP.create_app(authenticator(ORCHESTRATOR_REQUIRE_ADMIN_STAR="1"))
    try:
        with TestClient(app) as c:
            path = "/api/v1/admin/provision/team"
            assert_error(c.post(path, json=BODY, headers=oidc_admin("provisioners")), 403,
                         "permission_denied")
            assert c.post(path, json=BODY, headers=bearer(ADMIN_TOKEN)).status_code == 200
    finally:
        ifx_fastapi.configure(None)


# --- GET /api/v1/team/config (require_team)


def test_team_route(client: TestClient) -> None:
    r = client.get("/api/v1/team/config", headers=bearer(TEAM["token"]))
    assert r.status_code == 200
    assert r.json() == {"org_id": "org-1", "team_node_id": "team-1", "can_write": True}
    # The break-glass admin names no team.
    assert_error(client.get("/api/v1/team/config", headers=bearer(ADMIN_TOKEN)), 403, "permission_denied")


# --- require_admin, lazily built authenticators, unknown routes


def small_app() -> FastAPI:
    app = FastAPI()
    ifx_fastapi.install(app)

    @app.get("/admin")
    async def admin(principal: Principal = Depends(ifx_fastapi.require_admin())) -> dict[str, Any]:
        return principal.to_dict()

    @app.get("/agent")
    async def agent(
        principal: Principal = Depends(ifx_fastapi.require_admin("admin:agent:run")),
    ) -> dict[str, Any]:
        return principal.to_dict()

    @app.get("/typo")
    async def typo(principal: Principal = Depends(ifx_fastapi.require_route("provison_team"))) -> None:
        return None

    return app


def test_require_admin() -> None:
    ifx_fastapi.configure(authenticator())
    try:
        with TestClient(small_app()) as c:
            assert c.get("/admin", headers=oidc_admin("readers")).json()["permissions"] == ["admin:read"]
            assert_error(c.get("/admin", headers=bearer(TEAM["token"])), 403, "not_admin")
            assert c.get("/agent", headers=bearer(ADMIN_TOKEN)).status_code == 200
            assert_error(c.get("/agent", headers=oidc_admin("readers")), 403, "permission_denied")
            assert_error(c.get("/agent"), 401, "missing_credentials")
            # A typo in a route name never opens the route.
            assert_error(c.get("/typo", headers=bearer(ADMIN_TOKEN)), 500, "invalid_config")
    finally:
        ifx_fastapi.configure(None)


def test_the_authenticator_is_built_from_the_environment_when_not_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ifx_fastapi.configure(None)
    for name in ("OIDC_ENABLED", "TOKEN_PEPPER", "IMPERSONATION_JWT_SECRET", "INTERNAL_SERVICE_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ADMIN_AUTH_MODE", "token")
    monkeypatch.setenv("ADMIN_TOKEN", "token-from-the-environment-0123456789")
    try:
        with TestClient(EXAMPLE_APP.app) as c:
            r = c.get("/api/v1/auth/me", headers=bearer("token-from-the-environment-0123456789"))
            assert r.status_code == 200 and r.json()["role"] == "admin"
        assert ifx_fastapi.get_authenticator() is ifx_fastapi.get_authenticator()
    finally:
        ifx_fastapi.configure(None)


def test_a_broken_environment_is_a_500_with_its_code(monkeypatch: pytest.MonkeyPatch) -> None:
    ifx_fastapi.configure(None)
    monkeypatch.setenv("TEAM_AUTH_MODE", "sometimes")
    try:
        with TestClient(EXAMPLE_APP.app) as c:
            assert_error(c.get("/api/v1/auth/me", headers=bearer("x")), 500, "invalid_config")
    finally:
        ifx_fastapi.configure(None)
