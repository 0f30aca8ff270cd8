"""testdata/vectors/permissions.json, mirroring core/tests/vectors_rbac.rs (`permission_vectors`).

`parse`: ``PermissionSet([p])`` accepts or raises ``InvalidPermissionError``.
`match`: the compiled set, ``explain`` and a one-grant-at-a-time reference agree on the first
matching grant.
`routes`: ``RouteTable.from_env(env).authorize(principal, route)`` with
``Principal.with_grants(role, grants)`` (source ``grants``), as the Rust runner builds it (role
``admin`` with kind ``admin_token``, role ``team`` with kind ``team_token``). The same cases run
again with principals that come out of the authenticator, the way a service gets them:
  - role ``admin``: an OIDC admin (ES256 token minted by PyJWT, in the admin group) whose grants
    are ``ADMIN_PERMISSIONS_DEFAULT`` = the case's grants, in order, so the decision names source
    ``default`` where the vector says ``grants``;
  - role ``team``: a team-token principal, whose grants are always ``team:read, team:write``
    (every team case expects ``not_admin`` or ``invalid_config`` whatever the grants).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from support import (
    ADMIN_GROUP,
    NOW,
    TeamTokens,
    bearer,
    load_vectors,
    mint_oidc,
    oidc_admin_env,
    oidc_claims,
    outcome,
    report,
    team_row,
    unique_names,
)

from incidentfox_auth import (
    AuthError,
    Authenticator,
    InvalidPermissionError,
    PermissionSet,
    Principal,
    RouteTable,
    explain,
    generate_team_token,
)

DOC = load_vectors("permissions.json")
PARSE: list[dict[str, Any]] = DOC["parse"]
MATCH: list[dict[str, Any]] = DOC["match"]
ROUTES: list[dict[str, Any]] = DOC["routes"]
PEPPER = "permissions-vectors-pepper"


def test_the_file_is_well_formed() -> None:
    names: set[str] = set()
    for cases in (PARSE, MATCH, ROUTES):
        assert cases
        unique_names(cases, names)
    assert len(PARSE) + len(MATCH) + len(ROUTES) >= 70


def test_parse() -> None:
    failures = []
    for case in PARSE:
        got = outcome(lambda: PermissionSet([case["permission"]]))
        if case["valid"]:
            if isinstance(got, AuthError):
                failures.append(f"{case['name']}: rejected, expected valid: {got}")
            elif got.to_list() != [case["permission"]] or len(got) != 1:
                failures.append(f"{case['name']}: parsed as {got.to_list()}")
        elif not isinstance(got, InvalidPermissionError):
            failures.append(f"{case['name']}: expected invalid_permission, got {got!r}")
    report(failures, len(PARSE), "parse cases")


def test_invalid_permissions_name_the_value() -> None:
    for case in PARSE:
        if not case["valid"] and case["permission"] and len(case["permission"]) < 100:
            with pytest.raises(InvalidPermissionError) as e:
                PermissionSet([case["permission"]])
            assert e.value.code == "invalid_permission" and e.value.status == 500


def test_match() -> None:
    failures = []
    for case in MATCH:
        grants, required = case["grants"], case["required"]
        expected, allowed = case["matched_grant"], case["allowed"]
        assert allowed == (expected is not None), f"{case['name']}: vector disagrees with itself"
        compiled = PermissionSet(grants)
        reference = next((g for g in grants if PermissionSet([g]).grants(required)), None)
        decision = explain(grants, required)
        got = {
            "matching_grant": compiled.matching_grant(required),
            "grants": compiled.grants(required),
            "reference": reference,
            "explain": decision.to_dict(),
            "set.explain": compiled.explain(required).to_dict(),
        }
        want = {
            "matching_grant": expected,
            "grants": allowed,
            "reference": expected,
            "explain": {
                "allowed": allowed,
                "matched_grant": expected,
                "source": "grants" if allowed else None,
                "reason": None if allowed else "permission_denied",
            },
        }
        want["set.explain"] = want["explain"]
        if got != want:
            failures.append(f"{case['name']}: expected {want}, got {got}")
    report(failures, len(MATCH), "match cases")


def admin_with_grants(grants: list[str]) -> Principal:
    env = oidc_admin_env(ADMIN_PERMISSIONS_DEFAULT=",".join(grants))
    token = mint_oidc(oidc_claims(groups=[ADMIN_GROUP]))
    principal = Authenticator.from_env(env).authenticate(bearer(token), now=NOW)
    assert principal.is_admin and principal.permissions == grants, principal.to_dict()
    return principal


def team_principal() -> Principal:
    generated = generate_team_token(PEPPER)
    lookup = TeamTokens([team_row(generated)])
    env = {"TOKEN_PEPPER": PEPPER, "ADMIN_AUTH_MODE": "token", "ADMIN_TOKEN": "unused-admin-token-0123456789abcdef"}
    auth = Authenticator.from_env(env, team_token_lookup=lookup)
    principal = auth.authenticate(bearer(generated["token"]), now=NOW)
    assert principal.role == "team" and not principal.is_admin, principal.to_dict()
    return principal


def expected_decision(expect: dict[str, Any], source: str) -> dict[str, Any]:
    """The vector's decision, with source `grants` read as ``source``."""
    if "error" in expect:
        return dict(expect)
    return {**expect, "source": source if expect["source"] == "grants" else expect["source"]}


def run_routes(principal_of: Callable[[dict[str, Any]], Principal], source: str) -> None:
    failures = []
    for case in ROUTES:
        assert case["role"] in ("admin", "team"), case["name"]
        principal = principal_of(case)

        def authorize() -> dict[str, Any]:
            return RouteTable.from_env(case["env"]).authorize(principal, case["route"]).to_dict()

        got = outcome(authorize)
        result = {"error": got.code} if isinstance(got, AuthError) else got
        want = expected_decision(case["expect"], source)
        if result != want:
            failures.append(f"{case['name']}: expected {want}, got {result}")
    report(failures, len(ROUTES), "route cases")


def test_routes() -> None:
    def principal_of(case: dict[str, Any]) -> Principal:
        kind = "admin_token" if case["role"] == "admin" else "team_token"
        principal = Principal.with_grants(case["role"], case["grants"], auth_kind=kind)
        assert principal.permissions == case["grants"] and principal.role == case["role"]
        return principal

    run_routes(principal_of, "grants")


def test_routes_with_authenticated_principals() -> None:
    team = team_principal()
    run_routes(lambda case: admin_with_grants(case["grants"]) if case["role"] == "admin" else team,
               "default")


def test_route_denials_raise_their_403() -> None:
    table = RouteTable.from_env({"ORCHESTRATOR_REQUIRE_ADMIN_STAR": "0"})
    denied = table.authorize(admin_with_grants(["admin:read"]), "provision_team")
    assert denied.to_dict()["reason"] == "permission_denied"
    with pytest.raises(AuthError) as e:
        denied.raise_for_denial()
    assert (e.value.code, e.value.status) == ("permission_denied", 403)
    with pytest.raises(AuthError) as e:
        table.authorize(team_principal(), "provision_team").raise_for_denial()
    assert (e.value.code, e.value.status) == ("not_admin", 403)
