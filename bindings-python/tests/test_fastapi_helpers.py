"""The FastAPI dependencies do what their names say (mirroring bindings-node/test/helpers.test.js):
an option they do not know raises when the dependency is built; team routes say what they need of
the caller (write access, a permission, the org and team in the path, visitors or not); and a
refusal's body carries its code and a fixed message while the detail (a store's exception text)
goes to the ``incidentfox_auth.fastapi`` log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from support import TeamTokens, bearer, team_row

from incidentfox_auth import (
    Authenticator,
    ImpersonationSigner,
    MemoryJtiStore,
    Principal,
    error_http_response,
    generate_team_token,
)
from incidentfox_auth import fastapi as ifx_fastapi
from incidentfox_auth.errors import AuthError, LookupUnavailableError

ADMIN_TOKEN = "break-glass-admin-token-for-helpers"
PEPPER = "helpers-test-pepper"
IMP_SECRET = "helpers-impersonation-secret-0123456789"
TEAM = generate_team_token(PEPPER)
OTHER_TEAM = generate_team_token(PEPPER)
# What a store's or lookup's exception may say: never for the caller.
DB_ERROR = (
    'connection to server at "db.internal" (10.0.0.7), port 5432 failed: FATAL: password '
    'authentication failed for user "ifx_auth" (SELECT token_hash FROM team_tokens WHERE token_id = %s)'
)
DETAIL = ("db.internal", "10.0.0.7", "ifx_auth", "SELECT", "team_tokens")

SIGNER = ImpersonationSigner(IMP_SECRET)


class FailingLookup:
    def lookup(self, token_id: str) -> dict[str, Any] | None:
        raise ConnectionError(DB_ERROR)


def authenticator(lookup: Any = None) -> Authenticator:
    rows = [team_row(TEAM), team_row(OTHER_TEAM, team_node_id="team-2")]
    return Authenticator.from_env(
        {"ADMIN_TOKEN": ADMIN_TOKEN, "TOKEN_PEPPER": PEPPER, "IMPERSONATION_JWT_SECRET": IMP_SECRET},
        jti_store=MemoryJtiStore(),
        team_token_lookup=lookup if lookup is not None else TeamTokens(rows),
    )


def impersonation() -> dict[str, str]:
    return bearer(SIGNER.mint(org_id="org-1", team_node_id="team-1", subject="okta|admin").token)


def visitor() -> dict[str, str]:
    return bearer(SIGNER.mint_visitor(org_id="org-1", team_node_id="team-1", session_id="visit-1").token)


def assert_error(response: Any, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert list(error) == ["code", "status", "message"]
    assert (error["code"], error["status"]) == (code, status)
    message: str = error["message"]
    return message


# --- 1. Unknown options raise when the dependency is built.


def test_an_unknown_option_names_itself_and_the_accepted_ones() -> None:
    bad: Any = ifx_fastapi
    with pytest.raises(TypeError, match=r"'permissions'.*accepted options are permission, org_id_param"):
        bad.require_admin(permissions=["admin:provision"])
    with pytest.raises(TypeError, match=r"'write'.*accepted options are none"):
        bad.require_team(write=True)
    with pytest.raises(TypeError, match=r"'team'.*accepted options are none"):
        bad.require_principal(team="team-1")
    with pytest.raises(TypeError, match=r"'orgIdParam'.*accepted options are name, org_id_param"):
        bad.require_route("provision_team", orgIdParam="org")
    with pytest.raises(
        TypeError,
        match=r"'writes'.*write, permission, org_id_param, team_id_param, allow_visitors",
    ):
        bad.require_team_member(writes=True)


def test_an_option_of_the_wrong_type_raises_when_built() -> None:
    bad: Any = ifx_fastapi
    # A list of permissions used to reach the check only at request time.
    with pytest.raises(TypeError, match="'permission' must be a str"):
        bad.require_admin(["admin:provision", "admin:read"])
    with pytest.raises(TypeError, match="route name"):
        bad.require_route(None)
    with pytest.raises(TypeError, match="'write' must be a bool"):
        bad.require_team_member(write="yes")
    with pytest.raises(TypeError, match="'team_id_param' must be a str"):
        bad.require_team_member(team_id_param=1)


# --- 2. Team routes say what they need.


def team_app() -> FastAPI:
    app = FastAPI()
    ifx_fastapi.install(app)

    def ok(principal: Principal) -> dict[str, Any]:
        return {"auth_kind": principal.auth_kind, "team_node_id": principal.team_node_id}

    @app.get("/legacy")
    async def legacy(p: Principal = Depends(ifx_fastapi.require_team())) -> dict[str, Any]:
        return ok(p)

    member = ifx_fastapi.require_team_member(org_id_param="org_id", team_id_param="team_id")
    writer = ifx_fastapi.require_team_member(write=True, org_id_param="org_id", team_id_param="team_id")

    @app.get("/orgs/{org_id}/teams/{team_id}/config")
    async def read(org_id: str, team_id: str, p: Principal = Depends(member)) -> dict[str, Any]:
        return ok(p)

    @app.put("/orgs/{org_id}/teams/{team_id}/config")
    async def write(org_id: str, team_id: str, p: Principal = Depends(writer)) -> dict[str, Any]:
        return ok(p)

    secrets = ifx_fastapi.require_team_member(permission="team:write", team_id_param="team_id")

    @app.post("/teams/{team_id}/secrets")
    async def secret(team_id: str, p: Principal = Depends(secrets)) -> dict[str, Any]:
        return ok(p)

    playground = ifx_fastapi.require_team_member(allow_visitors=True, permission="agent:invoke")

    @app.post("/playground")
    async def play(p: Principal = Depends(playground)) -> dict[str, Any]:
        return ok(p)

    # A route naming a parameter its path lacks admits nobody.
    missing = ifx_fastapi.require_team_member(team_id_param="team_id")

    @app.get("/no-param")
    async def no_param(p: Principal = Depends(missing)) -> dict[str, Any]:
        return ok(p)

    return app


@pytest.fixture
def client() -> Iterator[TestClient]:
    ifx_fastapi.configure(authenticator())
    try:
        with TestClient(team_app()) as c:
            yield c
    finally:
        ifx_fastapi.configure(None)


def test_require_team_admits_read_only_impersonation_and_visitors_as_documented(
    client: TestClient,
) -> None:
    for headers in (impersonation(), visitor()):
        assert client.get("/legacy", headers=headers).status_code == 200


def test_require_team_member_wants_the_team_in_the_path_and_no_visitor(client: TestClient) -> None:
    config = "/orgs/org-1/teams/team-1/config"
    r = client.get(config, headers=bearer(TEAM["token"]))
    assert r.json() == {"auth_kind": "team_token", "team_node_id": "team-1"}
    assert client.get(config, headers=impersonation()).status_code == 200
    assert_error(client.get(config, headers=visitor()), 403, "permission_denied")
    assert_error(client.get(config, headers=bearer(OTHER_TEAM["token"])), 403, "permission_denied")
    other_org = "/orgs/org-2/teams/team-1/config"
    assert_error(client.get(other_org, headers=bearer(TEAM["token"])), 403, "permission_denied")
    assert_error(client.get(config, headers=bearer(ADMIN_TOKEN)), 403, "permission_denied")
    assert_error(client.get("/no-param", headers=bearer(TEAM["token"])), 403, "permission_denied")


def test_write_access_and_a_permission_refuse_read_only_principals(client: TestClient) -> None:
    config = "/orgs/org-1/teams/team-1/config"
    assert client.put(config, headers=bearer(TEAM["token"])).status_code == 200
    assert_error(client.put(config, headers=impersonation()), 403, "permission_denied")
    assert client.post("/teams/team-1/secrets", headers=bearer(TEAM["token"])).status_code == 200
    assert_error(client.post("/teams/team-1/secrets", headers=impersonation()), 403, "permission_denied")
    assert_error(client.post("/teams/team-2/secrets", headers=bearer(TEAM["token"])), 403, "permission_denied")


def test_visitors_where_the_route_allows_them(client: TestClient) -> None:
    r = client.post("/playground", headers=visitor())
    assert r.json() == {"auth_kind": "visitor", "team_node_id": "team-1"}
    # A team token holds no agent:invoke grant.
    assert_error(client.post("/playground", headers=bearer(TEAM["token"])), 403, "permission_denied")


# --- 3. A refusal's body never carries the detail; the log does.


def test_a_failing_lookup_is_a_503_with_a_fixed_message_and_the_detail_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="incidentfox_auth.fastapi")
    ifx_fastapi.configure(authenticator(FailingLookup()))
    try:
        with TestClient(team_app()) as c:
            r = c.get("/legacy", headers=bearer(TEAM["token"]))
            for detail in DETAIL:
                assert detail not in r.text, r.text
            assert r.status_code == 503
            assert r.json() == {
                "error": {
                    "code": "lookup_unavailable",
                    "status": 503,
                    "message": "the token lookup is unavailable; try again later",
                }
            }
            [record] = [r for r in caplog.records if r.name == "incidentfox_auth.fastapi"]
            assert record.levelno == logging.ERROR
            assert "lookup_unavailable" in record.getMessage() and "db.internal" in record.getMessage()
            # A 401: the fixed message and WWW-Authenticate; the detail at INFO.
            refused = c.get("/legacy", headers=bearer("not-the-admin-token"))
            assert assert_error(refused, 401, "invalid_credentials") == "the credential is not valid"
            assert refused.headers["www-authenticate"] == "Bearer"
            assert caplog.records[-1].levelno == logging.INFO
    finally:
        ifx_fastapi.configure(None)


def test_error_response_is_the_cores_answer() -> None:
    answer = error_http_response("jti_store_unavailable")
    assert answer is not None
    status, headers, body = answer
    response = ifx_fastapi.error_response(LookupUnavailableError(DB_ERROR))
    assert response.status_code == 503
    assert b"db.internal" not in response.body
    assert (status, headers) == (503, [("content-type", "application/json")])
    assert "db.internal" not in body
    assert error_http_response("no_such_code") is None
    # A code this version does not know keeps its status and says nothing of its message.
    unknown = ifx_fastapi.error_response(AuthError(DB_ERROR, code="from_a_newer_core", status=500))
    assert unknown.status_code == 500 and b"db.internal" not in unknown.body
