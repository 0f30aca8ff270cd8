"""Minimal SQLAlchemy Core definitions of the tables the config service's auth reads and writes.

Only the columns the compat functions use are declared, with the names and types of the
service's tables (docs/migrating.md, "Tables"), so a query built from them runs against the
service's existing database unchanged. They are never created in production: the service's own
migrations own the tables. A service whose tables live elsewhere (another schema, another
``MetaData``) passes its own ``Table`` objects to the functions that take ``table=``.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Index, MetaData, String, Table

__all__ = ["impersonation_jtis", "metadata", "org_admin_tokens", "team_tokens"]

metadata = MetaData()

#: Team tokens: found by ``token_id``; ``token_hash`` is hex SHA-256(secret ‖ TOKEN_PEPPER).
team_tokens = Table(
    "team_tokens",
    metadata,
    Column("org_id", String(64), primary_key=True),
    Column("team_node_id", String(128), primary_key=True),
    Column("token_id", String(128), primary_key=True, unique=True),
    Column("token_hash", String(128), nullable=False),
    Column("issued_at", DateTime(timezone=True)),
    Column("issued_by", String(256)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("expires_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
    Column("permissions", JSON),
    Column("label", String(256)),
)

#: Org-admin tokens: the same shape without a team; an admin scoped to ``org_id``.
org_admin_tokens = Table(
    "org_admin_tokens",
    metadata,
    Column("org_id", String(64), primary_key=True),
    Column("token_id", String(128), primary_key=True, unique=True),
    Column("token_hash", String(128), nullable=False),
    Column("issued_at", DateTime(timezone=True)),
    Column("issued_by", String(256)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("expires_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
    Column("label", String(256)),
)

#: The impersonation JTI allowlist.
impersonation_jtis = Table(
    "impersonation_jtis",
    metadata,
    Column("jti", String(64), primary_key=True),
    Column("org_id", String(64), nullable=False),
    Column("team_node_id", String(128), nullable=False),
    Column("subject", String(256)),
    Column("email", String(256)),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_impersonation_jtis_org_team", "org_id", "team_node_id"),
    Index("ix_impersonation_jtis_expires_at", "expires_at"),
)
