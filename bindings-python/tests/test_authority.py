"""Authority matches the credential: an org-admin token is an admin of its own org only, in the
principal's checks, the route table and the FastAPI dependencies, while ``/auth/me`` reports it
as the config service does. Mirrors core/tests/authority.rs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from support import TeamTokens, bearer, team_row

from incidentfox_auth import AuthError, Authenticator, Principal, generate_team_token
from incidentfox_auth import fastapi as ifx_fastapi

ADMIN = "break-glass-admin-token-0123456789abcdef"
PEPPER = "pepper-for-the-authority-tests"
ORG_ADMIN = generate_team_token(PEPPER)
NOW = 1_700_000_000.0


def authenticator() -> Authenticator:
    lookup = TeamTokens([team_row(ORG_ADMIN, org_id="org-a", team_node_id=None, kind="org_admin")])
    return Authenticator.from_env({"ADMIN_TOKEN": ADMIN, "TOKEN_PEPPER": PEPPER}, team_token_lookup=lookup)


def org_admin() -> Principal:
    return authenticator().authenticate(bearer(ORG_ADMIN["token"]), now=NOW)


def test_an_org_admin_token_is_its_own_kind_and_me_is_unchanged() -> None:
    principal = org_admin()
    assert principal.auth_kind == "org_admin_token"
    assert principal.to_dict() == {
        "role": "admin", "auth_kind": "admin_token", "org_id": "org-a", "can_write": True, "permissions": ["admin:*"],
    }


def test_an_org_admin_passes_checks_of_its_own_org_only() -> None:
    principal = org_admin()
    routes = authenticator().routes
    assert routes.authorize(principal, "provision_team", org_id="org-a").allowed
    for other in ["org-b", None]:
        decision = routes.authorize(principal, "provision_team", org_id=other)
        assert not decision.allowed and decision.reason == "org_scope"
    principal.require_admin("admin:provision", org_id="org-a")
    for other in ["org-b", None]:
        with pytest.raises(AuthError) as caught:
            principal.require_admin("admin:provision", org_id=other)
        assert caught.value.code == "permission_denied"
    admin = authenticator().authenticate(bearer(ADMIN), now=NOW)
    assert admin.auth_kind == "admin_token"
    admin.require_admin("admin:provision", org_id="org-b")
    assert routes.authorize(admin, "provision_team", org_id="org-b").allowed


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = FastAPI()
    ifx_fastapi.install(app)
    ifx_fastapi.configure(authenticator())

    @app.post("/orgs/{org_id}/provision", dependencies=[Depends(ifx_fastapi.require_route("provision_team", org_id_param="org_id"))])
    def provision(org_id: str) -> dict[str, str]:
        return {"org": org_id}

    @app.get("/orgs/{org_id}/settings", dependencies=[Depends(ifx_fastapi.require_admin(org_id_param="org_id"))])
    def settings(org_id: str) -> dict[str, str]:
        return {"org": org_id}

    @app.get("/all-orgs", dependencies=[Depends(ifx_fastapi.require_admin())])
    def all_orgs() -> dict[str, str]:
        return {}

    with TestClient(app) as c:
        yield c
    ifx_fastapi.configure(None)


def test_fastapi_routes_hold_an_org_admin_to_its_org(client: TestClient) -> None:
    token = bearer(ORG_ADMIN["token"])
    assert client.post("/orgs/org-a/provision", headers=token).status_code == 200
    assert client.get("/orgs/org-a/settings", headers=token).status_code == 200
    for path in ["/orgs/org-b/provision", "/orgs/org-b/settings", "/all-orgs"]:
        answer = client.request("POST" if path.endswith("provision") else "GET", path, headers=token)
        assert answer.status_code == 403, path
        assert answer.json()["error"]["code"] == "permission_denied"
    admin = bearer(ADMIN)
    assert client.post("/orgs/org-b/provision", headers=admin).status_code == 200
    assert client.get("/all-orgs", headers=admin).status_code == 200
