"""incidentfox_auth.compat.agent_runtime: the runtime's endpoint reading the team token the
orchestrator forwards in X-IncidentFox-Team-Token, minted by the config service's compat mint."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, HTTPException, Request
from fastapi.testclient import TestClient

from incidentfox_auth.compat import agent_runtime
from incidentfox_auth.compat import config_service as cs

IMP_SECRET = "agent-runtime-impersonation-secret-0123456789"


def app() -> FastAPI:
    runtime = FastAPI()

    @runtime.post("/agents/run")
    def run(request: Request) -> dict[str, Any]:
        try:
            claims = agent_runtime.team_token_claims(request.headers)
        except ValueError as e:
            raise HTTPException(status_code=401, detail=str(e)) from e
        return {"org_id": claims["org_id"], "team_node_id": claims["team_node_id"], "kind": claims["ifx_kind"]}

    return runtime


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("IMPERSONATION_JWT_SECRET", IMP_SECRET)
    yield TestClient(app())


def test_the_forwarded_team_token(client: TestClient) -> None:
    token, _, _ = cs.mint_team_impersonation_token(org_id="org-1", team_node_id="team-1", actor_subject="admin", actor_email=None)
    headers = agent_runtime.team_token_headers(token)
    assert headers == {"X-IncidentFox-Team-Token": token}
    response = client.post("/agents/run", headers=headers)
    assert response.json() == {"org_id": "org-1", "team_node_id": "team-1", "kind": "team_impersonation"}
    visitor = cs.create_visitor_token(session_id="v-1", email="guest@example.com", org_id="playground", team_node_id="t")
    assert client.post("/agents/run", headers={"x-incidentfox-team-token": visitor}).json()["kind"] == "visitor"


def test_refusals(client: TestClient) -> None:
    response = client.post("/agents/run")
    assert (response.status_code, response.json()["detail"]) == (401, "Missing X-IncidentFox-Team-Token")
    response = client.post("/agents/run", headers={"X-IncidentFox-Team-Token": "not.a.token"})
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Invalid impersonation token: ")
