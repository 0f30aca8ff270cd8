"""Wycheproof JWS/JWK, RFC 7520 §4, RFC 7515 A.1 and RFC 8037 A.4, mirroring core/tests/vectors_wycheproof.rs.

The Rust runner drives the JOSE layer directly (a key set with every algorithm allowed and
symmetric keys permitted) and asks only "does the signature verify?". Python reaches that layer
only through ``OidcValidator``, so this suite builds one per group with every asymmetric
algorithm, ``require_kid=False`` and a large size cap, and reads the verdict from where
verification stopped: the validator checks the signature before it reads the claims, so an
outcome that got to the claims (a claim error, the "claims ..." ``token_malformed`` of a payload
that is not a JSON object, or success) means the signature verified; any other error means it did
not (or the token or key set was refused first).

Covered: every Wycheproof case except the Rust allowlist below and the HMAC cases labelled valid;
RFC 7520 4.1 (RS256), 4.2 (PS384) with a forged copy, 4.3 (ES512, must be rejected); RFC 8037 A.4
(Ed25519) and its altered copy.
Not expressible in Python, so skipped: a valid HS256/384/512 signature (OIDC never accepts HMAC and
the impersonation verifier takes a text secret, not these binary keys): the Wycheproof HMAC cases
labelled valid, RFC 7520 4.4 and RFC 7515 A.1. HMAC cases labelled invalid still run and must be
rejected. Payload bytes are not compared (the Python API returns claims, not the raw payload).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from support import REPO_ROOT, load_vectors, report

from incidentfox_auth import AuthError, OidcValidator

EXTERNAL = REPO_ROOT / "testdata" / "vectors" / "external"

ASYMMETRIC = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]

# Codes that only the claim checks produce, so the signature had verified.
CLAIM_STAGE = {
    "missing_claim",
    "invalid_claim",
    "invalid_issuer",
    "invalid_audience",
    "token_expired",
    "token_not_yet_valid",
    "token_issued_in_future",
}

# The Rust allowlist (core/tests/vectors_wycheproof.rs), same reasons.
WYCHEPROOF_ALLOWLIST = {
    # `?` inserted into base64url, labelled valid for lenient decoders; invalid per RFC 7515 §2.
    ("jws", 372): "invalid base64url character labelled valid",
    ("jws", 373): "invalid base64url character labelled valid",
    # Byte-identical to tcId 357 (labelled valid): the signature rightly verifies.
    ("jws", 367): "token identical to a valid vector",
    ("jws", 370): "token identical to a valid vector",
    # The JWK pins alg PS256 while the token says PS384: the key cannot verify it.
    ("jws", 346): "jwk alg PS256 pins the key; token uses PS384",
    ("jws", 350): "jwk alg PS256 pins the key; token uses PS384",
    # ES512 (P-521) is outside the supported algorithms.
    ("jws", 347): "ES512 is not supported",
    ("jws", 351): "ES512 is not supported",
    # ROCA fingerprinting is not implemented.
    ("jwk", 7): "ROCA fingerprinting is not implemented",
}


def load(path: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((EXTERNAL / path).read_text(encoding="utf-8"))
    return doc


def signature_verifies(jwks: dict[str, Any], token: str) -> tuple[bool, str]:
    """Whether ``token``'s signature verifies under ``jwks``, and what happened."""
    try:
        validator = OidcValidator(
            issuer="https://wycheproof.invalid",
            audience="wycheproof",
            jwks_json=json.dumps(jwks),
            algorithms=ASYMMETRIC,
            require_kid=False,
            max_token_bytes=1 << 20,
        )
    except AuthError as e:
        return False, f"key set refused: {e}"
    try:
        validator.verify_cached(token, now=1_700_000_000.0)
    except AuthError as e:
        got_to_claims = e.code in CLAIM_STAGE or (
            e.code == "token_malformed" and e.message.startswith("claims")
        )
        return got_to_claims, str(e)
    return True, "valid"


def header_alg(token: str) -> str | None:
    try:
        head = token.split(".")[0]
        alg = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))).get("alg")
        return alg if isinstance(alg, str) else None
    except (ValueError, AttributeError):
        return None


def run_wycheproof(file: str, family: str) -> tuple[int, int]:
    """(cases run, cases skipped); fails on any mismatch."""
    doc = load(file)
    failures: list[str] = []
    run = skipped = 0
    for group in doc["testGroups"]:
        # Verification uses the public key; symmetric groups only have the private JWK. Key-set
        # groups carry a whole set, under `public` when it differs from the private one (a set
        # carrying private members is refused, as core/tests/vectors_wycheproof.rs checks).
        key = group.get("public", group["private"])
        jwks = key if isinstance(key, dict) and "keys" in key else {"keys": [key]}
        for case in group["tests"]:
            tc_id = case["tcId"]
            expect_valid = case["result"] == "valid"
            token = case["jws"]
            if (family, tc_id) in WYCHEPROOF_ALLOWLIST:
                skipped += 1
                continue
            if expect_valid and isinstance(token, str) and (header_alg(token) or "").startswith("HS"):
                skipped += 1  # a valid HMAC signature: not expressible (module docstring)
                continue
            run += 1
            if isinstance(token, str):
                verified, what = signature_verifies(jwks, token)
            else:
                verified, what = False, "JSON serialisation is not a JWT"
            if verified != expect_valid:
                failures.append(
                    f"{family} tcId {tc_id} ({case['comment']}): expected {case['result']}, "
                    f"got {what}"
                )
    report(failures, run, f"wycheproof {family} cases")
    return run, skipped


def test_wycheproof_json_web_signature() -> None:
    run, skipped = run_wycheproof("wycheproof/json_web_signature_test.json", "jws")
    assert run > 350, f"only {run} cases ran ({skipped} skipped)"


def test_wycheproof_json_web_key() -> None:
    run, skipped = run_wycheproof("wycheproof/json_web_key_test.json", "jwk")
    assert run >= 15, f"only {run} cases ran ({skipped} skipped)"


def public_only(jwk: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in jwk.items() if k not in {"d", "p", "q", "dp", "dq", "qi"}}


def test_rfc7520_signatures() -> None:
    for file, supported in [
        ("4_1.rsa_v15_signature.json", True),
        ("4_2.rsa-pss_signature.json", True),
        # ES512 is not supported; the vector must be rejected, not crash.
        ("4_3.ecdsa_signature.json", False),
        # 4_4 (HMAC) is not expressible: see the module docstring.
    ]:
        doc = load(f"rfc7520/{file}")
        jwks = {"keys": [public_only(doc["input"]["key"])]}
        token: str = doc["output"]["compact"]
        verified, what = signature_verifies(jwks, token)
        assert verified == supported, f"{file}: {what}"
        if supported:
            forged = token[:-1] + ("Q" if token[-1] == "A" else "A")
            verified, what = signature_verifies(jwks, forged)
            assert not verified, f"{file} forged: {what}"


def test_rfc7515_and_rfc8037_examples() -> None:
    doc = load_vectors("rfc_examples.json")
    ran = 0
    for case in doc["cases"]:
        if case["jwk"].get("kty") == "oct":
            continue  # RFC 7515 A.1 (HS256): not expressible, see the module docstring
        ran += 1
        verified, what = signature_verifies({"keys": [case["jwk"]]}, case["token"])
        assert verified == (case["valid"] is True), f"{case['name']}: {what}"
    assert ran >= 2
