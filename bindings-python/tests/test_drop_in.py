"""What the services need to switch by changing imports: visitor tokens carry the email, grants
resolve from claims verified elsewhere, the break-glass grants are known without a token, and a
team-only configuration (``TOKEN_PEPPER`` alone) starts."""

from __future__ import annotations

from typing import Any

import pytest

from incidentfox_auth import (
    AuthError,
    Authenticator,
    ImpersonationSigner,
    ImpersonationVerifier,
    RbacPolicy,
    admin_token_grants,
    hash_token_secret,
)

SECRET = "drop-in-impersonation-secret-0123456789"
PEPPER = "drop-in-pepper"


def test_a_visitor_token_carries_the_email_into_me() -> None:
    signer, verifier = ImpersonationSigner(SECRET), ImpersonationVerifier(SECRET)
    minted = signer.mint_visitor(org_id="o", team_node_id="t", session_id="s-1", email="v@example.com")
    me = verifier.verify(minted.token).principal().to_dict()
    assert me["email"] == "v@example.com" and me["visitor_session_id"] == "s-1"
    without = signer.mint_visitor(org_id="o", team_node_id="t", session_id="s-2")
    assert "email" not in verifier.verify(without.token).principal().to_dict()


class Lookup:
    def lookup(self, token_id: str) -> dict[str, Any] | None:
        if token_id != "tokid":
            return None
        return {"org_id": "org-1", "team_node_id": "team-1", "token_id": "tokid",
                "token_hash": hash_token_secret("toksecret", PEPPER)}


def test_a_team_only_configuration_starts() -> None:
    auth = Authenticator.from_env({"TOKEN_PEPPER": PEPPER}, team_token_lookup=Lookup())
    principal = auth.authenticate({"authorization": "Bearer tokid.toksecret"})
    assert (principal.auth_kind, principal.team_node_id) == ("team_token", "team-1")
    with pytest.raises(AuthError) as e:
        auth.authenticate({"authorization": "Bearer some-admin-token-0123456789abcdef0123"})
    assert e.value.code == "invalid_credentials"
    with pytest.raises(AuthError) as e:
        Authenticator.from_env({"TOKEN_PEPPER": PEPPER, "ADMIN_AUTH_MODE": "token"})
    assert e.value.code == "invalid_config"


def test_grants_resolve_from_claims() -> None:
    env = {
        "ADMIN_TOKEN": "break-glass-admin-token-0123456789abcdef",
        "OIDC_ENABLED": "1", "OIDC_ISSUER": "https://idp.example", "OIDC_AUDIENCE": "svc",
        "OIDC_JWKS_URL": "https://idp.example/jwks", "OIDC_GROUPS_CLAIM": "cognito:groups",
        "ADMIN_PERMISSIONS_DEFAULT": "", "ADMIN_GROUP_PERMISSIONS_JSON": '{"sre": ["admin:provision"]}',
    }
    claims = {"groups": ["ignored"], "cognito:groups": ["sre"]}
    assert Authenticator.from_env(env).grants_from_claims(claims) == ["admin:provision"]
    policy = RbacPolicy.from_env(env)
    assert policy.resolve_claims(claims) == []
    assert policy.resolve_claims(claims, "cognito:groups") == ["admin:provision"]
    with pytest.raises(AuthError) as e:
        policy.resolve_claims({"groups": {"sre": True}})
    assert e.value.code == "invalid_claim"
    assert admin_token_grants() == ["admin:*"]
