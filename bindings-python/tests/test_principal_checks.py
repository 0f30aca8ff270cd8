"""``Principal.require_admin`` and ``Principal.require_team``: the core's one rule for "admins
only" and "one team", which the FastAPI dependencies call."""

from __future__ import annotations

import pytest

from incidentfox_auth import (
    InvalidPermissionError,
    NotAdminError,
    PermissionDeniedError,
    Principal,
)


def test_require_admin() -> None:
    admin = Principal.with_grants("admin", ["admin:provision"], auth_kind="oidc")
    admin.require_admin()
    admin.require_admin("admin:provision")
    with pytest.raises(PermissionDeniedError) as denied:
        admin.require_admin("admin:agents")
    assert denied.value.code == "permission_denied" and denied.value.status == 403
    member = Principal.with_grants("team", ["admin:*"], auth_kind="team_token")
    with pytest.raises(NotAdminError) as refused:
        member.require_admin("admin:provision")
    assert "team principal" in refused.value.message
    with pytest.raises(InvalidPermissionError):
        admin.require_admin("not a permission")


def test_require_team() -> None:
    admin = Principal.with_grants("admin", ["admin:*"])
    with pytest.raises(PermissionDeniedError):
        admin.require_team()


def test_require_team_member_wants_an_org_and_a_team() -> None:
    member = Principal.with_grants("team", ["team:read", "team:write"], auth_kind="team_token")
    # with_grants names no org or team; the cases with real impersonation, visitor and team
    # tokens are in test_fastapi_helpers.py.
    with pytest.raises(PermissionDeniedError):
        member.require_team_member(write=True)
    with pytest.raises(PermissionDeniedError):
        member.require_team_member()
