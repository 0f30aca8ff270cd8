"""The verified-token cache from Python: on by default, configurable, never serving a bad token.

The core's own tests prove the cache never returns an expired, revoked or removed-key token; these
prove the Python constructors reach it and a hit reads back the same claims.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from support import AUDIENCE, ISSUER, bearer, mint_oidc, oidc_admin_env, oidc_claims, oidc_jwks

from incidentfox_auth import (
    Authenticator,
    AuthError,
    ImpersonationSigner,
    ImpersonationVerifier,
    InvalidConfigError,
    NotAdminError,
    OidcValidator,
)

SECRET = "cache-test-secret-0123456789abcdef"


def validator(**overrides: Any) -> OidcValidator:
    return OidcValidator(
        issuer=ISSUER,
        audience=AUDIENCE,
        jwks_json=oidc_jwks("es256"),
        algorithms=["ES256"],
        **overrides,
    )


def fresh_token() -> str:
    now = time.time()
    claims = oidc_claims(iat=now - 5, exp=now + 600, groups=["sre", "incidentfox-config-admin"])
    return mint_oidc(claims, "es256")


def test_a_repeat_is_a_hit_with_the_same_claims_and_identity() -> None:
    v = validator()
    token = fresh_token()
    first = v.verify(token)
    assert v.verified_cache_len() == 1
    again = v.verify(token)
    assert v.verified_cache_len() == 1
    assert again.claims == first.claims
    assert (again.subject, again.email, again.groups) == (first.subject, first.email, first.groups)
    assert v.verify_cached(token).claims == first.claims


def test_an_explicit_now_never_uses_the_cache() -> None:
    v = validator()
    token = fresh_token()
    v.verify(token, now=time.time())
    assert v.verified_cache_len() == 0


@pytest.mark.parametrize("settings", [{"verified_cache_ttl": 0}, {"verified_cache_max_entries": 0}])
def test_the_cache_can_be_turned_off(settings: dict[str, Any]) -> None:
    v = validator(**settings)
    token = fresh_token()
    v.verify(token)
    v.verify(token)
    assert v.verified_cache_len() == 0


def test_a_bad_ttl_is_invalid_config() -> None:
    for ttl in (-1.0, float("nan"), float("inf")):
        with pytest.raises(InvalidConfigError) as caught:
            validator(verified_cache_ttl=ttl)
        assert caught.value.code == "invalid_config"


def test_a_tampered_repeat_is_not_a_hit() -> None:
    v = validator()
    token = fresh_token()
    v.verify(token)
    head, payload, signature = token.split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    with pytest.raises(AuthError) as caught:
        v.verify(f"{head}.{payload}.{flipped}")
    assert caught.value.code == "invalid_signature"


def test_impersonation_verifier_takes_the_cache_settings() -> None:
    minted = ImpersonationSigner(SECRET).mint(org_id="o", team_node_id="t", subject="s")
    choices: list[dict[str, Any]] = [
        {},
        {"verified_cache_ttl": 0},
        {"verified_cache_ttl": 60.0, "verified_cache_max_entries": 10},
    ]
    for settings in choices:
        verifier = ImpersonationVerifier(SECRET, **settings)
        assert verifier.verify(minted.token).jti == minted.jti
        assert verifier.verify(minted.token).jti == minted.jti
    with pytest.raises(InvalidConfigError):
        ImpersonationVerifier(SECRET, verified_cache_ttl=-5)


def test_a_repeat_is_answered_by_the_awaitables_too() -> None:
    """``verify_async`` and ``authenticate_async`` answer a cache hit without the runtime: an
    asyncio future that is already done, with the same result (and the same refusal)."""
    async def scenario() -> None:
        v = validator()
        token = fresh_token()
        first = await v.verify_async(token)
        hit = v.verify_async(token)
        assert isinstance(hit, asyncio.Future) and hit.done()
        assert (await hit).claims == first.claims
        # An explicit `now` takes the full path, through the runtime: not settled yet.
        full = v.verify_async(token, now=time.time())
        assert isinstance(full, asyncio.Future) and not full.done()
        assert (await full).claims == first.claims

        auth = Authenticator.from_env(oidc_admin_env())
        me = (await auth.authenticate_async(bearer(token))).to_dict()
        again = auth.authenticate_async(bearer(token))
        assert isinstance(again, asyncio.Future) and again.done()
        assert (await again).to_dict() == me

        # A cached token whose holder is refused: the same refusal, raised by the awaitable.
        now = time.time()
        outsider = mint_oidc(oidc_claims(iat=now - 5, exp=now + 600, groups=["sre"]), "es256")
        for _ in range(2):
            with pytest.raises(NotAdminError):
                await auth.authenticate_async(bearer(outsider))

        signer = ImpersonationSigner(secret=SECRET)
        verifier = ImpersonationVerifier(secret=SECRET)
        minted = await signer.mint_async(org_id="org-1", team_node_id="team-1", subject="okta|admin")
        verified = await verifier.verify_async(minted.token)
        cached = verifier.verify_async(minted.token)
        assert isinstance(cached, asyncio.Future) and cached.done()
        assert (await cached).claims == verified.claims

    asyncio.run(scenario())
