"""testdata/vectors/attacks.json through OidcValidator, as core/tests/vectors_attacks.rs runs it.

Not covered here: the Rust runner's check of which keys the set drops and why (the Python API does
not expose the loaded key set); every case's outcome is covered, through all three verify calls.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from support import load_vectors, outcome, report, unique_names

from incidentfox_auth import BY_CODE, AuthError, OidcValidator, VerifiedToken

DOC = load_vectors("attacks.json")
JWKS = json.dumps(DOC["jwks"])
CASES: list[dict[str, Any]] = DOC["cases"]

# Vector setting → OidcValidator keyword.
KEYWORDS = {
    "issuer": "issuer",
    "audiences": "audience",
    "algorithms": "algorithms",
    "leeway": "leeway",
    "groups_claim": "groups_claim",
    "require_kid": "require_kid",
    "max_token_bytes": "max_token_bytes",
    "allowed_typ": "allowed_typ",
    "max_age": "max_age",
    "required_claims": "required_claims",
}


def settings(case: dict[str, Any]) -> dict[str, Any]:
    merged = {**DOC["validator"], **case.get("validator_overrides", {})}
    unknown = set(merged) - set(KEYWORDS)
    assert not unknown, f"{case['name']}: unknown validator settings {unknown}"
    return {KEYWORDS[k]: v for k, v in merged.items()}


def build(case: dict[str, Any]) -> OidcValidator:
    return OidcValidator(jwks_json=JWKS, **settings(case))


def now_of(case: dict[str, Any]) -> float:
    return float(case.get("now", DOC["now"]))


def check(case: dict[str, Any], got: VerifiedToken | AuthError) -> str | None:
    expect = case["expect"]
    if expect["valid"]:
        if isinstance(got, AuthError):
            return f"expected valid, got {got}"
        if got.subject != expect["subject"] or got.groups != expect["groups"]:
            return (
                f"expected subject {expect['subject']!r} groups {expect['groups']!r}, "
                f"got {got.subject!r} {got.groups!r}"
            )
        return None
    if not isinstance(got, AuthError):
        return f"expected {expect['code']}, got a valid token"
    if got.code != expect["code"]:
        return f"expected {expect['code']}, got {got}"
    if type(got) is not BY_CODE[got.code]:
        return f"{got.code} raised as {type(got).__name__}"
    return None


def test_the_file_is_well_formed() -> None:
    assert len(CASES) >= 40
    unique_names(CASES)
    for case in CASES:
        code = case["expect"].get("code")
        assert code is None or code in BY_CODE, f"{case['name']}: {code} is not an error code"
    assert sum(c["expect"]["valid"] is True for c in CASES) >= 3


def test_every_attack_vector_with_verify_cached() -> None:
    failures = []
    for case in CASES:
        token, now = case["token"], now_of(case)
        got = outcome(lambda: build(case).verify_cached(token, now=now))
        if (why := check(case, got)) is not None:
            failures.append(f"{case['name']}: {why}")
    report(failures, len(CASES), "attack vectors (verify_cached)")


def test_every_attack_vector_with_verify() -> None:
    # An inline key set never touches the network, so verify() agrees with verify_cached().
    failures = []
    for case in CASES:
        token, now = case["token"], now_of(case)
        got = outcome(lambda: build(case).verify(token, now=now))
        if (why := check(case, got)) is not None:
            failures.append(f"{case['name']}: {why}")
    report(failures, len(CASES), "attack vectors (verify)")


def test_every_attack_vector_with_verify_async() -> None:
    async def one(case: dict[str, Any]) -> VerifiedToken | AuthError:
        try:
            validator = build(case)
            return await validator.verify_async(case["token"], now=now_of(case))
        except AuthError as e:
            return e

    async def run() -> list[VerifiedToken | AuthError]:
        return await asyncio.gather(*(one(c) for c in CASES))

    results = asyncio.run(run())
    failures = [
        f"{case['name']}: {why}"
        for case, got in zip(CASES, results)
        if (why := check(case, got)) is not None
    ]
    report(failures, len(CASES), "attack vectors (verify_async)")


def test_codes_cover_every_token_failure() -> None:
    codes = {c["expect"].get("code") for c in CASES}
    for code in [
        "token_malformed", "forbidden_header", "token_too_large", "token_expired",
        "token_not_yet_valid", "token_issued_in_future", "invalid_signature",
        "algorithm_not_allowed", "unknown_key_id", "invalid_issuer", "invalid_audience",
        "missing_claim", "invalid_claim", "unsupported_critical_header",
    ]:
        assert code in codes, f"no case expects {code}"
