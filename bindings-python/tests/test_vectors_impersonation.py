"""testdata/vectors/impersonation.json, mirroring core/tests/vectors_impersonation.rs.

Each case runs through ``ImpersonationVerifier`` built twice, from keywords and from the
``IMPERSONATION_*`` environment (``IMPERSONATION_LEEWAY_SECONDS`` is how a leeway other than the
default 0 would be set: the constructor has no keyword for it), and once more through
``verify_async``. No JTI store: signature and claims only, as the file says.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from support import load_vectors, outcome, report, unique_names

from incidentfox_auth import BY_CODE, AuthError, ImpersonationVerifier, VerifiedImpersonation

DOC = load_vectors("impersonation.json")
CASES: list[dict[str, Any]] = DOC["cases"]
KNOWN_SETTINGS = {"audience", "accept_legacy_audience", "leeway_seconds"}


def settings(case: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {**DOC["config"], **case.get("config", {})}
    assert set(merged) <= KNOWN_SETTINGS, f"{case['name']}: unknown settings {set(merged) - KNOWN_SETTINGS}"
    return merged


def from_keywords(case: dict[str, Any]) -> ImpersonationVerifier:
    s = settings(case)
    if s.get("leeway_seconds", 0) != 0:
        pytest.skip("the constructor has no leeway keyword")  # pragma: no cover - every binding has one
    return ImpersonationVerifier(
        DOC["secret"], audience=s["audience"], accept_legacy_audience=s["accept_legacy_audience"]
    )


def from_env(case: dict[str, Any]) -> ImpersonationVerifier:
    s = settings(case)
    env = {
        "IMPERSONATION_JWT_SECRET": DOC["secret"],
        "IMPERSONATION_JWT_AUDIENCE": s["audience"],
        "IMPERSONATION_JWT_ACCEPT_LEGACY_AUDIENCE": "1" if s["accept_legacy_audience"] else "0",
        "IMPERSONATION_LEEWAY_SECONDS": str(s.get("leeway_seconds", 0)),
    }
    return ImpersonationVerifier.from_env(env)


def now_of(case: dict[str, Any]) -> float:
    return float(case.get("now", DOC["now"]))


def problems(case: dict[str, Any], got: VerifiedImpersonation | AuthError) -> str | None:
    expect = case["expect"]
    if expect["valid"] is not True:
        if not isinstance(got, AuthError):
            return f"expected {expect['code']}, got a valid {got.kind} token"
        if got.code != expect["code"]:
            return f"expected {expect['code']}, got {got}"
        if type(got) is not BY_CODE[got.code]:
            return f"{got.code} raised as {type(got).__name__}"
        return None
    if isinstance(got, AuthError):
        return f"expected valid, got {got}"
    found = []
    if got.kind != expect["kind"]:
        found.append(f"kind {got.kind}, expected {expect['kind']}")
    # Compared as text, so the member order of /auth/me counts too.
    me, want_me = json.dumps(got.principal().to_dict()), json.dumps(expect["me"])
    if me != want_me:
        found.append(f"me {me}, expected {want_me}")
    claims = got.claims
    for name, want in expect.get("claims", {}).items():
        if name not in claims or claims[name] != want or type(claims[name]) is not type(want):
            found.append(f"claim {name} is {claims.get(name)!r}, expected {want!r}")
    if "claim_names" in expect and list(claims) != expect["claim_names"]:
        found.append(f"claim names {list(claims)}, expected {expect['claim_names']}")
    if "exp_minus_iat" in expect and claims["exp"] - claims["iat"] != expect["exp_minus_iat"]:
        found.append(f"exp - iat is {claims['exp'] - claims['iat']}, expected {expect['exp_minus_iat']}")
    if "jti_hex_chars" in expect:
        jti = got.jti
        if len(jti) != expect["jti_hex_chars"] or any(c not in "0123456789abcdef" for c in jti):
            found.append(f"jti {jti} is not {expect['jti_hex_chars']} lowercase hex digits")
        if claims.get("jti") != jti:
            found.append(f"jti property {jti} differs from the claim {claims.get('jti')}")
    # The typed accessors agree with the claims.
    if (got.subject, got.org_id, got.team_node_id) != (claims["sub"], claims["org_id"], claims["team_node_id"]):
        found.append("subject/org_id/team_node_id disagree with the claims")
    if got.expires_at != claims["exp"]:
        found.append(f"expires_at {got.expires_at} is not exp {claims['exp']}")
    if got.email != claims.get("email"):
        found.append(f"email {got.email!r} is not the claim {claims.get('email')!r}")
    if got.visitor_session_id != claims.get("visitor_session_id"):
        found.append(f"visitor_session_id {got.visitor_session_id!r}")
    return "; ".join(found) or None


def test_the_file_is_well_formed() -> None:
    assert len(CASES) >= 40
    unique_names(CASES)
    assert sum(c["source"] == "pyjwt" for c in CASES) >= 8
    for source in ("incidentfox-auth", "pyjwt"):
        for valid in (True, False):
            assert any(c["source"] == source and c["expect"]["valid"] is valid for c in CASES)


@pytest.mark.parametrize("build", [from_keywords, from_env], ids=["keywords", "env"])
def test_every_impersonation_vector(build: Callable[[dict[str, Any]], ImpersonationVerifier]) -> None:
    failures = []
    for case in CASES:
        verifier = build(case)
        got = outcome(lambda: verifier.verify(case["token"], now=now_of(case)))
        if (why := problems(case, got)) is not None:
            failures.append(f"{case['name']}: {why}")
    report(failures, len(CASES), "impersonation vectors")


def test_every_impersonation_vector_async() -> None:
    async def one(case: dict[str, Any]) -> VerifiedImpersonation | AuthError:
        try:
            return await from_keywords(case).verify_async(case["token"], now=now_of(case))
        except AuthError as e:
            return e

    async def run() -> list[VerifiedImpersonation | AuthError]:
        return await asyncio.gather(*(one(c) for c in CASES))

    failures = [
        f"{case['name']}: {why}"
        for case, got in zip(CASES, asyncio.run(run()))
        if (why := problems(case, got)) is not None
    ]
    report(failures, len(CASES), "impersonation vectors (async)")
