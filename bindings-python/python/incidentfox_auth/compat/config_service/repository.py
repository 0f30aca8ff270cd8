"""``config_service/src/db/repository.py``: team-token, org-admin-token and JTI rows through a
SQLAlchemy session (``pip install 'incidentfox-auth[compat]'``).

The rows are read here; whether a bearer matches its row, and whether the row is revoked or
expired, is the package's decision (the constant-time check of its ``Authenticator``). The
functions take the service's session first, as before, and the table of :mod:`.tables` unless
the service passes its own ``table=``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Table, delete, exists, insert, or_, select, update
from sqlalchemy.orm import Session

from ..._native import Authenticator, Principal as _CorePrincipal, explain
from ...errors import AuthError, ConfigurationError, UnavailableError
from .tables import impersonation_jtis, org_admin_tokens, team_tokens

__all__ = [
    "AuthenticatedToken",
    "OrgAdminPrincipal",
    "Principal",
    "SqlAlchemyJtiStore",
    "TokenTableLookup",
    "authenticate_bearer_token",
    "authenticate_bearer_token_extended",
    "authenticate_org_admin_token",
    "impersonation_jti_exists",
    "record_impersonation_jti",
]


@dataclass(frozen=True)
class Principal:
    org_id: str
    team_node_id: str


@dataclass(frozen=True)
class OrgAdminPrincipal:
    org_id: str


@dataclass(frozen=True)
class AuthenticatedToken:
    org_id: str
    team_node_id: str
    token_id: str
    permissions: list[str]
    expires_at: datetime | None
    label: str | None


def _utc(value: datetime) -> datetime:
    # The service writes naive UTC (datetime.utcnow()) and SQLite returns naive values: a naive
    # time is UTC, as the service compared it (docs/compatibility.md, "What the compat layer
    # keeps of the services").
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _unix(value: Any) -> Any:
    """A row's time as the package reads it: Unix seconds, or ``None``. Any other value is passed
    on unchanged for the package to refuse (``lookup_unavailable``), never read as "no time"."""
    if isinstance(value, datetime):
        return _utc(value).timestamp()
    return value


class TokenTableLookup:
    """The package's team-token lookup over one table: ``lookup(token_id)`` returns the row as
    the package reads it (``kind`` ``team`` or ``org_admin``), or ``None``.

    ``session`` is a SQLAlchemy ``Session`` or a factory of them (``SessionLocal``); the package
    may call ``lookup`` from a worker thread while the caller waits, so a session used here must
    not be tied to its thread (SQLite: ``check_same_thread=False``)."""

    def __init__(self, session: Session | Callable[[], Session], table: Table, kind: str) -> None:
        self.session = session
        self.table = table
        self.kind = kind
        self.found: dict[str, Any] | None = None

    def _read(self, session: Session, token_id: str) -> dict[str, Any] | None:
        row = session.execute(select(self.table).where(self.table.c.token_id == token_id)).mappings().first()
        return dict(row) if row is not None else None

    def lookup(self, token_id: str) -> dict[str, Any] | None:
        if isinstance(self.session, Session):
            row = self._read(self.session, token_id)
        else:
            with self.session() as session:
                row = self._read(session, token_id)
        self.found = row
        if row is None:
            return None
        return {
            "org_id": row["org_id"],
            "team_node_id": row.get("team_node_id") if self.kind == "team" else None,
            "token_id": row["token_id"],
            "token_hash": row["token_hash"],
            "revoked_at": _unix(row.get("revoked_at")),
            "expires_at": _unix(row.get("expires_at")),
            "kind": self.kind,
        }


def _authenticate(lookup: TokenTableLookup, bearer: str, pepper: str) -> _CorePrincipal:
    # Only the pepper is configured: a bearer of another shape (no dot: an admin token; two
    # dots: a JWT) finds nothing to authenticate it and is refused as an invalid credential.
    authenticator = Authenticator.from_env({"TOKEN_PEPPER": pepper}, team_token_lookup=lookup)
    return authenticator.authenticate({"Authorization": f"Bearer {bearer}"})


def _refusal(error: AuthError, messages: Mapping[str, str]) -> Exception:
    if isinstance(error, (UnavailableError, ConfigurationError)):
        return error
    return ValueError(messages.get(error.code, "Invalid token"))


_TEAM_MESSAGES = {
    "token_malformed": "Invalid token format",
    "token_revoked": "Token revoked",
    "token_expired": "Token expired",
}
_ORG_ADMIN_MESSAGES = {
    "token_malformed": "Invalid token format",
    "token_revoked": "Token has been revoked",
    "token_expired": "Token has expired",
}

#: last_used_at is written at most this often per token, as the service did, to spare the row
#: a write on every request (docs/compatibility.md, "What the compat layer keeps of the services").
LAST_USED_INTERVAL = timedelta(minutes=5)


def touch_last_used(session: Session, table: Table, token_id: str) -> None:
    now = datetime.now(timezone.utc)
    session.execute(
        update(table)
        .where(table.c.token_id == token_id)
        .where(or_(table.c.last_used_at.is_(None), table.c.last_used_at < now - LAST_USED_INTERVAL))
        .values(last_used_at=now)
    )
    session.flush()


def authenticate_bearer_token(
    session: Session,
    *,
    bearer: str,
    pepper: str,
    update_last_used: bool = True,
    table: Table = team_tokens,
) -> Principal:
    """The team of a valid team token; ``ValueError`` "Invalid token format", "Invalid token",
    "Token revoked" or "Token expired" otherwise."""
    lookup = TokenTableLookup(session, table, "team")
    try:
        principal = _authenticate(lookup, bearer, pepper)
    except AuthError as e:
        raise _refusal(e, _TEAM_MESSAGES) from e
    if update_last_used:
        touch_last_used(session, table, bearer.strip().split(".", 1)[0])
    return Principal(org_id=principal.org_id or "", team_node_id=principal.team_node_id or "")


def authenticate_bearer_token_extended(
    session: Session,
    *,
    bearer: str,
    pepper: str,
    required_permission: str | None = None,
    table: Table = team_tokens,
) -> AuthenticatedToken:
    """As :func:`authenticate_bearer_token`, with the row's permissions, expiry and label;
    ``ValueError("Permission denied: <permission>")`` when the row's permissions do not grant
    ``required_permission`` (matched by the package's rules)."""
    lookup = TokenTableLookup(session, table, "team")
    try:
        principal = _authenticate(lookup, bearer, pepper)
    except AuthError as e:
        raise _refusal(e, _TEAM_MESSAGES) from e
    row = lookup.found or {}
    permissions = [str(p) for p in row.get("permissions") or []]
    if required_permission and not explain(permissions, required_permission).allowed:
        raise ValueError(f"Permission denied: {required_permission}")
    token_id = str(row.get("token_id"))
    session.execute(update(table).where(table.c.token_id == token_id).values(last_used_at=datetime.now(timezone.utc)))
    session.flush()
    expires_at = row.get("expires_at")
    return AuthenticatedToken(
        org_id=principal.org_id or "",
        team_node_id=principal.team_node_id or "",
        token_id=token_id,
        permissions=permissions,
        expires_at=expires_at if isinstance(expires_at, datetime) else None,
        label=row.get("label"),
    )


def authenticate_org_admin_token(
    session: Session,
    *,
    bearer: str,
    pepper: str,
    update_last_used: bool = False,
    table: Table = org_admin_tokens,
) -> OrgAdminPrincipal:
    """The org of a valid org-admin token; ``ValueError`` "Invalid token format", "Invalid
    token", "Token has been revoked" or "Token has expired" otherwise."""
    lookup = TokenTableLookup(session, table, "org_admin")
    try:
        principal = _authenticate(lookup, bearer, pepper)
    except AuthError as e:
        raise _refusal(e, _ORG_ADMIN_MESSAGES) from e
    if update_last_used:
        touch_last_used(session, table, bearer.strip().split(".", 1)[0])
    return OrgAdminPrincipal(org_id=principal.org_id or "")


def record_impersonation_jti(
    session: Session,
    *,
    jti: str,
    org_id: str,
    team_node_id: str,
    subject: str | None,
    email: str | None,
    issued_at: datetime,
    expires_at: datetime,
    table: Table = impersonation_jtis,
) -> None:
    """Inserts the row; a duplicate raises the database's error at the flush, as before."""
    session.execute(
        insert(table).values(
            jti=jti,
            org_id=org_id,
            team_node_id=team_node_id,
            subject=subject,
            email=email,
            issued_at=issued_at,
            expires_at=expires_at,
        )
    )
    session.flush()


def impersonation_jti_exists(session: Session, *, jti: str, table: Table = impersonation_jtis) -> bool:
    return bool(session.execute(select(exists().where(table.c.jti == jti))).scalar())


class SqlAlchemyJtiStore:
    """The package's JTI store protocol over the ``impersonation_jtis`` table, through a
    SQLAlchemy session factory (the service's ``SessionLocal``). Each call commits its own
    short transaction: a recorded jti is visible to every replica before the token is returned.

    ``consume`` deletes the row with one ``DELETE ... RETURNING``, so of any number of
    concurrent single-use verifications exactly one passes."""

    def __init__(self, session_factory: Callable[[], Session], table: Table = impersonation_jtis) -> None:
        self.session_factory = session_factory
        self.table = table

    def record(self, entry: Mapping[str, Any]) -> None:
        with self.session_factory() as session, session.begin():
            session.execute(
                insert(self.table).values(
                    jti=entry["jti"],
                    org_id=entry["org_id"],
                    team_node_id=entry["team_node_id"],
                    subject=entry.get("subject"),
                    email=entry.get("email"),
                    issued_at=datetime.fromtimestamp(entry["issued_at"], timezone.utc),
                    expires_at=datetime.fromtimestamp(entry["expires_at"], timezone.utc),
                )
            )

    def contains(self, jti: str) -> bool:
        now = datetime.now(timezone.utc)
        with self.session_factory() as session:
            query = select(exists().where(self.table.c.jti == jti, self.table.c.expires_at > now))
            return bool(session.execute(query).scalar())

    def revoke(self, jti: str) -> bool:
        with self.session_factory() as session, session.begin():
            deleted = session.execute(delete(self.table).where(self.table.c.jti == jti).returning(self.table.c.jti))
            return deleted.first() is not None

    def consume(self, jti: str) -> bool:
        now = datetime.now(timezone.utc)
        with self.session_factory() as session, session.begin():
            deleted = session.execute(
                delete(self.table)
                .where(self.table.c.jti == jti, self.table.c.expires_at > now)
                .returning(self.table.c.jti)
            )
            return deleted.first() is not None
