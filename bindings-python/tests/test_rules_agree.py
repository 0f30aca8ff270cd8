"""One rule, one home: the options a binding takes mean what the same environment variable
means, because both go through the core (record mode spellings, the one-minute TTL floor, role
names, a fractional ``now``), and Python and Node read alike what one of them used to decide
alone (team-token row spellings, when the cache may answer, the key source)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from incidentfox_auth import AuthError, ImpersonationSigner, Principal

SECRET = "rules-agree-impersonation-secret-0123456789"


class BrokenStore:
    def record(self, entry: dict[str, Any]) -> None:
        raise ConnectionError("down")

    def contains(self, jti: str) -> bool:
        raise ConnectionError("down")

    def revoke(self, jti: str) -> bool:
        raise ConnectionError("down")


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return decoded


@pytest.mark.parametrize("spelling", ["best_effort", "best-effort", "BEST_EFFORT", " Best-Effort "])
def test_record_mode_spellings_agree_with_the_environment(spelling: str) -> None:
    from_env = ImpersonationSigner.from_env(
        {"IMPERSONATION_JWT_SECRET": SECRET, "IMPERSONATION_JTI_DB_LOGGING": "1",
         "IMPERSONATION_JTI_RECORD_MODE": spelling},
        jti_store=BrokenStore(),
    )
    direct = ImpersonationSigner(SECRET, jti_store=BrokenStore(), jti_logging=True, record_mode=spelling)
    for signer in (from_env, direct):
        # Best effort: the token is returned although the store could not record it.
        assert signer.mint(org_id="o", team_node_id="t", subject="s").token


def test_an_unknown_record_mode_is_refused_alike() -> None:
    with pytest.raises(AuthError) as e:
        ImpersonationSigner(SECRET, record_mode="lenient")
    assert e.value.code == "invalid_config"
    with pytest.raises(AuthError) as e:
        ImpersonationSigner.from_env({"IMPERSONATION_JWT_SECRET": SECRET, "IMPERSONATION_JTI_RECORD_MODE": "lenient"})
    assert e.value.code == "invalid_config"


def test_the_ttl_floor_is_one_rule() -> None:
    from_env = ImpersonationSigner.from_env({"IMPERSONATION_JWT_SECRET": SECRET, "IMPERSONATION_TOKEN_TTL_SECONDS": "5"})
    direct = ImpersonationSigner(SECRET, ttl_seconds=5)
    for signer in (from_env, direct):
        minted = claims(signer.mint(org_id="o", team_node_id="t", subject="s").token)
        assert minted["exp"] - minted["iat"] == 60


def test_a_fractional_now_is_whole_seconds_as_in_node() -> None:
    minted = ImpersonationSigner(SECRET).mint(org_id="o", team_node_id="t", subject="s", now=1_700_000_000.9)
    assert claims(minted.token)["iat"] == 1_700_000_000
    with pytest.raises(AuthError) as e:
        ImpersonationSigner(SECRET).mint(org_id="o", team_node_id="t", subject="s", now=float("nan"))
    assert e.value.code == "invalid_config"


def test_role_names_come_from_the_core() -> None:
    assert Principal.with_grants("team", ["team:read"]).role == "team"
    with pytest.raises(AuthError):
        Principal.with_grants("Admin", ["admin:*"])


@pytest.mark.parametrize("names", [["rs256"], ["RS256", "ES512"], ["none"]])
def test_algorithm_names_are_read_as_the_environment_reads_them(names: list[str]) -> None:
    from incidentfox_auth import OidcValidator

    OidcValidator(issuer="https://idp.example", audience="svc", jwks_url="https://idp.example/jwks", algorithms=["RS256"])
    with pytest.raises(AuthError) as e:
        OidcValidator(issuer="https://idp.example", audience="svc", jwks_url="https://idp.example/jwks", algorithms=names)
    assert e.value.code == "invalid_config"
    with pytest.raises(AuthError) as e:
        authenticator_with_alg(",".join(names))
    assert e.value.code == "invalid_config"


def authenticator_with_alg(alg: str) -> None:
    from incidentfox_auth import Authenticator

    Authenticator.from_env({
        "ADMIN_AUTH_MODE": "oidc", "OIDC_ENABLED": "1", "OIDC_ISSUER": "https://idp.example",
        "OIDC_AUDIENCE": "svc", "OIDC_JWKS_URL": "https://idp.example/jwks", "OIDC_ALG": alg,
    })


def test_the_default_admin_grant_is_the_cores() -> None:
    from incidentfox_auth import RbacPolicy

    assert RbacPolicy().resolve([]) == RbacPolicy.from_env({}).resolve([]) == ["admin:*"]


# --- Rules that lived in one binding and now live in the core (mirrored in rules-agree.test.js).

PEPPER = "rules-agree-pepper"


class Rows:
    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row

    def lookup(self, token_id: str) -> dict[str, Any]:
        return self.row


def with_row(**extra: Any) -> str:
    from incidentfox_auth import Authenticator, generate_team_token

    made = generate_team_token(PEPPER)
    row = {"tokenId": made["token_id"], "tokenHash": made["token_hash"], **extra}
    auth = Authenticator.from_env({"TOKEN_PEPPER": PEPPER}, team_token_lookup=Rows(row))
    try:
        return auth.authenticate({"X-IncidentFox-Team-Token": made["token"]}).auth_kind
    except AuthError as e:
        return e.code


def test_a_team_token_row_is_read_in_either_spelling_and_refused_when_the_two_disagree() -> None:
    import datetime

    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    assert with_row(orgId="o", teamNodeId="t") == "team_token"
    assert with_row(org_id="o", team_node_id="t") == "team_token"
    assert with_row(orgId="o", org_id="o", teamNodeId="t") == "team_token"
    assert with_row(orgId="o", org_id="p", teamNodeId="t") == "lookup_unavailable"
    assert with_row(orgId="o", teamNodeId="t", revokedAt=None, revoked_at=epoch) == "lookup_unavailable"
    assert with_row(orgId="o", teamNodeId="t", revokedAt=epoch, revoked_at=epoch) == "token_revoked"
    assert with_row(orgId="o", teamNodeId="t", expires_at=epoch) == "token_expired"


def test_an_explicit_now_never_takes_the_cache() -> None:
    import asyncio
    import time

    from support import AUDIENCE, ISSUER, mint_oidc, oidc_claims, oidc_jwks

    from incidentfox_auth import OidcValidator

    validator = OidcValidator(issuer=ISSUER, audience=AUDIENCE, jwks_json=oidc_jwks(), algorithms=["ES256"])
    now = int(time.time())
    claims = oidc_claims(iat=now - 60, exp=now + 600)
    token = mint_oidc(claims)
    validator.verify_cached(token)
    late = claims["exp"] + 3600

    async def verify_late() -> None:
        await validator.verify_async(token, now=late)

    with pytest.raises(AuthError) as e:
        asyncio.run(verify_late())
    assert e.value.code == "token_expired"
    with pytest.raises(AuthError) as e:
        validator.verify_cached(token, now=late)
    assert e.value.code == "token_expired"


def test_the_network_free_impersonation_check_is_verify_cached_as_nodes_verify_sync() -> None:
    from incidentfox_auth import ImpersonationVerifier

    minted = ImpersonationSigner(SECRET).mint(org_id="o", team_node_id="t", subject="s")
    assert ImpersonationVerifier(SECRET).verify_cached(minted.token).subject == "s"
    checking = ImpersonationVerifier(SECRET, jti_require=True, jti_store=BrokenStore())
    with pytest.raises(AuthError) as e:
        checking.verify_cached(minted.token)
    assert e.value.code == "invalid_config"


def test_an_unknown_team_requirement_is_a_type_error() -> None:
    member = Principal.with_grants("team", ["team:read"], auth_kind="team_token")
    with pytest.raises(TypeError):
        member.require_team_member(writes=True)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "keys",
    [{}, {"jwks_url": "https://idp.example/jwks", "discovery": True},
     {"jwks_json": '{"keys": []}', "jwks_url": "https://idp.example/jwks"}],
)
def test_exactly_one_key_source(keys: dict[str, Any]) -> None:
    from incidentfox_auth import OidcValidator

    with pytest.raises(AuthError) as e:
        OidcValidator(issuer="https://idp.example", audience="svc", **keys)
    assert e.value.code == "invalid_config"


def test_the_route_table_default_is_the_cores() -> None:
    from incidentfox_auth import RouteTable

    assert RouteTable().require_admin_star == RouteTable.from_env({}).require_admin_star
