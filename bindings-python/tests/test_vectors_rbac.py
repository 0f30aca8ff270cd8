"""testdata/vectors/rbac.json, mirroring core/tests/vectors_rbac.rs (`rbac_vectors`).

``RbacPolicy.from_env(env)``: ``resolve_with_sources(groups)`` must give the permissions and their
sources in order, ``resolve(groups)`` the same permissions, and ``explain(groups, grant)`` for each
grant must name the first grant that matches it with that grant's source. Load errors must carry
the code and name the group and value.
"""

from __future__ import annotations

import json
from typing import Any

from support import load_vectors, outcome, report, unique_names

from incidentfox_auth import AuthError, ConfigurationError, RbacPolicy

DOC = load_vectors("rbac.json")
CASES: list[dict[str, Any]] = DOC["cases"]


def test_the_file_is_well_formed() -> None:
    unique_names(CASES)
    assert len(CASES) >= 20


def check(case: dict[str, Any]) -> str | None:
    expect = case["expect"]
    got = outcome(lambda: RbacPolicy.from_env(case["env"]))
    if "error" in expect:
        if not isinstance(got, AuthError):
            return f"expected {expect['error']}, got a policy granting {got.resolve([])}"
        if got.code != expect["error"]:
            return f"expected {expect['error']}, got {got}"
        if not isinstance(got, ConfigurationError):
            return f"{got.code} is not a ConfigurationError"
        missing = [n for n in expect["message_contains"] if n not in got.message]
        return f"message lacks {missing}: {got.message}" if missing else None
    if isinstance(got, AuthError):
        return f"expected a policy, got {got}"
    groups = case["groups"]
    with_sources = [list(pair) for pair in got.resolve_with_sources(groups)]
    want = [[p, s] for p, s in zip(expect["permissions"], expect["sources"])]
    if with_sources != want:
        return f"expected {want}, got {with_sources}"
    permissions = got.resolve(groups)
    if permissions != expect["permissions"]:
        return f"expected permissions {expect['permissions']}, got {permissions}"
    sources = dict(zip(expect["permissions"], expect["sources"]))
    for index, grant in enumerate(permissions):
        decision = got.explain(groups, grant).to_dict()
        matched = decision["matched_grant"]
        if not decision["allowed"] or matched not in permissions[: index + 1]:
            return f"{grant}: decision {decision}"
        if decision["source"] != sources[matched]:
            return f"{grant}: matched {matched} from {decision['source']}, expected {sources[matched]}"
    return None


def test_every_rbac_vector() -> None:
    failures = [f"{c['name']}: {why}" for c in CASES if (why := check(c)) is not None]
    report(failures, len(CASES), "rbac cases")


def csv(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def test_the_constructor_agrees_with_from_env() -> None:
    # Only where a Python dict can hold the map (no duplicate members) and the env is valid.
    compared = 0
    for case in CASES:
        if "error" in case["expect"]:
            continue
        env = case["env"]
        defaults = csv(env["ADMIN_PERMISSIONS_DEFAULT"]) if "ADMIN_PERMISSIONS_DEFAULT" in env else ["admin:*"]
        raw = env.get("ADMIN_GROUP_PERMISSIONS_JSON", "").strip()
        mapping = json.loads(raw) if raw else {}
        policy = RbacPolicy(defaults, mapping)
        assert policy.resolve(case["groups"]) == case["expect"]["permissions"], case["name"]
        compared += 1
    assert compared >= 10
