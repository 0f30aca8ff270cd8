"""The compiled core of incidentfox_auth. Import from ``incidentfox_auth``, not from here.

Every failure raises the :class:`incidentfox_auth.errors.AuthError` subclass of its code."""

from collections.abc import Awaitable, Iterable, Mapping, Sequence
from typing import Any, final

__version__: str
"""The package version."""

ERROR_CODES: list[tuple[str, int]]
"""Every error code with its HTTP status, in declaration order."""

def error_http_response(code: str) -> tuple[int, list[tuple[str, str]], str] | None:
    """The answer to an untrusted caller for error ``code``: status, ``(name, value)`` headers and
    the JSON body, whose message is fixed per code; ``None`` for an unknown code."""

@final
class VerifiedToken:
    """An OIDC token that passed every check."""

    @property
    def claims(self) -> dict[str, Any]: ...
    @property
    def subject(self) -> str: ...
    @property
    def email(self) -> str | None: ...
    @property
    def groups(self) -> list[str]: ...
    @property
    def org_id(self) -> str | None: ...
    @property
    def team_node_id(self) -> str | None: ...

@final
class OidcValidator:
    """Validates OIDC tokens against one issuer and a cached, rotating key set."""

    def __new__(
        cls,
        *,
        issuer: str,
        audience: str | Sequence[str],
        jwks_json: str | None = None,
        jwks_url: str | None = None,
        discovery: bool = False,
        algorithms: Sequence[str] | None = None,
        leeway: float | None = None,
        groups_claim: str | None = None,
        subject_claim: str | None = None,
        email_claim: str | None = None,
        org_id_claim: str | None = None,
        team_node_id_claim: str | None = None,
        required_claims: Sequence[str] | None = None,
        allowed_typ: Sequence[str] | None = None,
        max_age: float | None = None,
        require_kid: bool | None = None,
        max_token_bytes: int | None = None,
        verified_cache_ttl: float | None = None,
        verified_cache_max_entries: int | None = None,
    ) -> OidcValidator: ...
    @staticmethod
    def from_env(env: Mapping[str, str] | None = None) -> OidcValidator | None:
        """Reads the ``OIDC_*`` variables (``env`` or ``os.environ``); ``None`` unless ``OIDC_ENABLED=1``."""
    def verify(self, token: str, *, now: float | None = None) -> VerifiedToken:
        """Verifies ``token``, fetching keys when needed (the GIL is released meanwhile)."""
    def verify_async(self, token: str, *, now: float | None = None) -> Awaitable[VerifiedToken]:
        """As :meth:`verify`, awaitable; never blocks the event loop."""
    def stats(self) -> dict[str, Any]:
        """A snapshot of the counters: ``verifications`` (``[{kind, outcome, count}]``),
        ``verified_cache``, ``jwks`` and ``jti_store`` (``docs/observability.md``)."""
    def metric_families(self) -> list[dict[str, Any]]:
        """The counters as Prometheus metric families: ``{name, type, help, samples}``, each
        sample ``{name, labels, value}`` with ``labels`` a dict."""
    def openmetrics(self) -> str:
        """The counters as OpenMetrics text, ending in ``# EOF``."""
    def health(self) -> dict[str, Any]:
        """Whether the key set can serve: ``{ready, jwks, jti_store}`` (an inline set is always
        ready; a remote set never fetched, or past serving, is fetched first)."""
    def health_async(self) -> Awaitable[dict[str, Any]]:
        """As :meth:`health`, awaitable."""
    def verified_cache_len(self) -> int:
        """Tokens held in the verified-token cache (for metrics)."""
    def verify_cached(self, token: str, *, now: float | None = None) -> VerifiedToken:
        """Verifies with keys already loaded; never touches the network."""

@final
class Decision:
    """An authorization decision: allowed or not, the grant that matched and its source, or the reason."""

    @property
    def allowed(self) -> bool: ...
    @property
    def matched_grant(self) -> str | None: ...
    @property
    def source(self) -> str | None: ...
    @property
    def reason(self) -> str | None: ...
    def to_dict(self) -> dict[str, Any]: ...
    def raise_for_denial(self) -> None:
        """Raises ``permission_denied`` or ``not_admin`` (403) when denied."""

@final
class PermissionSet:
    """Grants compiled for matching (``*`` one segment, trailing ``*`` one or more, bare ``*`` everything)."""

    def __new__(cls, grants: Iterable[str]) -> PermissionSet: ...
    def grants(self, required: str) -> bool: ...
    def matching_grant(self, required: str) -> str | None: ...
    def explain(self, required: str) -> Decision: ...
    def __len__(self) -> int: ...
    def to_list(self) -> list[str]: ...

def explain(grants: Iterable[str], required: str) -> Decision:
    """The decision for ``required`` against explicit ``grants`` (source ``grants``)."""

@final
class Principal:
    """An authenticated caller; ``to_dict()`` is the ``GET /api/v1/auth/me`` body."""

    @property
    def role(self) -> str: ...
    @property
    def auth_kind(self) -> str: ...
    @property
    def org_id(self) -> str | None: ...
    @property
    def team_node_id(self) -> str | None: ...
    @property
    def subject(self) -> str | None: ...
    @property
    def email(self) -> str | None: ...
    @property
    def can_write(self) -> bool: ...
    @property
    def permissions(self) -> list[str]: ...
    @property
    def visitor_session_id(self) -> str | None: ...
    @property
    def groups(self) -> list[str]: ...
    @property
    def is_admin(self) -> bool: ...
    @staticmethod
    def with_grants(
        role: str, grants: Sequence[str], *, auth_kind: str = "admin_token", can_write: bool = True
    ) -> Principal:
        """A principal holding explicit grants (source ``grants``), for tests and tools."""
    def grants(self, required: str) -> bool: ...
    def explain(self, required: str) -> Decision: ...
    def require_admin(self, permission: str | None = None, *, org_id: str | None = None) -> None:
        """Raises ``NotAdminError`` unless an admin, then ``PermissionDeniedError`` unless it
        holds a grant for ``permission`` (when given). An org-admin token (``auth_kind``
        ``org_admin_token``) passes only when ``org_id`` names its own org."""
    def require_team(self) -> None:
        """Raises ``PermissionDeniedError`` unless the principal names an org and a team. Read-only
        impersonation and anonymous visitor principals pass: see :meth:`require_team_member`."""
    def require_team_member(
        self,
        *,
        write: bool = False,
        permission: str | None = None,
        org_id: str | None = None,
        team_node_id: str | None = None,
        allow_visitors: bool = False,
    ) -> None:
        """Raises ``PermissionDeniedError`` unless the principal names an org and a team, is no
        anonymous visitor (unless ``allow_visitors``), belongs to ``org_id`` and ``team_node_id``
        when given (``""`` admits nobody), may write when ``write``, and holds ``permission``."""
    def to_dict(self) -> dict[str, Any]: ...

@final
class RbacPolicy:
    """Admin grants: defaults plus the grants mapped to each group."""

    def __new__(
        cls,
        defaults: Sequence[str] = ...,
        group_permissions: Mapping[str, Sequence[str] | str] | None = None,
    ) -> RbacPolicy: ...
    @staticmethod
    def from_env(env: Mapping[str, str] | None = None) -> RbacPolicy: ...
    def resolve(self, groups: Sequence[str]) -> list[str]: ...
    def resolve_claims(self, claims: Mapping[str, Any], groups_claim: str | None = None) -> list[str]:
        """The grants of an admin with these claims (verified elsewhere)."""
    def resolve_with_sources(self, groups: Sequence[str]) -> list[tuple[str, str]]:
        """The grants with the source of each (``default`` or ``group:<name>``)."""
    def explain(self, groups: Sequence[str], required: str) -> Decision: ...

@final
class RouteTable:
    """Orchestrator routes and their required permissions."""

    def __new__(
        cls,
        *,
        require_admin_star: bool | None = None,
        routes: Mapping[str, str | None] | None = None,
    ) -> RouteTable: ...
    @staticmethod
    def from_env(env: Mapping[str, str] | None = None) -> RouteTable: ...
    def required(self, route: str) -> str | None: ...
    def routes(self) -> dict[str, str | None]: ...
    @property
    def require_admin_star(self) -> bool: ...
    def authorize(self, principal: Principal, route: str, *, org_id: str | None = None) -> Decision:
        """The decision for ``principal`` on ``route``; with ``org_id``, the request acts on that
        org, and an org-admin token is allowed only for its own (reason ``org_scope``)."""

@final
class MintedToken:
    """A minted impersonation or visitor token."""

    @property
    def token(self) -> str: ...
    @property
    def expires_at(self) -> int: ...
    @property
    def jti(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class VerifiedImpersonation:
    """An impersonation or visitor token that passed every check."""

    @property
    def kind(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def email(self) -> str | None: ...
    @property
    def org_id(self) -> str: ...
    @property
    def team_node_id(self) -> str: ...
    @property
    def visitor_session_id(self) -> str | None: ...
    @property
    def jti(self) -> str: ...
    @property
    def expires_at(self) -> float: ...
    @property
    def claims(self) -> dict[str, Any]: ...
    def principal(self) -> Principal: ...

@final
class MemoryJtiStore:
    """JTIs in memory until their token expires (one process)."""

    def __new__(cls, capacity: int | None = None) -> MemoryJtiStore: ...
    def record(self, entry: Mapping[str, Any]) -> None: ...
    def contains(self, jti: str) -> bool: ...
    def revoke(self, jti: str) -> bool: ...
    def consume(self, jti: str) -> bool: ...
    def __len__(self) -> int: ...

@final
class PostgresJtiStore:
    """JTIs in PostgreSQL (the ``impersonation_jtis`` table), shared by replicas."""

    def __new__(cls, url: str, *, pool_size: int | None = None) -> PostgresJtiStore: ...
    @staticmethod
    def from_env(env: Mapping[str, str] | None = None) -> PostgresJtiStore: ...
    def migrate(self) -> None: ...
    def purge_expired(self) -> int: ...
    def record(self, entry: Mapping[str, Any]) -> None: ...
    def contains(self, jti: str) -> bool: ...
    def revoke(self, jti: str) -> bool: ...
    def consume(self, jti: str) -> bool: ...

@final
class ImpersonationSigner:
    """Mints HS256 team-impersonation and visitor tokens with today's claims."""

    def __new__(
        cls,
        secret: str,
        *,
        audience: str | None = None,
        accept_legacy_audience: bool | None = None,
        ttl_seconds: int | None = None,
        visitor_ttl_seconds: int | None = None,
        jti_logging: bool | None = None,
        jti_require: bool | None = None,
        record_mode: str | None = None,
        single_use: bool | None = None,
        jti_store: Any | None = None,
        hook_deadline_seconds: float | None = None,
        hook_max_in_flight: int | None = None,
    ) -> ImpersonationSigner:
        """``hook_deadline_seconds`` (default 5) and ``hook_max_in_flight`` (default 64) bound
        every call to a Python ``jti_store``: past the deadline, or with that many calls in
        flight, the call fails with ``jti_store_unavailable``."""
    @staticmethod
    def from_env(
        env: Mapping[str, str] | None = None,
        *,
        jti_store: Any | None = None,
        hook_deadline_seconds: float | None = None,
        hook_max_in_flight: int | None = None,
    ) -> ImpersonationSigner:
        """The hook settings default to ``AUTH_HOOK_DEADLINE_SECONDS`` and
        ``AUTH_HOOK_MAX_IN_FLIGHT``."""
    def mint(
        self,
        *,
        org_id: str,
        team_node_id: str,
        subject: str,
        email: str | None = None,
        ttl_seconds: int | None = None,
        now: float | None = None,
    ) -> MintedToken: ...
    def mint_async(
        self,
        *,
        org_id: str,
        team_node_id: str,
        subject: str,
        email: str | None = None,
        ttl_seconds: int | None = None,
        now: float | None = None,
    ) -> Awaitable[MintedToken]: ...
    def mint_visitor(
        self,
        *,
        org_id: str,
        team_node_id: str,
        session_id: str,
        email: str | None = None,
        ttl_seconds: int | None = None,
        now: float | None = None,
    ) -> MintedToken: ...
    def mint_visitor_async(
        self,
        *,
        org_id: str,
        team_node_id: str,
        session_id: str,
        email: str | None = None,
        ttl_seconds: int | None = None,
        now: float | None = None,
    ) -> Awaitable[MintedToken]: ...

@final
class ImpersonationVerifier:
    """Verifies impersonation and visitor tokens: HS256 only, today's claim rules, JTI hooks."""

    def __new__(
        cls,
        secret: str,
        *,
        audience: str | None = None,
        accept_legacy_audience: bool | None = None,
        ttl_seconds: int | None = None,
        visitor_ttl_seconds: int | None = None,
        jti_logging: bool | None = None,
        jti_require: bool | None = None,
        record_mode: str | None = None,
        single_use: bool | None = None,
        jti_store: Any | None = None,
        verified_cache_ttl: float | None = None,
        verified_cache_max_entries: int | None = None,
        hook_deadline_seconds: float | None = None,
        hook_max_in_flight: int | None = None,
    ) -> ImpersonationVerifier:
        """``hook_deadline_seconds`` (default 5) and ``hook_max_in_flight`` (default 64) bound
        every call to a Python ``jti_store``: past the deadline, or with that many calls in
        flight, the call fails with ``jti_store_unavailable``."""
    @staticmethod
    def from_env(
        env: Mapping[str, str] | None = None,
        *,
        jti_store: Any | None = None,
        hook_deadline_seconds: float | None = None,
        hook_max_in_flight: int | None = None,
    ) -> ImpersonationVerifier:
        """The hook settings default to ``AUTH_HOOK_DEADLINE_SECONDS`` and
        ``AUTH_HOOK_MAX_IN_FLIGHT``."""
    def verify(self, token: str, *, now: float | None = None) -> VerifiedImpersonation: ...
    def verify_async(self, token: str, *, now: float | None = None) -> Awaitable[VerifiedImpersonation]: ...
    def stats(self) -> dict[str, Any]:
        """A snapshot of the counters: ``verifications`` (``[{kind, outcome, count}]``),
        ``verified_cache``, ``jwks`` and ``jti_store`` (``docs/observability.md``)."""
    def metric_families(self) -> list[dict[str, Any]]:
        """The counters as Prometheus metric families: ``{name, type, help, samples}``, each
        sample ``{name, labels, value}`` with ``labels`` a dict."""
    def openmetrics(self) -> str:
        """The counters as OpenMetrics text, ending in ``# EOF``."""
    def health(self) -> dict[str, Any]:
        """``{ready, jwks, jti_store}``: whether the JTI store (if any) answers one probe call,
        made under the hook deadline (the GIL is released meanwhile)."""
    def health_async(self) -> Awaitable[dict[str, Any]]:
        """As :meth:`health`, awaitable."""
    def verify_cached(self, token: str, *, now: float | None = None) -> VerifiedImpersonation:
        """Signature and claims only, on the calling thread, through the verified-token cache
        (never with an explicit ``now``). Raises ``invalid_config`` when this verifier must ask
        its JTI store (``jti_require`` or ``single_use``), which only :meth:`verify` can do."""

@final
class Authenticator:
    """One call per request: credential headers to a :class:`Principal`."""

    @staticmethod
    def from_env(
        env: Mapping[str, str] | None = None,
        *,
        jti_store: Any | None = None,
        team_token_lookup: Any | None = None,
        hook_deadline_seconds: float | None = None,
        hook_max_in_flight: int | None = None,
    ) -> Authenticator:
        """``hook_deadline_seconds`` and ``hook_max_in_flight`` (else ``AUTH_HOOK_DEADLINE_SECONDS``,
        default 5, and ``AUTH_HOOK_MAX_IN_FLIGHT``, default 64) bound every call to the lookup
        and the store: past the deadline, or with that many calls in flight, the call fails with
        ``lookup_unavailable`` (``jti_store_unavailable`` for the store) instead of waiting."""
    def authenticate(
        self, headers: Mapping[str, str], *, now: float | None = None, method: str | None = None
    ) -> Principal:
        """``method`` (``GET``, ``POST``, ...) is what ``SESSION_COOKIE_CSRF`` checks before the
        session cookie counts as the credential; without it the request's method is unknown,
        which those policies treat as unsafe."""
    def authenticate_async(
        self, headers: Mapping[str, str], *, now: float | None = None, method: str | None = None
    ) -> Awaitable[Principal]: ...
    def stats(self) -> dict[str, Any]:
        """A snapshot of the counters: ``verifications`` (``[{kind, outcome, count}]``),
        ``verified_cache``, ``jwks`` and ``jti_store`` (``docs/observability.md``)."""
    def metric_families(self) -> list[dict[str, Any]]:
        """The counters as Prometheus metric families: ``{name, type, help, samples}``, each
        sample ``{name, labels, value}`` with ``labels`` a dict."""
    def openmetrics(self) -> str:
        """The counters as OpenMetrics text, ending in ``# EOF``."""
    def health(self) -> dict[str, Any]:
        """``{ready, jwks, jti_store}``: whether the OIDC key set (if remote) is usable and the
        JTI store (if any) answers one probe call, made under the hook deadline (the GIL is
        released meanwhile)."""
    def health_async(self) -> Awaitable[dict[str, Any]]:
        """As :meth:`health`, awaitable."""
    def grants_from_claims(self, claims: Mapping[str, Any]) -> list[str]:
        """The grants of an admin with these claims (verified elsewhere), the groups read from
        the configured ``OIDC_GROUPS_CLAIM``."""
    @property
    def routes(self) -> RouteTable: ...

def openmetrics(*objects: OidcValidator | ImpersonationVerifier | Authenticator) -> str:
    """The OpenMetrics text of these objects' counters added together (``verifications`` by
    kind and outcome summed; the first key set and JTI store found)."""

def metric_families(
    *objects: OidcValidator | ImpersonationVerifier | Authenticator,
) -> list[dict[str, Any]]:
    """As :func:`openmetrics`, as metric families (see ``OidcValidator.metric_families``)."""

def refresh_log_level() -> None:
    """Reads the ``incidentfox_auth.*`` loggers' levels now. Which events are forwarded to
    ``logging`` follows those levels, read at most once a second otherwise."""

def generate_team_token(pepper: str) -> dict[str, str]:
    """A new ``<token_id>.<secret>`` token: ``{"token", "token_id", "token_hash"}``."""

def hash_team_token(token: str, pepper: str) -> dict[str, str]:
    """``{"token_id", "token_hash"}`` as stored, for a full ``<token_id>.<secret>`` token."""

def admin_token_grants() -> list[str]:
    """The grants of the break-glass admin token (``["admin:*"]``), without authenticating one."""

def hash_token_secret(secret: str, pepper: str) -> str:
    """The stored hash of any secret: hex SHA-256 of the secret followed by the pepper."""

def verify_team_token(token: str, stored_hash: str, pepper: str) -> bool:
    """Whether the token's secret hashes to ``stored_hash`` (constant time)."""

@final
class OidcLogin:
    """The web UI's OIDC login: Authorization Code + PKCE (S256) + nonce."""

    def __new__(
        cls,
        *,
        issuer: str,
        client_id: str,
        public_base_url: str,
        client_secret: str | None = None,
        authorization_endpoint: str | None = None,
        token_endpoint: str | None = None,
        jwks_url: str | None = None,
        scopes: Sequence[str] | None = None,
        cookie_secure: bool | None = None,
        algorithms: Sequence[str] | None = None,
        groups_claim: str | None = None,
    ) -> OidcLogin:
        """Missing endpoints are discovered from the issuer now (blocking, GIL released).

        Cookies are ``Secure`` when ``public_base_url`` is https (``cookie_secure=False`` with an
        https base URL is :class:`InvalidConfigError`); ``cookie_secure=True`` forces it on."""
    @staticmethod
    def from_env(env: Mapping[str, str] | None = None) -> OidcLogin | None:
        """Reads the ``WEB_UI_*`` variables; ``None`` unless ``WEB_UI_OIDC_ENABLED=1``."""
    def begin(self, return_to: str | None = None, require_role: str | None = None) -> dict[str, Any]:
        """``{"authorization_url", "cookies": [{name, value, path, max_age, http_only, secure, same_site, header}]}``.

        ``require_role`` is kept in the state cookie, so it belongs to this login attempt only."""
    def complete(self, query: str, cookie_header: str) -> dict[str, Any]:
        """``{"identity", "id_token", "return_to", "require_role", "clear_cookies", "session_cookie"}``.

        The callback's ``iss`` (RFC 9207) must be the issuer, and present when discovery promises
        it (:class:`InvalidIssuerError`); ``return_to`` comes back as a browser would request it
        (dot segments resolved, non-ASCII text percent-encoded)."""
    def complete_async(self, query: str, cookie_header: str) -> Awaitable[dict[str, Any]]: ...
