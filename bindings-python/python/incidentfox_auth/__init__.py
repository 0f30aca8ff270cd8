"""Authentication and authorization for IncidentFox services.

OIDC JWT validation against a cached, rotating JWKS; admin, team-token, impersonation and visitor
authentication with in-memory, PostgreSQL or your own JTI stores; group → permission RBAC with
wildcards, route checks and explained decisions. The logic is the Rust core ``incidentfox-auth``,
so the same input gives the same decision and the same error code in Rust, Python and Node.

One call per request::

    from incidentfox_auth import Authenticator

    authenticator = Authenticator.from_env()          # the services' environment variables
    principal = authenticator.authenticate(request.headers)
    principal.to_dict()                               # the GET /api/v1/auth/me body

Every failure raises an :class:`AuthError` subclass with a stable ``code`` and an HTTP ``status``
(see :mod:`incidentfox_auth.errors`). Network-touching calls release the GIL and have ``*_async``
variants that never block the event loop. FastAPI dependencies live in
:mod:`incidentfox_auth.fastapi` (``pip install 'incidentfox-auth[fastapi]'``).

What the library does is logged on the ``incidentfox_auth.<area>`` loggers (``keys``, ``jti``,
``lookup``, ``login``, ``config``, ``verify``), counted (``stats()``, :func:`openmetrics`,
:mod:`incidentfox_auth.prometheus`) and probed (``health()``): see ``docs/observability.md``.
"""

from __future__ import annotations


from . import errors
from . import _native
from ._native import (
    ERROR_CODES,
    Authenticator,
    Decision,
    ImpersonationSigner,
    ImpersonationVerifier,
    MemoryJtiStore,
    MintedToken,
    OidcLogin,
    OidcValidator,
    PermissionSet,
    PostgresJtiStore,
    Principal,
    RbacPolicy,
    RouteTable,
    VerifiedImpersonation,
    VerifiedToken,
    admin_token_grants,
    error_http_response,
    explain,
    generate_team_token,
    hash_team_token,
    hash_token_secret,
    metric_families,
    openmetrics,
    refresh_log_level,
    verify_team_token,
)
from .errors import (
    BY_CODE,
    AlgorithmNotAllowedError,
    AuthError,
    ConfigurationError,
    ForbiddenError,
    ForbiddenHeaderError,
    InvalidAudienceError,
    InvalidClaimError,
    InvalidConfigError,
    InvalidCredentialsError,
    InvalidIssuerError,
    InvalidKeyError,
    InvalidPermissionError,
    InvalidSignatureError,
    JtiNotFoundError,
    JtiStoreUnavailableError,
    JwksUnavailableError,
    LookupUnavailableError,
    LoginDeniedError,
    InvalidStateError,
    InvalidNonceError,
    CodeExchangeFailedError,
    ProviderUnavailableError,
    MissingClaimError,
    MissingCredentialsError,
    NotAdminError,
    PermissionDeniedError,
    TokenError,
    TokenExpiredError,
    TokenIssuedInFutureError,
    TokenMalformedError,
    TokenNotYetValidError,
    TokenRevokedError,
    TokenTooLargeError,
    UnavailableError,
    UnknownKeyIdError,
    UnsupportedCriticalHeaderError,
    from_code,
)

# From the compiled module rather than importlib.metadata, which alone costs ~80 ms at import.
__version__: str = _native.__version__

__all__ = [
    # compiled core
    "ERROR_CODES",
    "Authenticator",
    "Decision",
    "ImpersonationSigner",
    "ImpersonationVerifier",
    "MemoryJtiStore",
    "MintedToken",
    "OidcLogin",
    "OidcValidator",
    "PermissionSet",
    "PostgresJtiStore",
    "Principal",
    "RbacPolicy",
    "RouteTable",
    "VerifiedImpersonation",
    "VerifiedToken",
    "admin_token_grants",
    "error_http_response",
    "explain",
    "generate_team_token",
    "hash_team_token",
    "hash_token_secret",
    "metric_families",
    "openmetrics",
    "refresh_log_level",
    "verify_team_token",
    # errors
    "errors",
    "BY_CODE",
    "from_code",
    "AuthError",
    "TokenError",
    "ForbiddenError",
    "UnavailableError",
    "ConfigurationError",
    "AlgorithmNotAllowedError",
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
    "TokenExpiredError",
    "TokenIssuedInFutureError",
    "TokenMalformedError",
    "TokenNotYetValidError",
    "TokenRevokedError",
    "TokenTooLargeError",
    "UnknownKeyIdError",
    "UnsupportedCriticalHeaderError",
    "__version__",
]
