"""The web UI's sign-in (``OidcLogin``) against a real OpenID Provider over HTTP.

``testdata/oidc-provider/server.js`` (npm ``oidc-provider`` on loopback) is started once for the
module; ``begin`` gives the authorization URL and the login cookies, an ``httpx`` client goes
through the provider's login form (``alice``, any password) and consent form the way a browser
would, and the provider's redirect to our callback (not followed) goes to ``complete`` with a
``Cookie`` header built from ``begin``'s cookies.

Needs Node.js and the provider's packages (``scripts/ensure-oidc-provider.sh``, which
``scripts/test-python.sh`` runs first); without them these tests fail, saying so, and never skip.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import selectors
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urljoin, urlsplit, urlunsplit

import httpx
import pytest
from support import REPO_ROOT

from incidentfox_auth import (
    InvalidIssuerError,
    InvalidStateError,
    LoginDeniedError,
    OidcLogin,
    ProviderUnavailableError,
    TokenError,
    refresh_log_level,
)

PROVIDER_DIR = REPO_ROOT / "testdata" / "oidc-provider"
#: The web UI's base URL; nothing listens there (the redirect to it is never followed).
PUBLIC_BASE_URL = "http://127.0.0.1:9"
REDIRECT_URI = f"{PUBLIC_BASE_URL}/api/auth/callback"
CLIENT_ID = "incidentfox-web-ui"
CLIENT_SECRET = "web-ui-test-secret"
#: The cookies ``begin`` sets; the callback also clears the required-role cookie an earlier
#: version set (the role now rides in the state cookie).
BEGIN_COOKIES = [
    "ifx_oidc_state",
    "ifx_oidc_verifier",
    "ifx_oidc_nonce",
    "ifx_oidc_return_to",
]
LOGIN_COOKIES = [*BEGIN_COOKIES, "ifx_oidc_require_role"]


@dataclass
class Provider:
    """A running ``server.js``."""

    issuer: str
    process: subprocess.Popen[str]


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    installed = PROVIDER_DIR / "node_modules" / "oidc-provider" / "package.json"
    assert installed.is_file(), (
        f"{installed} is missing: run scripts/ensure-oidc-provider.sh "
        "(scripts/test-python.sh does it)"
    )
    node = os.environ.get("NODE", "node")
    process = subprocess.Popen(
        [node, "server.js", "--port", "0", "--redirect-uri", REDIRECT_URI, "--exit-with-stdin"],
        cwd=PROVIDER_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            ready = selector.select(timeout=60)
        line = process.stdout.readline() if ready else ""
        if not line:
            process.kill()
            _, stderr = process.communicate(timeout=10)
            pytest.fail(f"the OpenID Provider did not start; its stderr:\n{stderr}")
        issuer = json.loads(line)["issuer"]
        assert isinstance(issuer, str) and issuer.startswith("http://127.0.0.1:")
        yield Provider(issuer=issuer, process=process)
    finally:
        process.terminate()
        try:
            process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


@pytest.fixture(scope="module")
def login(provider: Provider) -> OidcLogin:
    # The web UI's configuration: WEB_UI_* variables, endpoints by discovery.
    configured = OidcLogin.from_env(
        {
            "WEB_UI_OIDC_ENABLED": "1",
            "WEB_UI_OIDC_ISSUER": provider.issuer,
            "WEB_UI_OIDC_CLIENT_ID": CLIENT_ID,
            "WEB_UI_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "WEB_UI_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        }
    )
    assert configured is not None
    return configured


def _attribute(html: str, name: str, suffix: str = "") -> str:
    for value in re.findall(rf'{name}="([^"]*)"', html):
        if value.endswith(suffix):
            return str(value)
    raise AssertionError(f"no {name}=... ending with {suffix!r} in {html}")


def authorize(authorization_url: str, username: str = "alice") -> str:
    """Through the provider's login and consent pages as ``username``; returns the query of the
    provider's redirect to our callback (without ``?``)."""
    with httpx.Client(follow_redirects=False, timeout=20) as browser:
        url = authorization_url
        form: dict[str, str] | None = None
        for _ in range(20):
            if form is None:
                response = browser.get(url)
            else:
                response = browser.post(url, data=form)
            form = None
            if response.is_redirect:
                url = urljoin(url, response.headers["location"])
                if url.startswith(REDIRECT_URI):
                    return urlsplit(url).query
                continue
            assert response.status_code == 200, f"{url}: {response.status_code}: {response.text}"
            page = response.text
            if 'name="prompt" value="login"' in page:
                form = {"prompt": "login", "login": username, "password": "any password"}
            elif 'name="prompt" value="consent"' in page:
                form = {"prompt": "consent"}
            else:
                raise AssertionError(f"unexpected page at {url}: {page}")
            url = urljoin(url, _attribute(page, "action"))
    raise AssertionError("no redirect to the callback after 20 steps")


def cookie_header(start: dict[str, Any]) -> str:
    """The ``Cookie`` header a browser sends to the callback after ``begin`` set its cookies."""
    return "; ".join(f"{c['name']}={c['value']}" for c in start["cookies"])


def with_param(query: str, name: str, value: str | None) -> str:
    """``query`` with ``name`` set to ``value`` (removed when ``None``)."""
    params = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if value is None:
        params.pop(name, None)
    else:
        params[name] = value
    return urlencode(params)


def test_alice_signs_in_with_her_groups(provider: Provider, login: OidcLogin) -> None:
    start = login.begin("/teams/42?tab=agents", "admin")

    # What goes to the provider, and the login cookies.
    url = urlsplit(start["authorization_url"])
    assert urlunsplit((url.scheme, url.netloc, url.path, "", "")) == f"{provider.issuer}/auth"
    params = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert params["client_id"] == CLIENT_ID
    assert params["redirect_uri"] == REDIRECT_URI
    assert params["code_challenge_method"] == "S256"
    assert params["scope"] == "openid email profile groups"
    cookies = {c["name"]: c for c in start["cookies"]}
    assert list(cookies) == BEGIN_COOKIES
    # The required role rides in the state cookie, after the state.
    assert f"{params['state']}.admin" == cookies["ifx_oidc_state"]["value"]
    assert params["nonce"] == cookies["ifx_oidc_nonce"]["value"]
    state = cookies["ifx_oidc_state"]
    assert (state["path"], state["max_age"], state["http_only"], state["same_site"]) == (
        "/api/auth/callback",
        600,
        True,
        "Lax",
    )
    assert state["header"] == (
        f"ifx_oidc_state={state['value']}; Path=/api/auth/callback; Max-Age=600; SameSite=Lax; HttpOnly"
    )

    query = authorize(start["authorization_url"])
    result = login.complete(query, cookie_header(start))

    assert result["identity"] == {
        "subject": "alice",
        "email": "alice@example.com",
        "groups": ["incidentfox-config-admin", "sre"],
    }
    assert result["return_to"] == "/teams/42?tab=agents"
    assert result["require_role"] == "admin"
    assert [c["name"] for c in result["clear_cookies"]] == LOGIN_COOKIES
    assert all(c["max_age"] == 0 and c["value"] == "" for c in result["clear_cookies"])
    session = result["session_cookie"]
    assert (session["name"], session["value"], session["path"], session["max_age"]) == (
        "incidentfox_session_token",
        result["id_token"],
        "/",
        7 * 24 * 3600,
    )
    assert result["id_token"].count(".") == 2


def test_complete_async_and_a_viewer(login: OidcLogin) -> None:
    start = login.begin()
    query = authorize(start["authorization_url"], username="bob")

    async def complete() -> dict[str, Any]:
        return await login.complete_async(query, cookie_header(start))

    result = asyncio.run(complete())
    assert result["identity"]["subject"] == "bob"
    assert result["identity"]["groups"] == ["viewer"]
    assert result["return_to"] == "/"
    assert result["require_role"] is None


def test_a_tampered_state_is_invalid_state(login: OidcLogin) -> None:
    start = login.begin("/x")
    query = authorize(start["authorization_url"])
    state = parse_qs(query)["state"][0]
    with pytest.raises(InvalidStateError) as raised:
        login.complete(with_param(query, "state", state + "x"), cookie_header(start))
    assert (raised.value.code, raised.value.status) == ("invalid_state", 401)
    assert isinstance(raised.value, TokenError)
    # Without the login cookies (another browser), alike.
    with pytest.raises(InvalidStateError):
        login.complete(query, "")
    # The untouched callback still completes: the refusals consumed nothing.
    assert login.complete(query, cookie_header(start))["identity"]["subject"] == "alice"


def test_open_redirect_return_to_ends_at_root(login: OidcLogin) -> None:
    for evil in [
        "//evil.example",
        "https://evil.example",
        "/\\evil",
        "/%2F%2Fevil",
        "/redirect?x=1&to=https%3A%2F%2Fevil.example",
        "/a&%0d%0aSet-Cookie:%20x=1",
    ]:
        start = login.begin(evil)
        query = authorize(start["authorization_url"])
        assert login.complete(query, cookie_header(start))["return_to"] == "/", evil


def test_provider_errors(provider: Provider, login: OidcLogin) -> None:
    start = login.begin()
    state = start["cookies"][0]["value"]
    iss = quote(provider.issuer, safe="")
    with pytest.raises(LoginDeniedError):
        login.complete(f"error=access_denied&state={state}&iss={iss}", cookie_header(start))
    started = time.monotonic()
    with pytest.raises(ProviderUnavailableError):
        OidcLogin(issuer="http://127.0.0.1:9", client_id=CLIENT_ID, public_base_url=PUBLIC_BASE_URL)
    assert time.monotonic() - started < 30
    assert OidcLogin.from_env({}) is None


def test_return_to_comes_back_as_a_browser_requests_it(login: OidcLogin) -> None:
    for given, expected in [
        ("/\u3000", "/%E3%80%80"),
        ("/caf\u00e9?q=\U0001f600#\u00e9", "/caf%C3%A9?q=%F0%9F%98%80#%C3%A9"),
        ("/a/../b", "/b"),
        ("/.//evil.example", "/"),
    ]:
        start = login.begin(given)
        query = authorize(start["authorization_url"])
        assert login.complete(query, cookie_header(start))["return_to"] == expected, given


def test_a_required_role_belongs_to_its_login_attempt(login: OidcLogin) -> None:
    # A login for a role, abandoned; then one that asked for none, in the same browser: its
    # cookies overwrite the first one's, and a required-role cookie an earlier version set is
    # still there.
    abandoned = login.begin(None, "admin")
    start = login.begin()
    jar = {c["name"]: c["value"] for c in abandoned["cookies"]}
    jar.update({c["name"]: c["value"] for c in start["cookies"]})
    jar["ifx_oidc_require_role"] = "admin"
    query = authorize(start["authorization_url"], username="bob")
    result = login.complete(query, "; ".join(f"{k}={v}" for k, v in jar.items()))
    assert result["identity"]["subject"] == "bob"
    assert result["require_role"] is None

    # A role in the state cookie that ``begin`` would never write is refused.
    start = login.begin(None, "admin")
    query = authorize(start["authorization_url"])
    state = parse_qs(query)["state"][0]
    header = cookie_header(start).replace(f"{state}.admin", f"{state}.a%20b")
    with pytest.raises(InvalidStateError) as raised:
        login.complete(query, header)
    assert "required role is malformed" in raised.value.message


def test_the_callbacks_iss_must_be_the_providers(provider: Provider, login: OidcLogin) -> None:
    discovery = httpx.get(f"{provider.issuer}/.well-known/openid-configuration").json()
    assert discovery["authorization_response_iss_parameter_supported"] is True
    start = login.begin()
    query = authorize(start["authorization_url"])
    assert parse_qs(query)["iss"] == [provider.issuer]
    for tampered, why in [
        (with_param(query, "iss", "https://evil.example"), "is not the configured issuer"),
        (with_param(query, "iss", f"{provider.issuer}/"), "is not the configured issuer"),
        (with_param(query, "iss", None), "no `iss`"),
    ]:
        with pytest.raises(InvalidIssuerError) as raised:
            login.complete(tampered, cookie_header(start))
        assert (raised.value.code, raised.value.status) == ("invalid_issuer", 401)
        assert why in raised.value.message
    # Refused before the code exchange: the untouched callback still completes.
    assert login.complete(query, cookie_header(start))["identity"]["subject"] == "alice"


def test_login_outcomes_are_logged_without_a_code_state_or_cookie(
    login: OidcLogin, caplog: pytest.LogCaptureFixture
) -> None:
    """Each step's outcome is a ``login.outcome`` record on ``incidentfox_auth.login``; none
    carries the authorization code, the state, the nonce, the client secret or a cookie value."""
    caplog.set_level(logging.INFO, logger="incidentfox_auth")
    refresh_log_level()
    try:
        start = login.begin("/teams/42")
        query = authorize(start["authorization_url"])
        params = {k: v[0] for k, v in parse_qs(query).items()}
        with pytest.raises(InvalidStateError):
            login.complete(with_param(query, "state", params["state"] + "x"), cookie_header(start))
        result = login.complete(query, cookie_header(start))
        outcomes = [r for r in caplog.records if getattr(r, "event", None) == "login.outcome"]
        assert [(r.name, r.levelno) for r in outcomes] == [("incidentfox_auth.login", logging.INFO)] * 3
        assert [getattr(r, "fields") for r in outcomes] == [
            {"step": "begin", "outcome": "ok"},
            {"step": "complete", "outcome": "invalid_state"},
            {"step": "complete", "outcome": "ok"},
        ]
        assert outcomes[1].getMessage() == "login.outcome step=complete outcome=invalid_state"
        secrets = [params["code"], params["state"], CLIENT_SECRET, result["session_cookie"]["value"]]
        secrets += [c["value"] for c in start["cookies"] if len(c["value"]) >= 8]
        formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
        for record in caplog.records:
            shown = formatter.format(record) + repr(vars(record))
            for secret in secrets:
                assert secret not in shown, f"a record carries a secret: {shown}"
    finally:
        caplog.set_level(logging.NOTSET, logger="incidentfox_auth")
        refresh_log_level()
