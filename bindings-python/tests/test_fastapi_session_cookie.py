"""The FastAPI dependencies pass the request's method and ``Origin`` on, so a
``SESSION_COOKIE_CSRF`` policy decides whether the session cookie counts (examples/app.py: a GET
and a POST route). Why the cookie was refused is in the ``incidentfox_auth.fastapi`` log, not in the
answer."""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from incidentfox_auth import Authenticator, MissingCredentialsError
from incidentfox_auth import fastapi as ifx_fastapi

ADMIN_TOKEN = "break-glass-admin-token-for-csrf"
WEB_UI = "https://ui.example.test"
COOKIE = {"Cookie": f"incidentfox_session_token={ADMIN_TOKEN}"}
BODY = {"org_id": "org-1", "team_node_id": "team-1"}
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "app.py"


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("incidentfox_auth_csrf_example_app", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EXAMPLE_APP = load_example()


def client_for(policy: str | None) -> Iterator[TestClient]:
    env = {"ADMIN_TOKEN": ADMIN_TOKEN, "WEB_UI_PUBLIC_BASE_URL": WEB_UI}
    if policy is not None:
        env["SESSION_COOKIE_CSRF"] = policy
    with TestClient(EXAMPLE_APP.create_app(Authenticator.from_env(env))) as c:
        yield c
    ifx_fastapi.configure(None)


@pytest.fixture
def default() -> Iterator[TestClient]:
    yield from client_for(None)


@pytest.fixture
def origin() -> Iterator[TestClient]:
    yield from client_for("origin")


@pytest.fixture
def safe_methods() -> Iterator[TestClient]:
    yield from client_for("safe_methods")


@pytest.fixture
def log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="incidentfox_auth.fastapi")
    return caplog


def refused(response: Response, log: pytest.LogCaptureFixture) -> str:
    assert response.status_code == 401, response.text
    error = response.json()["error"]
    assert error["code"] == "missing_credentials"
    assert error["message"] == "no credential was given"
    record = log.records[-1]
    assert record.name == "incidentfox_auth.fastapi" and record.levelno == logging.INFO
    message = record.getMessage()
    assert "the session cookie is not a credential" in message
    return message


def test_off_by_default_the_cookie_counts_for_any_request(default: TestClient) -> None:
    r = default.post(
        "/api/v1/admin/provision/team", json=BODY, headers={**COOKIE, "Origin": "https://evil.example"}
    )
    assert r.status_code == 200, r.text


def test_origin_admits_reads_and_same_origin_writes_only(
    origin: TestClient, log: pytest.LogCaptureFixture
) -> None:
    r = origin.get("/api/v1/auth/me", headers={**COOKIE, "Origin": "https://evil.example"})
    assert r.status_code == 200 and r.json()["auth_kind"] == "admin_token"
    r = origin.post("/api/v1/admin/provision/team", json=BODY, headers={**COOKIE, "Origin": WEB_UI})
    assert r.status_code == 200, r.text
    message = refused(
        origin.post(
            "/api/v1/admin/provision/team", json=BODY, headers={**COOKIE, "Origin": "https://evil.example"}
        ),
        log,
    )
    assert "a `POST` request from origin `https://evil.example`" in message
    message = refused(origin.post("/api/v1/admin/provision/team", json=BODY, headers=COOKIE), log)
    assert "without an `Origin` header" in message
    # A header credential is not the policy's business.
    r = origin.post(
        "/api/v1/admin/provision/team",
        json=BODY,
        headers={**COOKIE, "Origin": "https://evil.example", "Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert r.status_code == 200, r.text


def test_safe_methods_refuses_every_write(
    safe_methods: TestClient, log: pytest.LogCaptureFixture
) -> None:
    assert safe_methods.get("/api/v1/auth/me", headers=COOKIE).status_code == 200
    message = refused(
        safe_methods.post("/api/v1/admin/provision/team", json=BODY, headers={**COOKIE, "Origin": WEB_UI}),
        log,
    )
    assert "SESSION_COOKIE_CSRF=safe_methods" in message


def test_the_method_is_what_the_binding_is_given() -> None:
    auth = Authenticator.from_env(
        {"ADMIN_TOKEN": ADMIN_TOKEN, "SESSION_COOKIE_CSRF": "safe_methods"}
    )
    assert auth.authenticate(COOKIE, method="GET").auth_kind == "admin_token"
    with pytest.raises(MissingCredentialsError) as raised:
        auth.authenticate(COOKIE)
    assert "whose method was not given" in raised.value.message
