"""The exceptions every ``incidentfox_auth`` call raises.

Each failure has a stable, machine-readable ``code`` (the same snake_case string in Rust, Python
and Node) and an HTTP ``status`` hint. Catch a family to handle a group of failures at once::

    try:
        principal = authenticator.authenticate(headers)
    except TokenError:           # any 401: answer with WWW-Authenticate
        ...
    except ForbiddenError:       # 403: authenticated, but not allowed
        ...
    except UnavailableError:     # 503: a key set, JTI store or lookup could not answer; retry later
        ...
    except ConfigurationError:   # 500: the service is misconfigured (also a ValueError)
        ...

or one code by its class (``except TokenExpiredError``) or by ``err.code == "token_expired"``.
The compiled layer builds every exception through :func:`from_code`, so ``isinstance`` checks
and ``.code`` always agree. Messages are lowercase, name the claim, key id or value at fault and
never contain a token or a secret.
"""

from __future__ import annotations

__all__ = [
    "BY_CODE",
    "AlgorithmNotAllowedError",
    "AuthError",
    "ConfigurationError",
    "ForbiddenError",
    "ForbiddenHeaderError",
    "InvalidAudienceError",
    "InvalidClaimError",
    "InvalidConfigError",
    "InvalidCredentialsError",
    "InvalidIssuerError",
    "InvalidKeyError",
    "InvalidPermissionError",
    "InvalidSignatureError",
    "JtiNotFoundError",
    "JtiStoreUnavailableError",
    "JwksUnavailableError",
    "LookupUnavailableError",
    "LoginDeniedError",
    "InvalidStateError",
    "InvalidNonceError",
    "CodeExchangeFailedError",
    "ProviderUnavailableError",
    "MissingClaimError",
    "MissingCredentialsError",
    "NotAdminError",
    "PermissionDeniedError",
    "TokenError",
    "TokenExpiredError",
    "TokenIssuedInFutureError",
    "TokenMalformedError",
    "TokenNotYetValidError",
    "TokenRevokedError",
    "TokenTooLargeError",
    "UnavailableError",
    "UnknownKeyIdError",
    "UnsupportedCriticalHeaderError",
    "from_code",
]


class AuthError(Exception):
    """Base class of every error the library raises.

    ``code`` is the stable snake_case code, ``status`` the HTTP status a service should answer
    with, ``message`` the human-readable reason (lowercase, never a token or secret).
    """

    #: The code this class stands for; ``None`` on the base and family classes.
    default_code: str | None = None
    #: The HTTP status of this class's codes.
    default_status: int = 500

    code: str
    status: int
    message: str

    def __init__(self, message: str = "", *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code if code is not None else (self.default_code or "unknown")
        self.status = status if status is not None else self.default_status

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.message else self.code

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, status={self.status}, message={self.message!r})"

    def __reduce__(self) -> tuple[object, ...]:
        # Keeps code and status across pickling (multiprocessing, task queues): the default
        # reduce passes only ``args`` back to ``__init__``.
        return (_rebuild, (type(self), self.message, self.code, self.status))

    def to_dict(self) -> dict[str, object]:
        """``{"code", "status", "message"}``: the body services and the CLI print under ``"error"``."""
        return {"code": self.code, "status": self.status, "message": self.message}


def _rebuild(cls: type[AuthError], message: str, code: str, status: int) -> AuthError:
    return cls(message, code=code, status=status)


# --- Families, by HTTP status.


class TokenError(AuthError):
    """The credential was refused (401): absent, malformed, expired, wrongly signed, revoked, ..."""

    default_status = 401


class ForbiddenError(AuthError):
    """The caller is authenticated but not allowed (403)."""

    default_status = 403


class UnavailableError(AuthError):
    """A dependency could not answer (503): the key set or the JTI store. Safe to retry."""

    default_status = 503


class ConfigurationError(AuthError, ValueError):
    """The configuration, a key or a permission string is invalid (500)."""

    default_status = 500


# --- One class per code (401).


class TokenMalformedError(TokenError):
    """The token is not a well-formed compact JWS/JWT."""

    default_code = "token_malformed"


class ForbiddenHeaderError(TokenError):
    """The header carries a parameter the library refuses (``jku``, ``x5u``, ``jwk``, ``x5c``, ``b64``)."""

    default_code = "forbidden_header"


class TokenTooLargeError(TokenError):
    """The token exceeds the configured size cap."""

    default_code = "token_too_large"


class TokenExpiredError(TokenError):
    """``exp`` has passed (allowing for leeway)."""

    default_code = "token_expired"


class TokenNotYetValidError(TokenError):
    """``nbf`` is in the future (allowing for leeway)."""

    default_code = "token_not_yet_valid"


class TokenIssuedInFutureError(TokenError):
    """``iat`` is in the future (allowing for leeway)."""

    default_code = "token_issued_in_future"


class InvalidSignatureError(TokenError):
    """The signature does not verify."""

    default_code = "invalid_signature"


class AlgorithmNotAllowedError(TokenError):
    """The header ``alg`` is not in the allowlist."""

    default_code = "algorithm_not_allowed"


class UnknownKeyIdError(TokenError):
    """No usable key carries the token's ``kid`` for its ``alg``."""

    default_code = "unknown_key_id"


class InvalidIssuerError(TokenError):
    """``iss`` is not the configured issuer."""

    default_code = "invalid_issuer"


class InvalidAudienceError(TokenError):
    """``aud`` does not overlap the configured audiences."""

    default_code = "invalid_audience"


class MissingClaimError(TokenError):
    """A required claim is absent."""

    default_code = "missing_claim"


class InvalidClaimError(TokenError):
    """A claim has the wrong type or a disallowed value."""

    default_code = "invalid_claim"


class UnsupportedCriticalHeaderError(TokenError):
    """The header's ``crit`` names an extension the library does not understand."""

    default_code = "unsupported_critical_header"


class TokenRevokedError(TokenError):
    """The token has been revoked."""

    default_code = "token_revoked"


class JtiNotFoundError(TokenError):
    """The token's ``jti`` is not in the allowlist (never recorded, revoked, expired or used)."""

    default_code = "jti_not_found"


class MissingCredentialsError(TokenError):
    """The request carries no credential at all."""

    default_code = "missing_credentials"


class InvalidCredentialsError(TokenError):
    """An opaque credential (admin, team or internal-service token) is not recognised."""

    default_code = "invalid_credentials"


# --- 403.


class NotAdminError(ForbiddenError):
    """The principal is authenticated but not an admin."""

    default_code = "not_admin"


class PermissionDeniedError(ForbiddenError):
    """The principal lacks the required permission."""

    default_code = "permission_denied"


# --- 503.


class JwksUnavailableError(UnavailableError):
    """No key set could be obtained (and the last good one is too old)."""

    default_code = "jwks_unavailable"


class JtiStoreUnavailableError(UnavailableError):
    """The JTI store could not answer; verification fails closed."""

    default_code = "jti_store_unavailable"


class LookupUnavailableError(UnavailableError):
    """The team-token lookup could not answer (it raised, or returned a row that is not one)."""

    default_code = "lookup_unavailable"


class ProviderUnavailableError(UnavailableError):
    """The OpenID Provider could not be reached (login)."""

    default_code = "provider_unavailable"


# --- 401, login callback.


class InvalidStateError(TokenError):
    """``state`` is missing or differs from the state cookie (CSRF)."""

    default_code = "invalid_state"


class InvalidNonceError(TokenError):
    """The ID token's ``nonce`` differs from the nonce cookie."""

    default_code = "invalid_nonce"


class CodeExchangeFailedError(TokenError):
    """The provider refused the authorization code (replayed, expired, wrong PKCE verifier)."""

    default_code = "code_exchange_failed"


class LoginDeniedError(TokenError):
    """The provider reported an error on the callback (``access_denied``, ...)."""

    default_code = "login_denied"


# --- 500.


class InvalidPermissionError(ConfigurationError):
    """A permission string is malformed."""

    default_code = "invalid_permission"


class InvalidConfigError(ConfigurationError):
    """The configuration is invalid."""

    default_code = "invalid_config"


class InvalidKeyError(ConfigurationError):
    """A key is unusable (or a key set has no usable key)."""

    default_code = "invalid_key"


_ALL: tuple[type[AuthError], ...] = (
    TokenMalformedError,
    ForbiddenHeaderError,
    TokenTooLargeError,
    TokenExpiredError,
    TokenNotYetValidError,
    TokenIssuedInFutureError,
    InvalidSignatureError,
    AlgorithmNotAllowedError,
    UnknownKeyIdError,
    InvalidIssuerError,
    InvalidAudienceError,
    MissingClaimError,
    InvalidClaimError,
    UnsupportedCriticalHeaderError,
    TokenRevokedError,
    JtiNotFoundError,
    NotAdminError,
    PermissionDeniedError,
    JwksUnavailableError,
    JtiStoreUnavailableError,
    InvalidPermissionError,
    InvalidConfigError,
    InvalidKeyError,
    MissingCredentialsError,
    InvalidCredentialsError,
    LookupUnavailableError,
    InvalidStateError,
    InvalidNonceError,
    CodeExchangeFailedError,
    LoginDeniedError,
    ProviderUnavailableError,
)

#: Every code and the class raised for it, in the core's declaration order.
BY_CODE: dict[str, type[AuthError]] = {cls.default_code: cls for cls in _ALL if cls.default_code}


def from_code(code: str, message: str) -> AuthError:
    """The exception for ``code`` with ``message``.

    A code this version does not know (a newer core) gives a plain :class:`AuthError` with
    status 500, so it is never mistaken for a credential problem. The compiled layer calls this
    to build every exception it raises.
    """
    cls = BY_CODE.get(code)
    if cls is None:
        return AuthError(message, code=code, status=500)
    return cls(message)
