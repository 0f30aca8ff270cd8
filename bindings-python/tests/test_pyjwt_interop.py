"""Interop with PyJWT, both ways.

- OIDC: tokens PyJWT signs with RS256, ES256, ES384 and EdDSA (the test keys) verify with
  ``OidcValidator(jwks_json=...)``; PyJWT's HS256 and ``none`` tokens are refused.
- Impersonation: tokens our ``ImpersonationSigner`` mints pass the agent runtime's PyJWT verification
  (``jwt.decode`` with its options plus its two post-decode checks), and tokens PyJWT mints
  as the config service does verify with ``ImpersonationVerifier``.
- The whole impersonation corpus: the agent runtime's PyJWT verdict (from ``scripts/pyjwt_vectors.py``, at a
  frozen clock) agrees with the library's on every case not marked ``stricter_than_services``.
"""

from __future__ import annotations

import importlib.util
import json
import time
import uuid
from typing import Any

import jwt
import pytest
from support import (
    AUDIENCE,
    ISSUER,
    NOW,
    REPO_ROOT,
    keys,
    load_vectors,
    mint_oidc,
    oidc_claims,
    oidc_jwks,
    report,
)

from incidentfox_auth import (
    AuthError,
    ImpersonationSigner,
    ImpersonationVerifier,
    OidcValidator,
)

SECRET = "pyjwt-interop-secret-0123456789abcdef"
IMP_ISSUER = "incidentfox-config-service"
IMP_AUDIENCE = "incidentfox-agent-runtime"
REQUIRED = ["exp", "iat", "sub", "org_id", "team_node_id", "ifx_kind", "scope", "jti"]


def validator(**overrides: Any) -> OidcValidator:
    settings: dict[str, Any] = {
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "jwks_json": oidc_jwks("rs256", "es256", "es384", "eddsa"),
        "algorithms": ["RS256", "ES256", "ES384", "EdDSA"],
        **overrides,
    }
    return OidcValidator(**settings)


# --- OIDC: PyJWT signs, we verify.


@pytest.mark.parametrize("key", ["rs256", "es256", "es384", "eddsa"])
def test_pyjwt_oidc_tokens_verify(key: str) -> None:
    claims = oidc_claims(
        email="alice@example.com", groups=["sre", "incidentfox-config-admin"],
        org_id="org-1", team_node_id="team-1", nbf=NOW - 60, jti=uuid.uuid4().hex,
    )
    token = mint_oidc(claims, key=key)
    for verified in (
        validator().verify_cached(token, now=NOW),
        validator().verify(token, now=NOW),
    ):
        assert verified.subject == "alice"
        assert verified.email == "alice@example.com"
        assert verified.groups == ["sre", "incidentfox-config-admin"]
        assert (verified.org_id, verified.team_node_id) == ("org-1", "team-1")
        assert verified.claims == claims


def test_pyjwt_oidc_tokens_verify_at_the_real_clock() -> None:
    now = int(time.time())
    token = mint_oidc(oidc_claims(iat=now, exp=now + 300), key="rs256")
    assert validator().verify_cached(token).subject == "alice"
    expired = mint_oidc(oidc_claims(iat=now - 600, exp=now - 300), key="rs256")
    with pytest.raises(AuthError) as e:
        validator().verify_cached(expired)
    assert e.value.code == "token_expired"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"iss": "https://evil.example"}, "invalid_issuer"),
        ({"aud": "someone-else"}, "invalid_audience"),
        ({"exp": NOW - 3600}, "token_expired"),
        ({"nbf": NOW + 3600}, "token_not_yet_valid"),
        ({"exp": str(NOW + 3600)}, "invalid_claim"),
    ],
)
def test_pyjwt_oidc_tokens_with_bad_claims_are_refused(change: dict[str, Any], code: str) -> None:
    token = mint_oidc({**oidc_claims(), **change}, key="es256")
    with pytest.raises(AuthError) as e:
        validator().verify_cached(token, now=NOW)
    assert e.value.code == code


def test_pyjwt_hmac_and_none_tokens_are_refused() -> None:
    hs = jwt.encode(oidc_claims(), "a-shared-secret-of-some-length-0123", algorithm="HS256",
                    headers={"kid": "rs256-1"})
    none = jwt.encode(oidc_claims(), "", algorithm="none", headers={"kid": "rs256-1"})
    for token in (hs, none):
        with pytest.raises(AuthError) as e:
            validator().verify_cached(token, now=NOW)
        assert e.value.code == "algorithm_not_allowed", token


def test_a_pyjwt_token_signed_by_an_unknown_key_is_refused() -> None:
    token = mint_oidc(oidc_claims(), key="rs256_rotated")  # kid rs256-2, not in the set
    with pytest.raises(AuthError) as e:
        validator().verify_cached(token, now=NOW)
    assert e.value.code == "unknown_key_id"


# --- Impersonation: we mint, the agent runtime's PyJWT verification accepts.


def runtime_decode(token: str, *, secret: str = SECRET, audiences: list[str] | None = None) -> dict[str, Any]:
    """The agent runtime's verification, at the real clock."""
    claims: dict[str, Any] = jwt.decode(
        token,
        secret,
        algorithms=["HS256"],
        audience=audiences or [IMP_AUDIENCE],
        issuer=IMP_ISSUER,
        leeway=0,
        options={"require": REQUIRED},
    )
    assert claims["ifx_kind"] in {"team_impersonation", "visitor"}
    scope = claims["scope"]
    assert "team:read" in ([scope] if isinstance(scope, str) else scope)
    return claims


def test_our_impersonation_tokens_verify_under_the_agent_runtimes_pyjwt_rules() -> None:
    signer = ImpersonationSigner(SECRET)
    minted = signer.mint(org_id="org-1", team_node_id="team-1", subject="okta|admin",
                         email="admin@example.com")
    assert jwt.get_unverified_header(minted.token) == {"alg": "HS256", "typ": "JWT"}
    claims = runtime_decode(minted.token)
    assert list(claims) == [
        "iss", "aud", "sub", "email", "org_id", "team_node_id", "ifx_kind", "scope", "iat", "exp", "jti",
    ]
    assert claims["sub"] == "okta|admin" and claims["email"] == "admin@example.com"
    assert (claims["org_id"], claims["team_node_id"]) == ("org-1", "team-1")
    assert claims["ifx_kind"] == "team_impersonation" and claims["scope"] == ["team:read"]
    assert claims["exp"] - claims["iat"] == 900
    assert claims["jti"] == minted.jti and claims["exp"] == minted.expires_at
    assert minted.to_dict()["token"] == minted.token


def test_our_impersonation_token_without_email_writes_null() -> None:
    minted = ImpersonationSigner(SECRET).mint(org_id="o", team_node_id="t", subject="s", ttl_seconds=30)
    claims = runtime_decode(minted.token)
    assert claims["email"] is None
    assert claims["exp"] - claims["iat"] == 60  # raised to the 60 s minimum, as the config service does


def test_our_visitor_tokens_verify_under_the_agent_runtimes_pyjwt_rules() -> None:
    minted = ImpersonationSigner(SECRET).mint_visitor(org_id="org-1", team_node_id="team-1",
                                                      session_id="vs-1")
    claims = runtime_decode(minted.token)
    assert claims["sub"] == "visitor:vs-1" and claims["visitor_session_id"] == "vs-1"
    assert claims["ifx_kind"] == "visitor" and claims["scope"] == ["team:read", "agent:invoke"]
    assert claims["exp"] - claims["iat"] == 1800


def test_our_tokens_for_a_custom_audience() -> None:
    minted = ImpersonationSigner(SECRET, audience="staging-runtime").mint(
        org_id="o", team_node_id="t", subject="s")
    assert runtime_decode(minted.token, audiences=["staging-runtime"])["aud"] == "staging-runtime"
    with pytest.raises(jwt.InvalidAudienceError):
        runtime_decode(minted.token)


# --- Impersonation: PyJWT mints as the config service does, we verify.


def config_service_mint(*, visitor: bool = False, secret: str = SECRET, iat: int | None = None,
                ttl: int = 900, audience: str = IMP_AUDIENCE, email: str | None = "admin@example.com") -> str:
    iat = int(time.time()) if iat is None else iat
    claims: dict[str, Any]
    if visitor:
        claims = {
            "iss": IMP_ISSUER, "aud": audience, "sub": "visitor:vs-9", "org_id": "org-1",
            "team_node_id": "team-1", "ifx_kind": "visitor", "visitor_session_id": "vs-9",
            "scope": ["team:read", "agent:invoke"], "iat": iat, "exp": iat + max(60, ttl),
            "jti": uuid.uuid4().hex,
        }
    else:
        claims = {
            "iss": IMP_ISSUER, "aud": audience, "sub": "okta|admin", "email": email,
            "org_id": "org-1", "team_node_id": "team-1", "ifx_kind": "team_impersonation",
            "scope": ["team:read"], "iat": iat, "exp": iat + max(60, ttl), "jti": uuid.uuid4().hex,
        }
    token: str = jwt.encode(claims, secret, algorithm="HS256")
    return token


def test_pyjwt_impersonation_tokens_verify_with_our_verifier() -> None:
    verifier = ImpersonationVerifier(SECRET)
    verified = verifier.verify(config_service_mint())
    assert verified.kind == "team_impersonation"
    assert json.dumps(verified.principal().to_dict()) == json.dumps({
        "role": "team", "auth_kind": "impersonation", "org_id": "org-1", "team_node_id": "team-1",
        "subject": "okta|admin", "email": "admin@example.com", "can_write": False,
        "permissions": ["team:read"],
    })
    visitor = verifier.verify(config_service_mint(visitor=True))
    assert visitor.kind == "visitor" and visitor.visitor_session_id == "vs-9"
    assert visitor.principal().permissions == ["team:read", "agent:invoke"]
    assert verifier.verify(config_service_mint(email=None)).email is None


@pytest.mark.parametrize(
    ("token_args", "code"),
    [
        ({"secret": "a-different-secret-the-verifier-does-not-know"}, "invalid_signature"),
        ({"iat": int(time.time()) - 1000}, "token_expired"),
        ({"iat": int(time.time()) + 600}, "token_issued_in_future"),
        ({"audience": "incidentfox-web-ui"}, "invalid_audience"),
    ],
)
def test_bad_pyjwt_impersonation_tokens_are_refused(token_args: dict[str, Any], code: str) -> None:
    with pytest.raises(AuthError) as e:
        ImpersonationVerifier(SECRET).verify(config_service_mint(**token_args))
    assert e.value.code == code


def test_legacy_audience_only_with_the_switch() -> None:
    token = config_service_mint(audience="incidentfox-config-service")
    with pytest.raises(AuthError) as e:
        ImpersonationVerifier(SECRET).verify(token)
    assert e.value.code == "invalid_audience"
    assert ImpersonationVerifier(SECRET, accept_legacy_audience=True).verify(token).org_id == "org-1"


# --- The corpus: the agent runtime's verdict (PyJWT) against ours.


def pyjwt_rules() -> Any:
    path = REPO_ROOT / "scripts" / "pyjwt_vectors.py"
    spec = importlib.util.spec_from_file_location("pyjwt_vectors", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_agent_runtimes_pyjwt_verdict_agrees_on_every_impersonation_vector() -> None:
    rules = pyjwt_rules()
    doc = load_vectors("impersonation.json")
    failures = []
    for case in doc["cases"]:
        config = {**doc["config"], **case.get("config", {})}
        now = case.get("now", doc["now"])
        legacy = rules.pyjwt_verdict(case["token"], doc["secret"], config, now)
        ours = ImpersonationVerifier(
            doc["secret"], audience=config["audience"],
            accept_legacy_audience=config["accept_legacy_audience"],
        )
        try:
            ours.verify(case["token"], now=float(now))
            ours_valid = True
        except AuthError:
            ours_valid = False
        if (legacy == "valid") == ours_valid:
            continue
        if legacy == "valid" and case.get("stricter_than_services"):
            continue  # refused on purpose, with the reason in the vector
        failures.append(f"{case['name']}: PyJWT says {legacy}, the library says "
                        f"{'valid' if ours_valid else 'refused'}")
    report(failures, len(doc["cases"]), "impersonation verdicts")


def test_the_keys_are_the_vector_keys() -> None:
    jwks = load_vectors("attacks.json")["jwks"]
    kids = {k["kid"] for k in jwks["keys"]}
    assert {keys()[k]["kid"] for k in ("rs256", "es256", "eddsa")} <= kids
