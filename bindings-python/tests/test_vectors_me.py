"""testdata/vectors/me.json (credential + configuration → GET /api/v1/auth/me), mirroring
core/tests/vectors_me.rs: ``Authenticator.from_env(env, jti_store=MemoryJtiStore(),
team_token_lookup=<a Python object>)`` then ``authenticate(headers, now=...)``, and the same
through ``authenticate_async``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from support import TeamTokens, load_vectors, report, unique_names

from incidentfox_auth import AuthError, Authenticator, JtiStoreUnavailableError, MemoryJtiStore, Principal

DOC = load_vectors("me.json")
CASES: list[dict[str, Any]] = DOC["cases"]
NOW = float(DOC["now"])


def env_of(case: dict[str, Any]) -> dict[str, str]:
    return {**DOC["base_env"], **case["env"]}


def headers_of(case: dict[str, Any]) -> dict[str, str]:
    if "headers" in case:
        return dict(case["headers"])
    if "internal_service" in case:
        return {"X-Internal-Service": case["internal_service"]}
    credential = case["credential"]
    return {"Authorization": f"Bearer {credential}"} if credential else {}


def build(case: dict[str, Any]) -> Authenticator:
    return Authenticator.from_env(
        env_of(case), jti_store=MemoryJtiStore(), team_token_lookup=TeamTokens(DOC["team_tokens"])
    )


def as_text(result: Principal | AuthError) -> str:
    if isinstance(result, AuthError):
        return json.dumps({"error": result.code})
    return json.dumps({"me": result.to_dict()})


def test_the_file_is_well_formed() -> None:
    assert len(CASES) >= 55
    unique_names(CASES)


def test_every_me_vector() -> None:
    failures = []
    for case in CASES:
        try:
            got: Principal | AuthError = build(case).authenticate(headers_of(case), now=NOW)
        except AuthError as e:
            got = e
        # Compared as text, so the member order of /auth/me is part of the contract.
        want = json.dumps(case["expect"])
        if as_text(got) != want:
            failures.append(f"{case['name']}: expected {want}, got {as_text(got)}")
    report(failures, len(CASES), "me vectors")


def test_every_me_vector_async() -> None:
    async def one(case: dict[str, Any]) -> Principal | AuthError:
        try:
            return await build(case).authenticate_async(headers_of(case), now=NOW)
        except AuthError as e:
            return e

    async def run() -> list[Principal | AuthError]:
        return await asyncio.gather(*(one(c) for c in CASES))

    failures = [
        f"{case['name']}: expected {json.dumps(case['expect'])}, got {as_text(got)}"
        for case, got in zip(CASES, asyncio.run(run()))
        if as_text(got) != json.dumps(case["expect"])
    ]
    report(failures, len(CASES), "me vectors (async)")


def test_principal_properties_agree_with_to_dict() -> None:
    for case in CASES:
        if "me" not in case["expect"]:
            continue
        principal = build(case).authenticate(headers_of(case), now=NOW)
        me = case["expect"]["me"]
        assert principal.role == me["role"]
        # An org-admin token is its own kind in the principal; /auth/me names it admin_token.
        reported = "admin_token" if principal.auth_kind == "org_admin_token" else principal.auth_kind
        assert reported == me["auth_kind"]
        if principal.auth_kind == "org_admin_token":
            assert me["org_id"]
        assert principal.can_write == me["can_write"]
        assert principal.permissions == me["permissions"]
        for optional in ("org_id", "team_node_id", "subject", "email", "visitor_session_id"):
            assert getattr(principal, optional) == me.get(optional), (case["name"], optional)
        assert principal.is_admin == (me["role"] == "admin")


def test_the_lookup_is_asked_by_token_id() -> None:
    case = next(c for c in CASES if c["name"] == "team token")
    lookup = TeamTokens(DOC["team_tokens"])
    auth = Authenticator.from_env(env_of(case), team_token_lookup=lookup)
    auth.authenticate(headers_of(case), now=NOW)
    assert lookup.calls == [case["credential"].split(".")[0]]


def test_an_async_lookup() -> None:
    class AsyncTeamTokens(TeamTokens):
        async def lookup(self, token_id: str) -> dict[str, Any] | None:  # type: ignore[override]
            await asyncio.sleep(0)
            return super().lookup(token_id)

    case = next(c for c in CASES if c["name"] == "team token")
    auth = Authenticator.from_env(env_of(case), team_token_lookup=AsyncTeamTokens(DOC["team_tokens"]))
    want = case["expect"]["me"]
    assert auth.authenticate(headers_of(case), now=NOW).to_dict() == want

    async def run() -> dict[str, Any]:
        return (await auth.authenticate_async(headers_of(case), now=NOW)).to_dict()

    assert asyncio.run(run()) == want


def test_a_lookup_that_fails_is_lookup_unavailable() -> None:
    class Broken:
        def lookup(self, token_id: str) -> dict[str, Any] | None:
            raise ConnectionError("the team-token table is unreachable")

    case = next(c for c in CASES if c["name"] == "team token")
    auth = Authenticator.from_env(env_of(case), team_token_lookup=Broken())
    with pytest.raises(AuthError) as e:
        auth.authenticate(headers_of(case), now=NOW)
    assert (e.value.code, e.value.status) == ("lookup_unavailable", 503)


def test_a_lookup_that_raises_an_auth_error_passes_its_code_through() -> None:
    class Failing:
        def lookup(self, token_id: str) -> dict[str, Any] | None:
            raise JtiStoreUnavailableError("the team-token table is unreachable")

    case = next(c for c in CASES if c["name"] == "team token")
    auth = Authenticator.from_env(env_of(case), team_token_lookup=Failing())
    with pytest.raises(AuthError) as e:
        auth.authenticate(headers_of(case), now=NOW)
    assert e.value.code == "jti_store_unavailable"


def test_errors_never_echo_the_presented_credential() -> None:
    auth = build(CASES[0])
    with pytest.raises(AuthError) as e:
        auth.authenticate({"Authorization": "Bearer a-wrong-token-value"}, now=NOW)
    assert "a-wrong-token-value" not in str(e.value)
    assert "a-wrong-token-value" not in repr(e.value)
