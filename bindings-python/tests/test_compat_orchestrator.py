"""incidentfox_auth.compat.orchestrator, tested as the orchestrator tests itself: its provisioning
and agent-run gates mounted in a FastAPI app, decided locally instead of over HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import Depends, FastAPI, Header, HTTPException
from fastapi.testclient import TestClient
from support import ADMIN_GROUP, AUDIENCE, ISSUER, bearer, mint_oidc, oidc_jwks

from incidentfox_auth import ImpersonationSigner
from incidentfox_auth.compat import orchestrator
from incidentfox_auth.fastapi import install

ADMIN_TOKEN = "orchestrator-break-glass-token-0123456789"
IMP_SECRET = "orchestrator-impersonation-secret-0123456789"
NOW = int(time.time())


def oidc(*groups: str) -> str:
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "bob", "groups": list(groups), "iat": NOW - 60, "exp": NOW + 600}
    return mint_oidc(claims, key="rs256")


def gate(route: str) -> Callable[..., dict[str, Any]]:
    """The orchestrator's gate: _require_admin(raw), then _require_admin_permission."""

    def check(authorization: str = Header(default="")) -> dict[str, Any]:
        raw = authorization.split(" ", 1)[1].strip() if authorization.lower().startswith("bearer ") else ""
        try:
            principal = orchestrator.require_admin(raw)
        except PermissionError as e:
            raise HTTPException(status_code=403, detail=str(e)) from e
        orchestrator.require_admin_permission(principal, orchestrator.route_permission(route))
        return principal

    return check


def app() -> FastAPI:
    service = FastAPI()
    install(service)  # a refused credential: the package's status and body

    @service.post("/api/v1/admin/provision/team")
    def provision(principal: dict[str, Any] = Depends(gate("provision_team"))) -> dict[str, Any]:
        return {"ok": True, "auth_kind": principal["auth_kind"]}

    @service.post("/api/v1/admin/agents/run")
    def agent_run(principal: dict[str, Any] = Depends(gate("agent_run"))) -> dict[str, Any]:
        return {"ok": True, "auth_kind": principal["auth_kind"]}

    return service


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[TestClient]:
    env = {
        "ADMIN_AUTH_MODE": "both",
        "ADMIN_TOKEN": ADMIN_TOKEN,
        "OIDC_ENABLED": "1",
        "OIDC_ISSUER": ISSUER,
        "OIDC_AUDIENCE": AUDIENCE,
        "OIDC_JWKS_JSON": oidc_jwks("rs256"),
        "ADMIN_PERMISSIONS_DEFAULT": "admin:read",
        "ADMIN_GROUP_PERMISSIONS_JSON": f'{{"{ADMIN_GROUP}": ["admin:*"], "provisioners": ["admin:provision"]}}',
        "IMPERSONATION_JWT_SECRET": IMP_SECRET,
        **getattr(request, "param", {}),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    orchestrator.configure(None)
    yield TestClient(app())


def post(client: TestClient, path: str, token: str) -> tuple[int, Any]:
    response = client.post(path, headers=bearer(token))
    return response.status_code, response.json()


PROVISION = "/api/v1/admin/provision/team"
AGENT_RUN = "/api/v1/admin/agents/run"


def test_admins_holding_admin_star_pass(client: TestClient) -> None:
    assert post(client, PROVISION, ADMIN_TOKEN) == (200, {"ok": True, "auth_kind": "admin_token"})
    assert post(client, AGENT_RUN, oidc(ADMIN_GROUP)) == (200, {"ok": True, "auth_kind": "oidc"})


def test_require_admin_returns_the_auth_me_body(client: TestClient) -> None:
    assert orchestrator.require_admin(ADMIN_TOKEN) == {
        "role": "admin", "auth_kind": "admin_token", "can_write": True, "permissions": ["admin:*"],
    }


def test_a_user_outside_the_admin_group_is_refused(client: TestClient) -> None:
    token = mint_oidc(
        {"iss": ISSUER, "aud": AUDIENCE, "sub": "carol", "groups": ["provisioners"], "iat": NOW - 60, "exp": NOW + 600},
        key="rs256",
    )
    # Not in OIDC_ADMIN_GROUP: no admin at all.
    assert post(client, PROVISION, token) == (403, {"detail": "admin permissions required"})
    with pytest.raises(PermissionError, match="^admin permissions required$"):
        orchestrator.require_admin(token)


@pytest.mark.parametrize(
    "client",
    [{"ORCHESTRATOR_REQUIRE_ADMIN_STAR": "0", "ADMIN_GROUP_PERMISSIONS_JSON": f'{{"{ADMIN_GROUP}": ["admin:provision"]}}'}],
    indirect=True,
)
def test_route_permissions_when_admin_star_is_off(client: TestClient) -> None:
    token = oidc(ADMIN_GROUP)
    assert post(client, PROVISION, token)[0] == 200
    assert post(client, AGENT_RUN, token) == (403, {"detail": "insufficient_permissions"})


@pytest.mark.parametrize(
    "client",
    [{"ADMIN_GROUP_PERMISSIONS_JSON": f'{{"{ADMIN_GROUP}": ["admin:provision"]}}'}],
    indirect=True,
)
def test_admin_star_required_by_default(client: TestClient) -> None:
    assert post(client, PROVISION, oidc(ADMIN_GROUP)) == (403, {"detail": "admin permissions required"})


@pytest.mark.parametrize(
    "client",
    [{"ORCHESTRATOR_REQUIRE_ADMIN_STAR": "0", "ORCHESTRATOR_REQUIRED_PERMISSION_AGENT_RUN": "   ",
      "ADMIN_GROUP_PERMISSIONS_JSON": f'{{"{ADMIN_GROUP}": ["admin:provision"]}}'}],
    indirect=True,
)
def test_a_blank_route_permission_skips_the_check(client: TestClient) -> None:
    assert orchestrator.route_permission("agent_run") is None
    assert post(client, AGENT_RUN, oidc(ADMIN_GROUP))[0] == 200


def test_team_credentials_and_bad_tokens(client: TestClient) -> None:
    team = ImpersonationSigner(IMP_SECRET).mint(org_id="org-1", team_node_id="team-1", subject="x").token
    assert post(client, PROVISION, team) == (403, {"detail": "admin permissions required"})
    status, body = post(client, PROVISION, "not-the-admin-token-0123456789abcdef")
    assert (status, body["error"]["code"]) == (401, "invalid_credentials")
    status, body = post(client, AGENT_RUN, "")
    assert (status, body["error"]["code"]) == (401, "missing_credentials")


def test_require_admin_permission_uses_the_package_matching() -> None:
    orchestrator.require_admin_permission({"permissions": ["admin:*"]}, "admin:provision")
    orchestrator.require_admin_permission({"permissions": ["admin:provision"]}, "admin:provision")
    orchestrator.require_admin_permission({"permissions": []}, "")
    with pytest.raises(HTTPException) as e:
        orchestrator.require_admin_permission({"permissions": ["admin:provision"]}, "admin:provision:read")
    assert (e.value.status_code, e.value.detail) == (403, "insufficient_permissions")
