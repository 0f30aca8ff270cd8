#!/usr/bin/env python3
"""PyJWT interop for testdata/vectors/impersonation.json (the services' PyJWT behaviour, both directions).

What it does, reading and rewriting the vector file in place:

1. Mints impersonation and visitor tokens with PyJWT exactly as the config service does
   (claims in the order docs/compatibility.md lists them, `jwt.encode(claims, secret, algorithm="HS256")`, so the header is
   {"alg":"HS256","typ":"JWT"}; jti = uuid4().hex; exp = iat + max(60, TTL); iat fixed relative
   to the file's `now`) and appends them to the cases with "source": "pyjwt" and the
   expectation the documented rules give (PyJWT cases from an earlier run are replaced).
2. Applies the agent runtime's verification rules to every case (ours and PyJWT's):
       jwt.decode(token, secret, algorithms=["HS256"], audience=[accepted audiences],
                  issuer="incidentfox-config-service", leeway=<config leeway, 0>,
                  options={"require": ["exp", "iat", "sub", "org_id", "team_node_id",
                                       "ifx_kind", "scope", "jti"]})
   followed by its two checks: ifx_kind in {team_impersonation, visitor} (else
   `InvalidKindError`) and scope (a string is one scope, a list its items) contains team:read
   (else `MissingScopeError`); these two class names stand for the agent runtime's post-decode checks.
   The verdict is recorded as "pyjwt": "valid" or the exception class name.
3. Exits with status 1 when PyJWT's verdict and `expect.valid` disagree on a case that is not
   marked "stricter_than_services" (the library may refuse what the agent runtime accepts, with a
   reason; it must never accept what the agent runtime refuses).

Time: PyJWT reads the clock once per decode, in `jwt.api_jwt` (`datetime.now(tz=timezone.utc)`).
The script replaces `jwt.api_jwt.datetime` with a subclass whose `now()` returns the case's
`now`, so PyJWT's own exp/iat/nbf comparisons (int() conversion, leeway) run unchanged. A
self-check before the run proves the frozen clock is in effect.

Run (after the Rust generator, which rewrites the whole file) with the test venv that
scripts/test-python.sh keeps (PyJWT is in the `test` dependency group of
bindings-python/pyproject.toml; the venv is $IFX_CACHE/venv, $HOME/.cache/incidentfox-auth/venv
by default):

    cargo run -p incidentfox-auth-vectors -- impersonation
    $HOME/.cache/incidentfox-auth/venv/bin/python scripts/pyjwt_vectors.py [FILE]

FILE defaults to testdata/vectors/impersonation.json beside this script.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import sys
import uuid
from pathlib import Path
from typing import Any, Iterator

try:
    import jwt
    import jwt.api_jwt
except ImportError:  # pragma: no cover - setup hint
    sys.exit("PyJWT is not installed: see the top of scripts/pyjwt_vectors.py")

ISSUER = "incidentfox-config-service"
LEGACY_AUDIENCE = "incidentfox-config-service"
CUSTOM_AUDIENCE = "incidentfox-agent-runtime-staging"
REQUIRED = ["exp", "iat", "sub", "org_id", "team_node_id", "ifx_kind", "scope", "jti"]
KINDS = {"team_impersonation", "visitor"}
ORG = "org-acme"
TEAM = "team-payments"
SUBJECT = "okta|00u1admin"
EMAIL = "admin@acme.example"
SESSION = "vs-5b1e0c2d"
OTHER_SECRET = "a-different-secret-the-verifier-does-not-know"
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "testdata/vectors/impersonation.json"


class InvalidKindError(Exception):
    """The agent runtime's check: ifx_kind is team_impersonation or visitor."""


class MissingScopeError(Exception):
    """The agent runtime's check: scope contains team:read."""


# --- Minting, as the config service does.


def mint_impersonation(
    secret: str, *, audience: str, email: str | None, ttl: int, iat: int
) -> str:
    claims = {
        "iss": ISSUER,
        "aud": audience,
        "sub": SUBJECT,
        "email": email,
        "org_id": ORG,
        "team_node_id": TEAM,
        "ifx_kind": "team_impersonation",
        "scope": ["team:read"],
        "iat": iat,
        "exp": iat + max(60, int(ttl)),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def mint_visitor(secret: str, *, audience: str, ttl: int, iat: int) -> str:
    claims = {
        "iss": ISSUER,
        "aud": audience,
        "sub": f"visitor:{SESSION}",
        "org_id": ORG,
        "team_node_id": TEAM,
        "ifx_kind": "visitor",
        "visitor_session_id": SESSION,
        "scope": ["team:read", "agent:invoke"],
        "iat": iat,
        "exp": iat + max(60, int(ttl)),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


# --- Expectations, from the documented rules (same shape as the Rust generator's).


def me_impersonation(email: str | None) -> dict[str, Any]:
    me: dict[str, Any] = {
        "role": "team",
        "auth_kind": "impersonation",
        "org_id": ORG,
        "team_node_id": TEAM,
        "subject": SUBJECT,
    }
    if email is not None:
        me["email"] = email
    me["can_write"] = False
    me["permissions"] = ["team:read"]
    return me


def me_visitor() -> dict[str, Any]:
    return {
        "role": "team",
        "auth_kind": "visitor",
        "org_id": ORG,
        "team_node_id": TEAM,
        "subject": f"visitor:{SESSION}",
        "can_write": False,
        "permissions": ["team:read", "agent:invoke"],
        "visitor_session_id": SESSION,
    }


def expect_impersonation(email: str | None, audience: str, iat: int, ttl: int) -> dict[str, Any]:
    return {
        "valid": True,
        "kind": "team_impersonation",
        "me": me_impersonation(email),
        "claims": {
            "iss": ISSUER,
            "aud": audience,
            "sub": SUBJECT,
            "email": email,
            "org_id": ORG,
            "team_node_id": TEAM,
            "ifx_kind": "team_impersonation",
            "scope": ["team:read"],
            "iat": iat,
            "exp": iat + ttl,
        },
        "claim_names": [
            "iss", "aud", "sub", "email", "org_id", "team_node_id",
            "ifx_kind", "scope", "iat", "exp", "jti",
        ],
        "exp_minus_iat": ttl,
        "jti_hex_chars": 32,
    }


def expect_visitor(audience: str, iat: int, ttl: int) -> dict[str, Any]:
    return {
        "valid": True,
        "kind": "visitor",
        "me": me_visitor(),
        "claims": {
            "iss": ISSUER,
            "aud": audience,
            "sub": f"visitor:{SESSION}",
            "org_id": ORG,
            "team_node_id": TEAM,
            "ifx_kind": "visitor",
            "visitor_session_id": SESSION,
            "scope": ["team:read", "agent:invoke"],
            "iat": iat,
            "exp": iat + ttl,
        },
        "claim_names": [
            "iss", "aud", "sub", "org_id", "team_node_id", "ifx_kind",
            "visitor_session_id", "scope", "iat", "exp", "jti",
        ],
        "exp_minus_iat": ttl,
        "jti_hex_chars": 32,
    }


def invalid(code: str) -> dict[str, Any]:
    return {"valid": False, "code": code}


def case(
    name: str,
    description: str,
    token: str,
    expect: dict[str, Any],
    config: dict[str, Any] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "description": description, "source": "pyjwt"}
    if config is not None:
        out["config"] = config
    out["token"] = token
    out["expect"] = expect
    return out


def pyjwt_cases(secret: str, default_audience: str, now: int) -> list[dict[str, Any]]:
    iat = now - 30
    legacy_on = {"accept_legacy_audience": True}
    legacy = mint_impersonation(secret, audience=LEGACY_AUDIENCE, email=EMAIL, ttl=900, iat=iat)
    return [
        case(
            "pyjwt_impersonation_with_email",
            "the config service's team impersonation token, TTL 900 s",
            mint_impersonation(secret, audience=default_audience, email=EMAIL, ttl=900, iat=iat),
            expect_impersonation(EMAIL, default_audience, iat, 900),
        ),
        case(
            "pyjwt_impersonation_without_email",
            "the config service's token for an admin without an email (\"email\": null)",
            mint_impersonation(secret, audience=default_audience, email=None, ttl=900, iat=iat),
            expect_impersonation(None, default_audience, iat, 900),
        ),
        case(
            "pyjwt_impersonation_ttl_30_raised_to_60",
            "the config service raises a 30 s TTL to 60 s",
            mint_impersonation(secret, audience=default_audience, email=EMAIL, ttl=30, iat=iat),
            expect_impersonation(EMAIL, default_audience, iat, 60),
        ),
        case(
            "pyjwt_visitor",
            "the config service's visitor token, TTL 1800 s",
            mint_visitor(secret, audience=default_audience, ttl=1800, iat=iat),
            expect_visitor(default_audience, iat, 1800),
        ),
        case(
            "pyjwt_legacy_audience_rejected_by_default",
            "an older token with audience incidentfox-config-service, legacy switch off",
            legacy,
            invalid("invalid_audience"),
        ),
        case(
            "pyjwt_legacy_audience_accepted_with_switch",
            "an older token with audience incidentfox-config-service, legacy switch on",
            legacy,
            expect_impersonation(EMAIL, LEGACY_AUDIENCE, iat, 900),
            config=legacy_on,
        ),
        case(
            "pyjwt_visitor_legacy_audience_accepted_with_switch",
            "an older visitor token, legacy switch on",
            mint_visitor(secret, audience=LEGACY_AUDIENCE, ttl=1800, iat=iat),
            expect_visitor(LEGACY_AUDIENCE, iat, 1800),
            config=legacy_on,
        ),
        case(
            "pyjwt_custom_audience",
            "IMPERSONATION_JWT_AUDIENCE set to a custom audience on both sides",
            mint_impersonation(secret, audience=CUSTOM_AUDIENCE, email=EMAIL, ttl=900, iat=iat),
            expect_impersonation(EMAIL, CUSTOM_AUDIENCE, iat, 900),
            config={"audience": CUSTOM_AUDIENCE},
        ),
        case(
            "pyjwt_wrong_audience",
            "minted for another audience",
            mint_impersonation(
                secret, audience="incidentfox-web-ui", email=EMAIL, ttl=900, iat=iat
            ),
            invalid("invalid_audience"),
        ),
        case(
            "pyjwt_expired",
            "issued 1000 s ago with TTL 900 s",
            mint_impersonation(
                secret, audience=default_audience, email=EMAIL, ttl=900, iat=now - 1000
            ),
            invalid("token_expired"),
        ),
        case(
            "pyjwt_expires_exactly_now",
            "now == exp is expired (leeway 0)",
            mint_impersonation(
                secret, audience=default_audience, email=EMAIL, ttl=900, iat=now - 900
            ),
            invalid("token_expired"),
        ),
        case(
            "pyjwt_issued_in_future",
            "iat 5 s after now",
            mint_impersonation(
                secret, audience=default_audience, email=EMAIL, ttl=900, iat=now + 5
            ),
            invalid("token_issued_in_future"),
        ),
        case(
            "pyjwt_wrong_secret",
            "minted with a secret the verifier does not know",
            mint_impersonation(
                OTHER_SECRET, audience=default_audience, email=EMAIL, ttl=900, iat=iat
            ),
            invalid("invalid_signature"),
        ),
    ]


# --- The agent runtime's verification, at a frozen clock.


class _FrozenDatetime(_dt.datetime):
    """`datetime` whose `now()` is the vector's `now` (Unix seconds)."""

    frozen: float = 0.0

    @classmethod
    def now(cls, tz: _dt.tzinfo | None = None) -> _dt.datetime:  # type: ignore[override]
        return _dt.datetime.fromtimestamp(cls.frozen, tz=tz)


@contextlib.contextmanager
def frozen_clock(now: float) -> Iterator[None]:
    if jwt.api_jwt.datetime is not _dt.datetime:
        raise SystemExit(
            "jwt.api_jwt.datetime is not datetime.datetime: this PyJWT reads the clock "
            "differently; update frozen_clock()"
        )
    _FrozenDatetime.frozen = float(now)
    jwt.api_jwt.datetime = _FrozenDatetime  # type: ignore[misc]
    try:
        yield
    finally:
        jwt.api_jwt.datetime = _dt.datetime  # type: ignore[misc]


def accepted_audiences(config: dict[str, Any]) -> list[str]:
    audiences = [config["audience"]]
    if config.get("accept_legacy_audience") and config["audience"] != LEGACY_AUDIENCE:
        audiences.append(LEGACY_AUDIENCE)
    return audiences


def pyjwt_verdict(token: str, secret: str, config: dict[str, Any], now: float) -> str:
    try:
        with frozen_clock(now):
            claims = jwt.decode(
                token,
                secret,
                algorithms=["HS256"],
                audience=accepted_audiences(config),
                issuer=ISSUER,
                leeway=config.get("leeway_seconds", 0),
                options={"require": REQUIRED},
            )
        if claims.get("ifx_kind") not in KINDS:
            raise InvalidKindError(claims.get("ifx_kind"))
        scope = claims.get("scope")
        scopes = [scope] if isinstance(scope, str) else scope if isinstance(scope, list) else []
        if "team:read" not in scopes:
            raise MissingScopeError(scope)
    except Exception as e:  # noqa: BLE001 - any refusal is PyJWT's verdict
        return type(e).__name__
    return "valid"


def self_check(secret: str, config: dict[str, Any], now: int) -> None:
    """The frozen clock must be what PyJWT compares against (real time is years later)."""
    token = mint_impersonation(
        secret, audience=config["audience"], email=EMAIL, ttl=60, iat=now - 59
    )
    at_now = pyjwt_verdict(token, secret, config, now)
    at_exp = pyjwt_verdict(token, secret, config, now + 1)
    if at_now != "valid" or at_exp != "ExpiredSignatureError":
        raise SystemExit(f"frozen clock not in effect: {at_now} at now, {at_exp} at exp")


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PATH
    doc = json.loads(path.read_text(encoding="utf-8"))
    secret, now, base_config = doc["secret"], doc["now"], doc["config"]
    self_check(secret, base_config, now)

    cases = [c for c in doc["cases"] if c.get("source") != "pyjwt"]
    cases += pyjwt_cases(secret, base_config["audience"], now)
    names = [c["name"] for c in cases]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SystemExit(f"duplicate case names: {duplicates}")

    failures, notes = [], []
    for c in cases:
        config = {**base_config, **c.get("config", {})}
        verdict = pyjwt_verdict(c["token"], secret, config, c.get("now", now))
        c["pyjwt"] = verdict
        pyjwt_valid = verdict == "valid"
        expect_valid = c["expect"]["valid"] is True
        stricter = c.get("stricter_than_services")
        if stricter and expect_valid:
            failures.append(f"{c['name']}: marked stricter_than_services but expected valid")
        elif pyjwt_valid != expect_valid:
            if not (stricter and pyjwt_valid):
                failures.append(
                    f"{c['name']}: the agent runtime's rules say {verdict}, expected "
                    f"{'valid' if expect_valid else c['expect']['code']}"
                )
        elif stricter:
            notes.append(f"{c['name']}: marked stricter, but this PyJWT refuses it too ({verdict})")

    out = {k: v for k, v in doc.items() if k != "cases"}
    out["pyjwt_version"] = jwt.__version__
    out["cases"] = cases
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    ours = sum(c["source"] != "pyjwt" for c in cases)
    stricter_count = sum("stricter_than_services" in c for c in cases)
    print(
        f"wrote {path}: {len(cases)} cases ({ours} incidentfox-auth, {len(cases) - ours} pyjwt), "
        f"{stricter_count} stricter than the agent runtime, PyJWT {jwt.__version__}"
    )
    for note in notes:
        print(f"note: {note}")
    for failure in failures:
        print(f"DISAGREEMENT: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
