"""What an operator sees from Python: the core's events as ``logging`` records on the
``incidentfox_auth.<area>`` loggers, the counters (``stats()``, ``openmetrics()``, the
``prometheus_client`` collector), ``health()``, and the FastAPI ``/metrics`` and ``/healthz``.

Real servers throughout: a JWKS endpoint on loopback that can fail, Python JTI stores and
lookups that raise. The same scenarios as ``core/tests/observe.rs`` (a key-set outage and
recovery, a rotation, a JTI store outage, a burst of bad tokens), then the redaction search over
every record, and the proof that with ``DEBUG`` off a successful verification never calls into
``logging``."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.openmetrics import parser as openmetrics_parser
from prometheus_client.parser import text_string_to_metric_families
from support import AUDIENCE, ISSUER, outcome

import incidentfox_auth
from incidentfox_auth import (
    AuthError,
    Authenticator,
    ImpersonationSigner,
    ImpersonationVerifier,
    OidcValidator,
    generate_team_token,
    openmetrics,
    refresh_log_level,
)
from incidentfox_auth.fastapi import OPENMETRICS_CONTENT_TYPE, observability_router
from incidentfox_auth.prometheus import AuthCollector

AREAS = ("keys", "jti", "lookup", "login", "config", "verify")
SECRET = "observability-test-secret-0123456789abcdef-XYZ"
STORE_PASSWORD = "pg-password-s3cr3t-observability"
ADMIN_TOKEN = "break-glass-admin-token-observability-0123456789"
PEPPER = "pepper-for-the-observability-tests"


# --- capturing records


class Records(logging.Handler):
    """Every record that reaches the ``incidentfox_auth`` logger, from any thread."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []
        self.guard = threading.Lock()
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(threadName)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        with self.guard:
            self.records.append(record)

    def all(self) -> list[logging.LogRecord]:
        with self.guard:
            return list(self.records)

    def named(self, event: str) -> list[logging.LogRecord]:
        return [r for r in self.all() if getattr(r, "event", None) == event]

    def wait_for(self, event: str, count: int = 1) -> list[logging.LogRecord]:
        eventually(lambda: len(self.named(event)) >= count, f"{count} × {event}")
        return self.named(event)

    def shown(self) -> list[str]:
        """Each record in full: as a handler formats it, and every attribute (``extra`` too)."""
        return [self.format(r) + "\n" + repr(vars(r)) for r in self.all()]


def eventually(condition: Callable[[], bool], what: str = "the condition", timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


@pytest.fixture
def capture() -> Iterator[Callable[[int], Records]]:
    """``capture(level)``: sets the ``incidentfox_auth`` logger to ``level``, applies it at once
    (``refresh_log_level``) and collects its records; undone after the test."""
    parent = logging.getLogger("incidentfox_auth")
    before = parent.level
    handlers: list[Records] = []

    def start(level: int) -> Records:
        handler = Records()
        parent.addHandler(handler)
        handlers.append(handler)
        parent.setLevel(level)
        refresh_log_level()
        return handler

    yield start
    for handler in handlers:
        parent.removeHandler(handler)
    parent.setLevel(before)
    refresh_log_level()


def fields(record: logging.LogRecord) -> dict[str, Any]:
    value: dict[str, Any] = getattr(record, "fields")
    return value


def assert_redacted(records: Records, secrets: list[str]) -> None:
    """No record carries any of ``secrets``, nor a token's payload or signature segment."""
    needles = set()
    for secret in secrets:
        needles.add(secret)
        needles.update(part for part in secret.split(".") if len(part) >= 16)
    shown = records.shown()
    assert shown, "nothing was captured"
    for text in shown:
        for needle in needles:
            assert needle not in text, f"a record carries a secret ({needle[:12]}...): {text}"


# --- keys, tokens and a JWKS endpoint


def ec_key(kid: str) -> tuple[ec.EllipticCurvePrivateKey, dict[str, Any]]:
    private = ec.generate_private_key(ec.SECP256R1())
    jwk: dict[str, Any] = jwt.algorithms.ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
    jwk.update(kid=kid, alg="ES256", use="sig")
    return private, jwk


def sign(private: ec.EllipticCurvePrivateKey, kid: str, **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "user-1", "iat": now, "exp": now + 600, **claims}
    return jwt.encode(body, private, algorithm="ES256", headers={"kid": kid})


class JwksServer:
    """A JWKS endpoint on loopback answering ``served`` with ``status``; ``hits`` counts asks."""

    def __init__(self, served: dict[str, Any]) -> None:
        self.served = served
        self.status = 200
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the http.server spelling)
                outer.hits += 1
                body = json.dumps(outer.served if outer.status == 200 else {"error": "down"}).encode()
                self.send_response(outer.status)
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

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "OIDC_ENABLED": "1",
            "OIDC_ISSUER": ISSUER,
            "OIDC_AUDIENCE": AUDIENCE,
            "OIDC_JWKS_URL": self.url,
            "OIDC_ALG": "ES256",
            "OIDC_JWKS_TIMEOUT_SECONDS": "1",
            **extra,
        }

    def validator(self, **extra: str) -> OidcValidator:
        v = OidcValidator.from_env(self.env(**extra))
        assert v is not None
        return v

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def jwks() -> Iterator[Callable[[dict[str, Any]], JwksServer]]:
    servers: list[JwksServer] = []

    def start(served: dict[str, Any]) -> JwksServer:
        servers.append(JwksServer(served))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def openmetrics_families(text: str) -> Iterator[Metric]:
    """``text`` read by ``prometheus_client``'s OpenMetrics parser, which raises on anything
    that is not valid OpenMetrics."""
    families: Iterator[Metric] = openmetrics_parser.text_string_to_metric_families(text)  # type: ignore[no-untyped-call]
    return families


def inline_validator(*jwks: dict[str, Any]) -> OidcValidator:
    return OidcValidator(
        issuer=ISSUER, audience=AUDIENCE, jwks_json=json.dumps({"keys": list(jwks)}), algorithms=["ES256"]
    )


def count(stats: dict[str, Any], kind: str, outcome: str) -> int:
    return sum(c["count"] for c in stats["verifications"] if c["kind"] == kind and c["outcome"] == outcome)


class FlakyStore:
    """A JTI store that can be switched off; its errors name a database URL with a password, as
    a real driver's might."""

    def __init__(self) -> None:
        self.jtis: set[str] = set()
        self.down = False

    def _check(self) -> None:
        if self.down:
            raise ConnectionError(f"connect to postgres://auth:{STORE_PASSWORD}@db:5432 refused")

    def record(self, entry: dict[str, Any]) -> None:
        self._check()
        self.jtis.add(entry["jti"])

    def contains(self, jti: str) -> bool:
        self._check()
        return jti in self.jtis

    def revoke(self, jti: str) -> bool:
        self._check()
        found = jti in self.jtis
        self.jtis.discard(jti)
        return found


# --- the scenarios


def test_a_key_set_outage_is_logged_fetched_failed_stale_then_recovered(
    capture: Callable[[int], Records], jwks: Callable[[dict[str, Any]], JwksServer]
) -> None:
    log = capture(logging.DEBUG)
    private, jwk = ec_key("a")
    server = jwks({"keys": [jwk]})
    v = server.validator(
        OIDC_JWKS_MAX_AGE_SECONDS="0.3", OIDC_JWKS_COOLDOWN_SECONDS="0.4", OIDC_JWKS_MAX_STALE_SECONDS="30"
    )
    token = sign(private, "a")

    assert v.verify(token).subject == "user-1"
    [fetched] = log.named("jwks.fetched")
    assert fetched.name == "incidentfox_auth.keys" and fetched.levelno == logging.INFO
    f = fields(fetched)
    assert (f["source"], f["trigger"], f["keys_loaded"], f["keys_dropped"]) == (server.url, "expiry", 1, 0)
    assert f["duration_ms"] >= 0
    message = fetched.getMessage()
    assert message.startswith("jwks.fetched ")
    assert f"source={server.url}" in message and "keys_loaded=1" in message and "trigger=expiry" in message

    # The IdP fails; past max_age the stale set is served while a background fetch fails.
    server.status = 500
    time.sleep(0.45)
    for _ in range(3):
        assert v.verify(token).subject == "user-1"
    [failed] = log.wait_for("jwks.fetch_failed")
    assert failed.name == "incidentfox_auth.keys" and failed.levelno == logging.WARNING
    f = fields(failed)
    assert (f["code"], f["trigger"], f["serving"]) == ("jwks_unavailable", "background", True)
    assert f["serving_age_seconds"] > 0.3
    assert "code=jwks_unavailable" in failed.getMessage()
    # Reported once per set, counted per verification.
    [stale] = log.named("jwks.stale_served")
    assert stale.name == "incidentfox_auth.keys" and stale.levelno == logging.WARNING
    assert fields(stale)["age_seconds"] > 0.3 and fields(stale)["stale_seconds"] > 0
    stats = v.stats()
    assert stats["jwks"]["stale_served"] == 3
    assert (stats["jwks"]["fetches_ok"], stats["jwks"]["fetches_failed"]) == (1, 1)
    assert stats["jwks"]["stale_seconds"] > 0
    health = v.health()
    assert health["ready"] is True, "a stale set still serves"
    assert health["jwks"]["stale"] is True
    assert (health["jwks"]["last_fetch_ok"], health["jwks"]["last_fetch_code"]) == (False, "jwks_unavailable")

    # The IdP recovers: past the cooldown the next verification's background fetch succeeds.
    server.status = 200
    time.sleep(0.5)
    assert v.verify(token).subject == "user-1"
    log.wait_for("jwks.fetched", 2)
    eventually(lambda: v.stats()["jwks"]["stale_seconds"] == 0, "the fresh set")
    stats = v.stats()
    assert (stats["jwks"]["fetches_ok"], stats["jwks"]["fetches_failed"]) == (2, 1)
    assert stats["jwks"]["fetch_latency"]["count"] == 3
    assert v.health()["jwks"]["last_fetch_ok"] is True
    # Five verifications, all passed; four answered from the verified-token cache.
    assert count(stats, "oidc", "ok") == 5 and len(stats["verifications"]) == 1
    assert stats["verified_cache"] == {"hits": 4, "misses": 1}
    outcomes = log.named("verification")
    assert len(outcomes) == 5
    assert all(r.name == "incidentfox_auth.verify" and r.levelno == logging.DEBUG for r in outcomes)
    assert all(fields(r) == {"kind": "oidc", "outcome": "ok"} for r in outcomes)
    assert_redacted(log, [token])


def test_a_rotation_refetches_and_the_cooldown_refuses_the_next_unknown_kid(
    capture: Callable[[int], Records], jwks: Callable[[dict[str, Any]], JwksServer]
) -> None:
    log = capture(logging.INFO)
    (a, a_jwk), (b, b_jwk) = ec_key("a"), ec_key("b")
    server = jwks({"keys": [a_jwk]})
    v = server.validator(OIDC_JWKS_MAX_AGE_SECONDS="30", OIDC_JWKS_COOLDOWN_SECONDS="0.3")
    first = sign(a, "a")
    v.verify(first)

    server.served = {"keys": [a_jwk, b_jwk]}
    time.sleep(0.4)
    rotated = sign(b, "b")
    assert v.verify(rotated).subject == "user-1"
    [refetch] = log.named("jwks.unknown_kid_refetch")
    assert refetch.name == "incidentfox_auth.keys" and refetch.levelno == logging.INFO
    assert fields(refetch) == {}
    fetched = log.named("jwks.fetched")
    assert len(fetched) == 2
    assert (fields(fetched[1])["trigger"], fields(fetched[1])["keys_loaded"]) == ("unknown_kid", 2)

    # Within the cooldown, an unknown kid is refused without a fetch.
    stranger_kid = "kid-a-caller-chose-7f3a"
    stranger = sign(ec_key(stranger_kid)[0], stranger_kid)
    hits = server.hits
    with pytest.raises(AuthError) as refused_error:
        v.verify(stranger)
    assert refused_error.value.code == "unknown_key_id"
    assert server.hits == hits
    [refused] = log.named("jwks.unknown_kid_refused")
    assert fields(refused) == {"reason": "cooldown"}
    assert refused.getMessage() == "jwks.unknown_kid_refused reason=cooldown"

    stats = v.stats()
    assert (stats["jwks"]["unknown_kid_refetches"], stats["jwks"]["unknown_kid_refused"]) == (1, 1)
    assert stats["jwks"]["keys"] == 2
    assert count(stats, "oidc", "ok") == 2 and count(stats, "oidc", "unknown_key_id") == 1
    # At INFO, no verification outcome is logged; and no record names the kid a caller chose.
    assert log.named("verification") == []
    assert not any(stranger_kid in text for text in log.shown())
    assert_redacted(log, [first, rotated, stranger])


def test_a_jti_store_outage_is_logged_counted_and_unready(capture: Callable[[int], Records]) -> None:
    log = capture(logging.INFO)
    store = FlakyStore()
    signer = ImpersonationSigner(SECRET, jti_require=True, jti_store=store)
    verifier = ImpersonationVerifier(SECRET, jti_require=True, jti_store=store)
    minted = signer.mint(org_id="org-1", team_node_id="team-1", subject="admin@example.com")
    assert verifier.verify(minted.token).subject == "admin@example.com"
    assert verifier.health() == {"ready": True, "jwks": None, "jti_store": {"reachable": True, "code": None}}

    store.down = True
    for _ in range(4):
        with pytest.raises(AuthError) as caught:
            verifier.verify(minted.token)
        assert caught.value.code == "jti_store_unavailable"
    health = verifier.health()
    assert health["ready"] is False
    assert health["jti_store"] == {"reachable": False, "code": "jti_store_unavailable"}
    failed = log.named("jti_store.failed")
    assert len(failed) == 5, "four verifications and the health probe"
    for record in failed:
        assert record.name == "incidentfox_auth.jti" and record.levelno == logging.WARNING
        f = fields(record)
        assert (f["operation"], f["code"]) == ("contains", "jti_store_unavailable")
        assert f["duration_ms"] >= 0
        assert record.getMessage().startswith("jti_store.failed operation=contains code=jti_store_unavailable ")

    store.down = False
    assert asyncio.run(_awaited(verifier.health_async))["ready"] is True
    stats = verifier.stats()
    jti = stats["jti_store"]
    assert (jti["calls"], jti["failures"]) == (8, 5)
    assert jti["latency"]["count"] == 8
    assert count(stats, "impersonation", "ok") == 1
    assert count(stats, "impersonation", "jti_store_unavailable") == 4
    assert_redacted(log, [minted.token, SECRET, STORE_PASSWORD, minted.jti])


async def _awaited(make: Callable[[], Any]) -> Any:
    """Awaits ``make()`` inside a running event loop (the awaitables need one)."""
    return await make()


def test_a_burst_of_bad_tokens_is_counted_and_logged_at_debug(capture: Callable[[int], Records]) -> None:
    log = capture(logging.DEBUG)
    _, good = ec_key("a")
    forger, _ = ec_key("a")
    v = inline_validator(good)
    forged = [sign(forger, "a", n=i) for i in range(50)]
    for token in forged:
        with pytest.raises(AuthError) as caught:
            v.verify(token)
        assert caught.value.code == "invalid_signature"
    garbage = "not-a-token-at-all-but-a-secret-looking-string"
    with pytest.raises(AuthError):
        v.verify_cached(garbage)

    outcomes = log.named("verification")
    assert len(outcomes) == 51
    for record in outcomes[:50]:
        assert record.name == "incidentfox_auth.verify" and record.levelno == logging.DEBUG
        assert fields(record) == {"kind": "oidc", "outcome": "invalid_signature"}
        assert record.getMessage() == "verification kind=oidc outcome=invalid_signature"
    assert fields(outcomes[50])["outcome"] == "token_malformed"
    stats = v.stats()
    assert count(stats, "oidc", "invalid_signature") == 50
    assert count(stats, "oidc", "token_malformed") == 1
    assert stats["jwks"] is None
    assert 'incidentfox_auth_verifications_total{kind="oidc",outcome="invalid_signature"} 50\n' in v.openmetrics()
    assert_redacted(log, [*forged, garbage])


def test_configuration_problems_are_logged_without_the_secret(capture: Callable[[int], Records]) -> None:
    log = capture(logging.WARNING)
    short = "tiny-secret-value"
    with pytest.raises(AuthError):
        ImpersonationVerifier.from_env({"IMPERSONATION_JWT_SECRET": short, "IMPERSONATION_TOKEN_TTL_SECONDS": "nope"})
    problems = log.named("config.problem")
    assert problems
    assert all(p.name == "incidentfox_auth.config" and p.levelno == logging.WARNING for p in problems)
    assert any("IMPERSONATION_JWT_SECRET" in fields(p)["problem"] for p in problems)
    assert_redacted(log, [short])


# --- redaction across every path


def test_no_token_secret_password_or_cookie_reaches_any_record(
    capture: Callable[[int], Records], jwks: Callable[[dict[str, Any]], JwksServer]
) -> None:
    log = capture(1)  # everything, trace included
    private, jwk = ec_key("a")
    forger, _ = ec_key("a")
    server = jwks({"keys": [jwk]})
    store = FlakyStore()

    class BrokenLookup:
        def lookup(self, token_id: str) -> dict[str, Any] | None:
            raise RuntimeError(f"lookup failed: postgresql://svc:{STORE_PASSWORD}@db/teams ({token_id})")

    url_password, url_query = "url-password-0123456789", "query-signature-0123456789"
    port = server.server.server_address[1]
    # A key-set URL with credentials is refused, and the problem shows it without them.
    with_credentials = f"http://user:{url_password}@127.0.0.1:{port}/jwks"
    outcome(lambda: Authenticator.from_env(server.env(OIDC_JWKS_URL=with_credentials, ADMIN_AUTH_MODE="oidc")))
    assert log.named("config.problem")
    env = server.env(
        OIDC_JWKS_URL=f"http://127.0.0.1:{port}/jwks?sig={url_query}",
        OIDC_JWKS_MAX_AGE_SECONDS="0.2",
        OIDC_JWKS_COOLDOWN_SECONDS="0.1",
        ADMIN_AUTH_MODE="oidc",
        ADMIN_TOKEN=ADMIN_TOKEN,
        IMPERSONATION_JWT_SECRET=SECRET,
        IMPERSONATION_JTI_DB_REQUIRE="1",
        TOKEN_PEPPER=PEPPER,
    )
    auth = Authenticator.from_env(env, jti_store=store, team_token_lookup=BrokenLookup())
    signer = ImpersonationSigner(SECRET, jti_require=True, jti_store=store)
    minted = signer.mint(org_id="org-1", team_node_id="team-1", subject="admin@example.com")
    visitor = signer.mint_visitor(org_id="org-1", team_node_id="team-1", session_id="visitor-session-0123456789")
    good = sign(private, "a", groups=["incidentfox-config-admin"])
    forged = sign(forger, "a")
    expired = sign(private, "a", iat=1_000, exp=2_000)
    unknown = sign(forger, "kid-nobody-has-0123456789")
    team = generate_team_token(PEPPER)["token"]
    cookie_value = sign(forger, "a", sub="cookie-holder")

    def every_credential() -> list[str]:
        return [good, forged, expired, unknown, minted.token, visitor.token, ADMIN_TOKEN, team, ADMIN_TOKEN + "x"]

    for token in every_credential():
        outcome(lambda: auth.authenticate({"Authorization": f"Bearer {token}"}))
    outcome(lambda: auth.authenticate({"X-IncidentFox-Team-Token": team}))
    outcome(lambda: auth.authenticate({"Cookie": f"incidentfox_session_token={cookie_value}; theme=dark"}, method="GET"))
    # The JTI store fails; the key set endpoint fails, then serves again.
    store.down = True
    outcome(lambda: auth.authenticate({"Authorization": f"Bearer {minted.token}"}))
    assert auth.health()["ready"] is False
    server.status = 500
    time.sleep(0.25)
    outcome(lambda: auth.authenticate({"Authorization": f"Bearer {good}"}))
    log.wait_for("jwks.fetch_failed")
    store.down = False
    server.status = 200
    # Configuration problems quoting the settings they read.
    outcome(lambda: ImpersonationVerifier.from_env({"IMPERSONATION_JWT_SECRET": "short-secret-0"}))
    outcome(lambda: Authenticator.from_env({"ADMIN_TOKEN": "tiny", "TOKEN_PEPPER": "p"}))

    seen = {r.name for r in log.all()}
    for area in ("keys", "jti", "lookup", "config", "verify"):
        assert f"incidentfox_auth.{area}" in seen, f"no {area} record: the search would prove little"
    assert_redacted(
        log,
        [
            *every_credential(),
            cookie_value,
            SECRET,
            STORE_PASSWORD,
            minted.jti,
            visitor.jti,
            url_password,
            url_query,
            "short-secret-0",
            "visitor-session-0123456789",
        ],
    )


# --- the hot path


class LoggingCalls:
    """Counts every call into the ``logging`` module while active: each ``Logger`` and
    ``Handler`` method and module function is wrapped (this thread, and any thread's calls about
    the verification logger), and a profiler counts the frames of ``logging``'s code on this
    thread."""

    def __init__(self) -> None:
        self.wrapped = 0
        self.profiled = 0

    def __enter__(self) -> LoggingCalls:
        # A handler of an earlier test collected meanwhile would call into logging from its
        # weakref callback (`_removeHandlerRef`): collect now, and not while counting.
        gc.collect()
        gc.disable()
        self._thread = threading.get_ident()
        self._saved: list[tuple[Any, str, Any]] = []
        for owner in (logging.Logger, logging.Handler, logging.Filterer, logging.LoggerAdapter, logging):
            for name, value in list(vars(owner).items()):
                plain = callable(value) and not isinstance(value, (type, staticmethod, classmethod))
                if plain and not name.startswith("__"):
                    self._saved.append((owner, name, value))
                    setattr(owner, name, self._counting(value))
        sys.setprofile(self._profile)
        return self

    def _counting(self, function: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            if self._ours(args):
                self.wrapped += 1
            return function(*args, **kwargs)

        return counted

    def _ours(self, args: tuple[Any, ...]) -> bool:
        """A call on this thread, or one about the verification logger from any thread. Other
        threads may be delivering another test's background key-set events meanwhile (on the
        ``keys`` logger), which say nothing about the cost of a verification."""
        if threading.get_ident() == self._thread:
            return True
        verify = "incidentfox_auth.verify"
        return any(a == verify or getattr(a, "name", None) == verify for a in args)

    def _profile(self, frame: FrameType, event: str, arg: Any) -> None:
        if event == "call" and frame.f_globals.get("__name__", "").startswith("logging"):
            self.profiled += 1

    def __exit__(self, *exc: Any) -> None:
        sys.setprofile(None)
        gc.enable()
        for owner, name, value in reversed(self._saved):
            setattr(owner, name, value)


def test_with_debug_off_a_thousand_verifications_make_no_call_into_logging(
    capture: Callable[[int], Records],
) -> None:
    log = capture(logging.INFO)
    private, jwk = ec_key("a")
    v = inline_validator(jwk)
    tokens = [sign(private, "a", n=i) for i in range(10)]
    for token in tokens:  # the first verification of each: a full one
        v.verify(token)
    with LoggingCalls() as calls:
        for i in range(1000):
            v.verify(tokens[i % 10])
    assert (calls.wrapped, calls.profiled) == (0, 0)
    assert log.all() == []
    assert count(v.stats(), "oidc", "ok") == 1010

    # The same count sees the calls once DEBUG is on: a binding that called into Python for each
    # verification would fail the assertion above.
    logging.getLogger("incidentfox_auth").setLevel(logging.DEBUG)
    refresh_log_level()
    with LoggingCalls() as calls:
        for i in range(1000):
            v.verify(tokens[i % 10])
    assert calls.wrapped >= 1000 and calls.profiled >= 1000
    assert len(log.named("verification")) == 1000


def test_the_level_follows_logging_within_a_second_without_a_refresh(capture: Callable[[int], Records]) -> None:
    log = capture(logging.INFO)
    private, jwk = ec_key("a")
    v = inline_validator(jwk)
    token = sign(private, "a")
    v.verify(token)
    assert log.named("verification") == []
    logging.getLogger("incidentfox_auth.verify").setLevel(logging.DEBUG)
    try:
        deadline = time.monotonic() + 3
        while not log.named("verification") and time.monotonic() < deadline:
            v.verify(token)
            time.sleep(0.05)
        assert log.named("verification"), "DEBUG on the verify logger was never picked up"
        # logging.disable() turns it off again the same way: once the level is read again, a
        # verification makes no call into logging.
        logging.disable(logging.DEBUG)
        time.sleep(1.1)
        v.verify(token)
        with LoggingCalls() as calls:
            for _ in range(100):
                v.verify(token)
        assert (calls.wrapped, calls.profiled) == (0, 0)
    finally:
        logging.disable(logging.NOTSET)
        logging.getLogger("incidentfox_auth.verify").setLevel(logging.NOTSET)


def test_events_from_runtime_threads_reach_logging(
    capture: Callable[[int], Records], jwks: Callable[[dict[str, Any]], JwksServer]
) -> None:
    """A background refresh runs on a runtime worker: its record is delivered from there, while
    the caller's thread waits in Python."""
    log = capture(logging.INFO)
    private, jwk = ec_key("a")
    server = jwks({"keys": [jwk]})
    v = server.validator(OIDC_JWKS_MAX_AGE_SECONDS="0.2", OIDC_JWKS_COOLDOWN_SECONDS="0.1")
    token = sign(private, "a")
    v.verify(token)
    time.sleep(0.25)
    v.verify(token)  # stale: served, and refreshed in the background
    fetched = log.wait_for("jwks.fetched", 2)
    assert fields(fetched[1])["trigger"] == "background"
    assert fetched[1].thread != threading.get_ident()


# --- exposition


def test_the_prometheus_collector_exposes_the_cores_families(
    jwks: Callable[[dict[str, Any]], JwksServer],
) -> None:
    private, jwk = ec_key("a")
    forger, _ = ec_key("a")
    server = jwks({"keys": [jwk]})
    v = server.validator()
    for i in range(7):
        v.verify(sign(private, "a", n=i))
    for _ in range(3):
        outcome(lambda: v.verify(sign(forger, "a")))
    imp = ImpersonationVerifier(SECRET)
    imp.verify(ImpersonationSigner(SECRET).mint(org_id="o", team_node_id="t", subject="s").token)

    registry = CollectorRegistry()
    registry.register(AuthCollector(v, imp))
    text = generate_latest(registry).decode()
    families = {f.name: f for f in text_string_to_metric_families(text)}
    verifications = families["incidentfox_auth_verifications"]
    assert verifications.type == "counter"
    assert verifications.documentation == "Verifications by credential kind and outcome (ok or the error code)."
    values = {
        (s.labels["kind"], s.labels["outcome"]): s.value
        for s in verifications.samples
        if s.name == "incidentfox_auth_verifications_total"
    }
    assert values == {("oidc", "ok"): 7, ("oidc", "invalid_signature"): 3, ("impersonation", "ok"): 1}
    fetches = {s.labels["result"]: s.value for s in families["incidentfox_auth_jwks_fetches"].samples if s.name.endswith("_total")}
    assert fetches == {"ok": 1, "failed": 0}
    assert families["incidentfox_auth_jwks_keys"].samples[0].value == 1
    assert families["incidentfox_auth_jwks_fetch_duration_seconds"].type == "histogram"
    # The collector's names are the core's, and only the core's.
    assert set(families) == {f["name"] for f in incidentfox_auth.metric_families(v, imp)}

    # The core's own text is valid OpenMetrics, histograms included, and says the same.
    for exposition in (v.openmetrics(), openmetrics(v, imp), imp.openmetrics()):
        parsed = {f.name: f for f in openmetrics_families(exposition)}
        assert "incidentfox_auth_verifications" in parsed
    parsed = {f.name: f for f in openmetrics_families(openmetrics(v, imp))}
    assert {
        (s.labels["kind"], s.labels["outcome"]): s.value for s in parsed["incidentfox_auth_verifications"].samples
    } == values
    with pytest.raises(TypeError):
        AuthCollector()
    with pytest.raises(TypeError):
        openmetrics(object())  # type: ignore[arg-type]


def test_stats_count_the_calls_of_each_object_and_of_the_authenticator(capture: Callable[[int], Records]) -> None:
    capture(logging.WARNING)
    auth = Authenticator.from_env({"ADMIN_TOKEN": ADMIN_TOKEN})
    for _ in range(4):
        auth.authenticate({"Authorization": f"Bearer {ADMIN_TOKEN}"})
    for _ in range(2):
        outcome(lambda: auth.authenticate({"Authorization": "Bearer wrong-token-0123456789"}))
    outcome(lambda: auth.authenticate({}))

    async def concurrently() -> None:
        await asyncio.gather(*(auth.authenticate_async({"Authorization": f"Bearer {ADMIN_TOKEN}"}) for _ in range(5)))

    asyncio.run(concurrently())
    stats = auth.stats()
    assert count(stats, "admin_token", "ok") == 9
    assert count(stats, "none", "missing_credentials") == 1
    assert sum(c["count"] for c in stats["verifications"]) == 12
    assert stats["jwks"] is None and stats["jti_store"] is None
    assert auth.health() == {"ready": True, "jwks": None, "jti_store": None}
    families = {f["name"]: f for f in auth.metric_families()}
    sample = families["incidentfox_auth_verifications"]["samples"][0]
    assert set(sample) == {"name", "labels", "value"} and isinstance(sample["labels"], dict)


# --- FastAPI


def test_fastapi_serves_metrics_and_a_readiness_probe_that_follows_the_key_set(
    jwks: Callable[[dict[str, Any]], JwksServer],
) -> None:
    private, jwk = ec_key("a")
    server = jwks({"keys": [jwk]})
    auth = Authenticator.from_env(
        server.env(
            ADMIN_AUTH_MODE="oidc",
            OIDC_JWKS_MAX_AGE_SECONDS="0.2",
            OIDC_JWKS_MAX_STALE_SECONDS="0.2",
            OIDC_JWKS_COOLDOWN_SECONDS="0.1",
        )
    )
    app = FastAPI()
    app.include_router(observability_router(auth))
    token = sign(private, "a")
    with TestClient(app) as client:
        for _ in range(3):
            outcome(lambda: auth.authenticate({"Authorization": f"Bearer {token}"}))
        response = client.get("/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"] == OPENMETRICS_CONTENT_TYPE
        parsed = {f.name: f for f in openmetrics_families(response.text)}
        assert sum(s.value for s in parsed["incidentfox_auth_verifications"].samples) == 3
        ready = client.get("/healthz")
        assert ready.status_code == 200 and ready.json()["ready"] is True
        assert ready.json()["jwks"]["usable"] is True

        # The IdP is down past max_age + max_stale: nothing can be verified, the probe says so.
        server.status = 500
        time.sleep(0.5)
        outcome(lambda: auth.authenticate({"Authorization": f"Bearer {token}"}))
        down = client.get("/healthz")
        assert down.status_code == 503
        body = down.json()
        assert body["ready"] is False and body["jwks"]["usable"] is False
        assert body["jwks"]["last_fetch_code"] == "jwks_unavailable"

        # The IdP recovers: the next request past the cooldown fetches, and the probe follows.
        server.status = 200

        def recovered() -> bool:
            outcome(lambda: auth.authenticate({"Authorization": f"Bearer {token}"}))
            return bool(client.get("/healthz").status_code == 200)

        eventually(recovered, "readiness after recovery")


def test_fastapi_readiness_fails_while_the_jti_store_raises() -> None:
    store = FlakyStore()
    verifier = ImpersonationVerifier(SECRET, jti_require=True, jti_store=store)
    auth = Authenticator.from_env(
        {"IMPERSONATION_JWT_SECRET": SECRET, "IMPERSONATION_JTI_DB_REQUIRE": "1"}, jti_store=store
    )
    app = FastAPI()
    app.include_router(observability_router(auth), prefix="/auth")
    app.include_router(observability_router(auth, verifier, metrics_path="/m", health_path="/h"))
    with TestClient(app) as client:
        assert client.get("/auth/healthz").json() == {
            "ready": True,
            "jwks": None,
            "jti_store": {"reachable": True, "code": None},
        }
        store.down = True
        down = client.get("/auth/healthz")
        assert down.status_code == 503
        assert down.json()["jti_store"] == {"reachable": False, "code": "jti_store_unavailable"}
        both = client.get("/h")
        assert both.status_code == 503 and both.json()["ready"] is False
        assert len(both.json()["components"]) == 2
        assert STORE_PASSWORD not in down.text + both.text
        store.down = False
        assert client.get("/h").status_code == 200
        metrics = client.get("/m").text
        assert metrics.endswith("# EOF\n") and "incidentfox_auth_jti_store_calls_total" in metrics


def test_the_example_app_exposes_metrics_and_healthz() -> None:
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "examples" / "app.py"
    spec = importlib.util.spec_from_file_location("incidentfox_auth_observability_example_app", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    auth = Authenticator.from_env({"ADMIN_TOKEN": ADMIN_TOKEN})
    try:
        with TestClient(module.create_app(auth)) as client:
            me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
            assert me.status_code == 200
            metrics = client.get("/metrics")
            assert metrics.headers["content-type"] == OPENMETRICS_CONTENT_TYPE
            assert 'incidentfox_auth_verifications_total{kind="admin_token",outcome="ok"} 1\n' in metrics.text
            health = client.get("/healthz")
            assert (health.status_code, health.json()["ready"]) == (200, True)
    finally:
        from incidentfox_auth import fastapi as ifx_fastapi

        ifx_fastapi.configure(None)
