"""``testdata/vectors/login.json`` through the binding: ``return_to`` as ``OidcLogin.begin`` keeps
it, the ``WEB_UI_*`` settings (``Secure`` cookies, the variable named in every problem), the
callback's refusals before the code exchange (``iss``, the state cookie's role), and the
session cookie under each ``SESSION_COOKIE_CSRF`` policy. The login has explicit endpoints, so
nothing is fetched: no OpenID Provider is needed."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest
from support import load_vectors

from incidentfox_auth import AuthError, Authenticator, OidcLogin

DOC = load_vectors("login.json")


def env_of(base: dict[str, str], case: dict[str, Any]) -> dict[str, str]:
    """``base`` with the case's ``env`` on top; ``None`` removes a variable."""
    env = dict(base)
    for name, value in case.get("env", {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def check_error(error: AuthError, expect: dict[str, Any]) -> None:
    assert error.code == expect["error"], error
    for needle in expect.get("message_contains", []):
        assert needle in error.message, (needle, error.message)
    for needle in expect.get("message_excludes", []):
        assert needle not in error.message, (needle, error.message)


@pytest.fixture(scope="module")
def login() -> OidcLogin:
    configured = OidcLogin.from_env(DOC["login_env"]["base_env"])
    assert configured is not None
    return configured


@pytest.mark.parametrize("case", DOC["return_to"], ids=lambda c: str(c["name"]))
def test_return_to(login: OidcLogin, case: dict[str, Any]) -> None:
    start = login.begin(case["return_to"])
    (cookie,) = [c for c in start["cookies"] if c["name"] == "ifx_oidc_return_to"]
    assert unquote(cookie["value"], errors="strict") == case["expect"]


@pytest.mark.parametrize("case", DOC["login_env"]["cases"], ids=lambda c: str(c["name"]))
def test_login_env(case: dict[str, Any]) -> None:
    env = env_of(DOC["login_env"]["base_env"], case)
    expect = case["expect"]
    if "error" in expect:
        with pytest.raises(AuthError) as raised:
            OidcLogin.from_env(env)
        check_error(raised.value, expect)
        return
    login = OidcLogin.from_env(env)
    if expect.get("enabled") is False:
        assert login is None
        return
    assert login is not None
    cookies = login.begin()["cookies"]
    assert {c["secure"] for c in cookies} == {expect["cookie_secure"]}
    assert all(c["header"].endswith("; Secure") == expect["cookie_secure"] for c in cookies)


@pytest.mark.parametrize("case", DOC["callback"]["cases"], ids=lambda c: str(c["name"]))
def test_callback(login: OidcLogin, case: dict[str, Any]) -> None:
    with pytest.raises(AuthError) as raised:
        login.complete(case["query"], case["cookie"])
    check_error(raised.value, case["expect"])


@pytest.mark.parametrize(
    "case", DOC["session_cookie"]["cases"], ids=lambda c: str(c["name"])
)
def test_session_cookie(case: dict[str, Any]) -> None:
    expect = case["expect"]
    try:
        authenticator = Authenticator.from_env(env_of(DOC["session_cookie"]["base_env"], case))
        principal = authenticator.authenticate(case["headers"], method=case["method"])
    except AuthError as error:
        assert "auth_kind" not in expect, error
        check_error(error, expect)
        return
    assert principal.auth_kind == expect["auth_kind"]


def test_cookie_secure_in_the_constructor() -> None:
    def login(base: str, cookie_secure: bool | None = None) -> OidcLogin:
        return OidcLogin(
            issuer="https://idp.example.test",
            client_id="web-ui",
            public_base_url=base,
            authorization_endpoint="https://idp.example.test/auth",
            token_endpoint="https://idp.example.test/token",
            jwks_url="https://idp.example.test/jwks",
            cookie_secure=cookie_secure,
        )

    def secure(login: OidcLogin) -> set[bool]:
        return {c["secure"] for c in login.begin()["cookies"]}

    assert secure(login("https://ui.example.test")) == {True}
    assert secure(login("http://localhost:3000")) == {False}
    assert secure(login("http://localhost:3000", cookie_secure=True)) == {True}
    with pytest.raises(AuthError) as raised:
        login("https://ui.example.test", cookie_secure=False)
    assert raised.value.code == "invalid_config"
    assert "`cookie_secure` false" in raised.value.message
