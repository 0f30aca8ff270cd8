"""Every error code maps to its own class, family and HTTP status; the native layer raises them."""

from __future__ import annotations

import pickle

import pytest

import incidentfox_auth
from incidentfox_auth import (
    ERROR_CODES,
    AuthError,
    ConfigurationError,
    Decision,
    ForbiddenError,
    OidcValidator,
    PermissionSet,
    TokenError,
    UnavailableError,
    errors,
    explain,
)

# The table of docs/errors.md, in the core's declaration order.
EXPECTED = [
    ("token_malformed", 401),
    ("forbidden_header", 401),
    ("token_too_large", 401),
    ("token_expired", 401),
    ("token_not_yet_valid", 401),
    ("token_issued_in_future", 401),
    ("invalid_signature", 401),
    ("algorithm_not_allowed", 401),
    ("unknown_key_id", 401),
    ("invalid_issuer", 401),
    ("invalid_audience", 401),
    ("missing_claim", 401),
    ("invalid_claim", 401),
    ("unsupported_critical_header", 401),
    ("token_revoked", 401),
    ("jti_not_found", 401),
    ("not_admin", 403),
    ("permission_denied", 403),
    ("jwks_unavailable", 503),
    ("jti_store_unavailable", 503),
    ("invalid_permission", 500),
    ("invalid_config", 500),
    ("invalid_key", 500),
    ("missing_credentials", 401),
    ("invalid_credentials", 401),
    ("lookup_unavailable", 503),
    ("invalid_state", 401),
    ("invalid_nonce", 401),
    ("code_exchange_failed", 401),
    ("login_denied", 401),
    ("provider_unavailable", 503),
]

FAMILY = {401: TokenError, 403: ForbiddenError, 503: UnavailableError, 500: ConfigurationError}


def camel(code: str) -> str:
    return "".join(part.capitalize() for part in code.split("_")) + "Error"


def test_native_codes_are_the_documented_codes() -> None:
    assert [(c, s) for c, s in ERROR_CODES] == EXPECTED


def test_every_native_code_has_its_own_class_with_its_status() -> None:
    assert len(ERROR_CODES) >= 26
    classes = set()
    for code, status in ERROR_CODES:
        cls = errors.BY_CODE[code]
        assert cls not in classes, f"{code} shares {cls.__name__}"
        classes.add(cls)
        assert cls.__name__ == camel(code)
        err = errors.from_code(code, f"something about {code}")
        assert type(err) is cls
        assert (err.code, err.status, err.message) == (code, status, f"something about {code}")
        assert isinstance(err, FAMILY[status]) and isinstance(err, AuthError)
        for other_status, family in FAMILY.items():
            if other_status != status:
                assert not isinstance(err, family), f"{code} is also a {family.__name__}"
        assert isinstance(err, ValueError) == (status == 500)
        assert err.to_dict() == {"code": code, "status": status, "message": err.message}
        # Exported from the package root too.
        assert getattr(incidentfox_auth, cls.__name__) is cls
        assert cls.__name__ in incidentfox_auth.__all__


def test_by_code_holds_exactly_the_native_codes() -> None:
    assert list(errors.BY_CODE) == [code for code, _ in ERROR_CODES]


def test_an_unknown_code_is_a_plain_auth_error_with_status_500() -> None:
    err = errors.from_code("made_up_code", "from a newer core")
    assert type(err) is AuthError
    assert (err.code, err.status, err.message) == ("made_up_code", 500, "from a newer core")
    assert not isinstance(err, TokenError)


def test_str_repr_and_pickle_keep_the_code() -> None:
    err = errors.from_code("token_expired", "`exp` has passed")
    assert str(err) == "token_expired: `exp` has passed"
    assert "TokenExpiredError" in repr(err) and "401" in repr(err)
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is errors.TokenExpiredError
    assert (back.code, back.status, back.message) == (err.code, err.status, err.message)
    unknown = pickle.loads(pickle.dumps(errors.from_code("made_up_code", "m")))
    assert (type(unknown), unknown.code, unknown.status) == (AuthError, "made_up_code", 500)


def test_the_native_layer_raises_the_class_of_each_code() -> None:
    with pytest.raises(errors.InvalidPermissionError) as perm:
        PermissionSet(["admin::provision"])
    assert perm.value.code == "invalid_permission" and perm.value.status == 500
    assert "admin::provision" in perm.value.message
    # ConfigurationError is a ValueError: callers that catch ValueError keep working.
    with pytest.raises(ValueError):
        PermissionSet(["admin provision"])

    jwks = (
        '{"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "k", '
        '"x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}'
    )
    with pytest.raises(errors.InvalidConfigError):
        OidcValidator(issuer="https://idp.example", audience="aud", jwks_json=jwks,
                      algorithms=["HS256"])
    with pytest.raises(errors.InvalidKeyError):
        OidcValidator(issuer="https://idp.example", audience="aud", jwks_json='{"keys": []}',
                      algorithms=["EdDSA"])

    validator = OidcValidator(
        issuer="https://idp.example", audience="aud", jwks_json=jwks, algorithms=["EdDSA"]
    )
    with pytest.raises(errors.TokenMalformedError) as malformed:
        validator.verify_cached("")
    assert malformed.value.status == 401

    denied: Decision = explain(["admin:read"], "admin:provision")
    assert not denied.allowed and denied.reason == "permission_denied"
    with pytest.raises(errors.PermissionDeniedError) as forbidden:
        denied.raise_for_denial()
    assert forbidden.value.status == 403
    explain(["admin:*"], "admin:provision").raise_for_denial()  # allowed: no exception
