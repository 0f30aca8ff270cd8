"""Values the library did not expect are refused, never compared: a clock that is not a finite
number, a leeway out of range, a short secret, and team-token rows in every shape a real lookup
returns (``datetime``, Pydantic's ``model_dump(mode="json")``, NaN, booleans)."""

from __future__ import annotations

import asyncio
import json
import math
from datetime import datetime, timedelta, timezone
from typing import Any

import pydantic
import pytest
from support import load_vectors

from incidentfox_auth import (
    AuthError,
    Authenticator,
    ImpersonationSigner,
    ImpersonationVerifier,
    OidcValidator,
    generate_team_token,
)

ATTACKS = load_vectors("attacks.json")
SECRET = "impersonation-test-secret-0123456789abcdef"
ADMIN = "break-glass-admin-token-0123456789abcdef"
PEPPER = "pepper-for-the-fail-closed-tests"
NOT_FINITE = [math.nan, math.inf, -math.inf]
NOW = 1_700_000_000.0


def valid_rs256() -> str:
    token: str = next(c["token"] for c in ATTACKS["cases"] if c["name"] == "valid_rs256")
    return token


def validator(**options: Any) -> OidcValidator:
    settings = ATTACKS["validator"]
    return OidcValidator(
        issuer=settings["issuer"],
        audience=settings["audiences"],
        jwks_json=json.dumps(ATTACKS["jwks"]),
        algorithms=settings["algorithms"],
        **options,
    )


def run(make: Any) -> Any:
    """Awaits ``make()`` inside a running event loop (the awaitables need one)."""

    async def go() -> Any:
        return await make()

    return asyncio.run(go())


def code_of(call: Any) -> str:
    with pytest.raises(AuthError) as caught:
        call()
    return caught.value.code


@pytest.mark.parametrize("now", NOT_FINITE)
def test_a_clock_that_is_not_finite_is_refused_by_oidc_verification(now: float) -> None:
    v = validator()
    token = valid_rs256()
    assert code_of(lambda: v.verify(token, now=4e9)) == "token_expired"
    assert code_of(lambda: v.verify(token, now=now)) == "invalid_config"
    assert code_of(lambda: v.verify_cached(token, now=now)) == "invalid_config"
    assert code_of(lambda: run(lambda: v.verify_async(token, now=now))) == "invalid_config"


@pytest.mark.parametrize("now", NOT_FINITE)
def test_a_clock_that_is_not_finite_is_refused_by_impersonation_verification(now: float) -> None:
    minted = ImpersonationSigner(SECRET).mint(org_id="o", team_node_id="t", subject="a", now=1000)
    v = ImpersonationVerifier(SECRET)
    assert code_of(lambda: v.verify(minted.token, now=1e12)) == "token_expired"
    assert code_of(lambda: v.verify(minted.token, now=now)) == "invalid_config"
    assert code_of(lambda: run(lambda: v.verify_async(minted.token, now=now))) == "invalid_config"


@pytest.mark.parametrize("now", NOT_FINITE)
def test_a_clock_that_is_not_finite_is_refused_by_the_authenticator(now: float) -> None:
    auth = Authenticator.from_env({"ADMIN_TOKEN": ADMIN})
    headers = {"Authorization": f"Bearer {ADMIN}"}
    assert auth.authenticate(headers, now=NOW).role == "admin"
    assert code_of(lambda: auth.authenticate(headers, now=now)) == "invalid_config"
    assert code_of(lambda: run(lambda: auth.authenticate_async(headers, now=now))) == "invalid_config"


@pytest.mark.parametrize("leeway", [math.nan, math.inf, -1.0, 301.0, 1e308])
def test_a_leeway_out_of_range_is_invalid_config(leeway: float) -> None:
    assert code_of(lambda: validator(leeway=leeway)) == "invalid_config"
    env = {"IMPERSONATION_JWT_SECRET": SECRET, "IMPERSONATION_LEEWAY_SECONDS": str(leeway)}
    assert code_of(lambda: ImpersonationVerifier.from_env(env)) == "invalid_config"


def test_ttls_are_bounded_and_never_wrap() -> None:
    signer = ImpersonationSigner(SECRET)
    huge = 9_223_372_036_854_775_807
    assert code_of(lambda: signer.mint(org_id="o", team_node_id="t", subject="a", ttl_seconds=huge)) == "invalid_config"
    assert code_of(lambda: ImpersonationSigner(SECRET, ttl_seconds=86_401)) == "invalid_config"
    assert signer.mint(org_id="o", team_node_id="t", subject="a", ttl_seconds=86_400, now=0).expires_at == 86_400


def test_short_secrets_need_the_legacy_opt_out() -> None:
    for secret in ["a", "x" * 31]:
        assert code_of(lambda: ImpersonationSigner(secret)) == "invalid_config"
        assert code_of(lambda: ImpersonationVerifier(secret)) == "invalid_config"
    assert code_of(lambda: Authenticator.from_env({"ADMIN_TOKEN": "a"})) == "invalid_config"
    opted_out = {"ADMIN_TOKEN": "a", "IMPERSONATION_JWT_SECRET": "b", "AUTH_ALLOW_SHORT_SECRETS": "1"}
    auth = Authenticator.from_env(opted_out)
    assert auth.authenticate({"Authorization": "Bearer a"}, now=NOW).role == "admin"


class Row(pydantic.BaseModel):
    """A row as a service's Pydantic model holds it."""

    org_id: str
    team_node_id: str | None
    token_id: str
    token_hash: str
    revoked_at: datetime | None = None
    expires_at: datetime | None = None


class Lookup:
    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row

    def lookup(self, token_id: str) -> dict[str, Any] | None:
        return self.row if token_id == self.row["token_id"] else None


def outcome_with(**times: Any) -> str:
    made = generate_team_token(PEPPER)
    row = {"org_id": "org-1", "team_node_id": "team-1", "token_id": made["token_id"], "token_hash": made["token_hash"]}
    row.update(times)
    auth = Authenticator.from_env({"ADMIN_TOKEN": ADMIN, "TOKEN_PEPPER": PEPPER}, team_token_lookup=Lookup(row))
    try:
        principal = auth.authenticate({"Authorization": f"Bearer {made['token']}"}, now=NOW)
    except AuthError as e:
        return e.code
    return principal.auth_kind


PAST = datetime.fromtimestamp(NOW - 60, tz=timezone.utc)
FUTURE = datetime.fromtimestamp(NOW + 3600, tz=timezone.utc)


@pytest.mark.parametrize(
    ("times", "expected"),
    [
        ({}, "team_token"),
        ({"revoked_at": None, "expires_at": None}, "team_token"),
        ({"expires_at": NOW + 60}, "team_token"),
        ({"expires_at": FUTURE}, "team_token"),
        ({"expires_at": FUTURE.isoformat()}, "team_token"),
        ({"revoked_at": PAST}, "token_revoked"),
        ({"revoked_at": NOW - 1}, "token_revoked"),
        ({"revoked_at": PAST.isoformat()}, "token_revoked"),
        ({"expires_at": PAST}, "token_expired"),
        ({"expires_at": PAST.astimezone(timezone(timedelta(hours=5)))}, "token_expired"),
        ({"expires_at": "2023-11-14T22:12:20Z"}, "token_expired"),
        # Shapes that used to read as "no time", so a revoked or expired token passed.
        ({"revoked_at": math.nan}, "lookup_unavailable"),
        ({"expires_at": math.nan}, "lookup_unavailable"),
        ({"expires_at": math.inf}, "lookup_unavailable"),
        ({"revoked_at": True}, "lookup_unavailable"),
        ({"revoked_at": "yes"}, "lookup_unavailable"),
        ({"expires_at": "NaN"}, "lookup_unavailable"),
        ({"expires_at": []}, "lookup_unavailable"),
        # A naive datetime names no zone: which instant it meant is a guess.
        ({"expires_at": PAST.replace(tzinfo=None)}, "lookup_unavailable"),
    ],
)
def test_rows_are_read_strictly(times: dict[str, Any], expected: str) -> None:
    assert outcome_with(**times) == expected


def test_pydantic_rows_dumped_as_json_keep_their_times() -> None:
    made = generate_team_token(PEPPER)
    for revoked, expected in [(None, "team_token"), (PAST, "token_revoked")]:
        row = Row(org_id="org-1", team_node_id="team-1", token_id=made["token_id"], token_hash=made["token_hash"],
                  revoked_at=revoked, expires_at=FUTURE)
        for dumped in [row.model_dump(mode="json"), row.model_dump()]:
            auth = Authenticator.from_env({"ADMIN_TOKEN": ADMIN, "TOKEN_PEPPER": PEPPER}, team_token_lookup=Lookup(dumped))
            try:
                got = auth.authenticate({"Authorization": f"Bearer {made['token']}"}, now=NOW).auth_kind
            except AuthError as e:
                got = e.code
            assert got == expected, dumped


def test_required_claims_add_to_exp_and_the_subject() -> None:
    from support import AUDIENCE, ISSUER, mint_oidc, oidc_claims, oidc_jwks

    v = OidcValidator(issuer=ISSUER, audience=AUDIENCE, jwks_json=oidc_jwks(), algorithms=["ES256"],
                      required_claims=["email"])
    claims = oidc_claims(email="a@example.com")
    assert v.verify(mint_oidc(claims), now=NOW).subject == "alice"
    for name in ["exp", "sub", "email"]:
        without = {k: val for k, val in claims.items() if k != name}
        assert code_of(lambda: v.verify(mint_oidc(without), now=NOW)) == "missing_claim", name


def test_an_oidc_subject_with_a_control_character_is_refused() -> None:
    from support import AUDIENCE, ISSUER, mint_oidc, oidc_claims, oidc_jwks

    v = OidcValidator(issuer=ISSUER, audience=AUDIENCE, jwks_json=oidc_jwks(), algorithms=["ES256"])
    for subject in ["alice\x00admin", "alice\nadmin", "", "   "]:
        token = mint_oidc(oidc_claims(sub=subject))
        assert code_of(lambda: v.verify(token, now=NOW)) == "invalid_claim", repr(subject)


class JwksServer:
    """A JWKS endpoint on loopback: ``served`` is what it answers, ``hits`` how often it was asked."""

    def __init__(self, served: dict[str, Any]) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.served = served
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the http.server spelling)
                outer.hits += 1
                body = json.dumps(outer.served).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/jwks"

    def validator(self, **env: str) -> OidcValidator:
        from support import AUDIENCE, ISSUER

        v = OidcValidator.from_env(
            {"OIDC_ENABLED": "1", "OIDC_ISSUER": ISSUER, "OIDC_AUDIENCE": AUDIENCE, "OIDC_JWKS_URL": self.url, **env}
        )
        assert v is not None
        return v

    def close(self) -> None:
        self.server.shutdown()


def test_an_oversized_token_never_drives_a_key_fetch() -> None:
    from support import mint_oidc, oidc_claims, public_jwk

    server = JwksServer({"keys": [public_jwk("rs256")]})
    try:
        v = server.validator()
        huge = mint_oidc(oidc_claims(pad="x" * 20_000), key="rs256", kid="a-kid-nobody-has")
        assert code_of(lambda: v.verify(huge)) == "token_too_large"
        assert code_of(lambda: run(lambda: v.verify_async(huge))) == "token_too_large"
        assert server.hits == 0, "an oversized token drove a fetch on a cold cache"
        auth = Authenticator.from_env({"ADMIN_TOKEN": ADMIN})
        assert code_of(lambda: auth.authenticate({"Authorization": f"Bearer {huge}"})) == "token_too_large"
    finally:
        server.close()


def test_a_key_replaced_under_the_same_kid_takes_its_cached_verdicts_with_it() -> None:
    """A cached verdict is bound to the key material that reached it, not to the kid: an IdP
    that replaces a compromised key under the same kid must not keep old verdicts alive."""
    import time

    from support import mint_oidc, oidc_claims, public_jwk

    server = JwksServer({"keys": [public_jwk("rs256")]})
    try:
        v = server.validator(OIDC_JWKS_MAX_AGE_SECONDS="0.2")
        now = int(time.time())
        token = mint_oidc(oidc_claims(iat=now, exp=now + 600), key="rs256")
        assert v.verify(token).subject == "alice"
        assert v.verified_cache_len() == 1
        # The same kid, other key material. Past max_age the stale set is served while a
        # background refresh fetches the new one; from then on the cached verdict matches no key.
        server.served = {"keys": [{**public_jwk("rs256_rotated"), "kid": public_jwk("rs256")["kid"]}]}
        time.sleep(0.3)
        deadline = time.monotonic() + 5
        outcome = "valid"
        while outcome == "valid" and time.monotonic() < deadline:
            try:
                v.verify(token)
            except AuthError as e:
                outcome = e.code
            time.sleep(0.05)
        assert outcome == "invalid_signature"
        assert code_of(lambda: v.verify(token)) == "invalid_signature"
    finally:
        server.close()


class AnsweringStore:
    """A JTI store whose ``contains`` answers ``answer``, whatever it is."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer

    def record(self, entry: dict[str, Any]) -> None:
        pass

    def contains(self, jti: str) -> Any:
        return self.answer

    def revoke(self, jti: str) -> Any:
        return self.answer


class AsyncAnsweringStore(AnsweringStore):
    async def contains(self, jti: str) -> Any:
        return self.answer


@pytest.mark.parametrize("answer", ["false", "true", [], [1], {"jti": "x"}, 1, 0, None, 1.0, b"\x01"])
@pytest.mark.parametrize("store_class", [AnsweringStore, AsyncAnsweringStore])
def test_a_store_answer_that_is_not_a_bool_is_refused(answer: Any, store_class: type[AnsweringStore]) -> None:
    store = store_class(answer)
    minted = ImpersonationSigner(SECRET).mint(org_id="o", team_node_id="t", subject="a")
    v = ImpersonationVerifier(SECRET, jti_require=True, jti_store=store)
    with pytest.raises(AuthError) as caught:
        v.verify(minted.token)
    assert caught.value.code == "jti_store_unavailable"
    # The type is named, never the value.
    assert f"`{type(answer).__name__}`, not a bool" in str(caught.value)
    if isinstance(answer, str):
        assert answer not in str(caught.value)


@pytest.mark.parametrize(("answer", "expected"), [(True, "ok"), (False, "jti_not_found")])
def test_a_store_answer_that_is_a_bool_decides(answer: bool, expected: str) -> None:
    minted = ImpersonationSigner(SECRET).mint(org_id="o", team_node_id="t", subject="a")
    v = ImpersonationVerifier(SECRET, jti_require=True, jti_store=AnsweringStore(answer))
    try:
        v.verify(minted.token)
        got = "ok"
    except AuthError as e:
        got = e.code
    assert got == expected
