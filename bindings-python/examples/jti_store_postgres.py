"""A JTI store of your own on PostgreSQL with psycopg 3: the reference for the store protocol.

The package's ``PostgresJtiStore`` already does this natively; write your own when the JTIs must
live in a database or schema the service already manages. The protocol:

- ``record(entry)``: store the row; raise to refuse (a strict mint then returns no token).
- ``contains(jti) -> bool``: recorded and not expired. Only a real ``bool`` counts.
- ``revoke(jti) -> bool``: delete; ``True`` when a row was there.
- ``consume(jti) -> bool``: single use. Must check and delete in one atomic step: of any number of
  concurrent calls for one JTI, exactly one returns ``True``. A ``DELETE ... RETURNING`` is one
  statement, so the row lock decides; ``contains`` then ``revoke`` would let concurrent callers all
  pass. A single-use verifier refuses a store without ``consume``.

Every method may be ``async def`` instead (use ``psycopg.AsyncConnection`` then). Raising from any
of them fails closed (``jti_store_unavailable``).
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

SCHEMA = """
CREATE TABLE IF NOT EXISTS impersonation_jtis (
    jti          text PRIMARY KEY,
    org_id       text NOT NULL,
    team_node_id text NOT NULL,
    subject      text,
    email        text,
    issued_at    timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL
)
"""


class PsycopgJtiStore:
    """The ``impersonation_jtis`` table through a psycopg connection pool."""

    def __init__(self, pool: ConnectionPool[psycopg.Connection[Any]]) -> None:
        self.pool = pool

    def migrate(self) -> None:
        with self.pool.connection() as conn:
            conn.execute(SCHEMA)

    def record(self, entry: dict[str, Any]) -> None:
        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO impersonation_jtis VALUES "
                "(%s, %s, %s, %s, %s, to_timestamp(%s), to_timestamp(%s))",
                (entry["jti"], entry["org_id"], entry["team_node_id"], entry["subject"],
                 entry["email"], entry["issued_at"], entry["expires_at"]),
            )

    def contains(self, jti: str) -> bool:
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT EXISTS (SELECT 1 FROM impersonation_jtis WHERE jti = %s AND expires_at > now())",
                (jti,),
            ).fetchone()
            return row is not None and row[0] is True

    def revoke(self, jti: str) -> bool:
        with self.pool.connection() as conn:
            return conn.execute("DELETE FROM impersonation_jtis WHERE jti = %s", (jti,)).rowcount > 0

    def consume(self, jti: str) -> bool:
        with self.pool.connection() as conn:
            deleted = conn.execute(
                "DELETE FROM impersonation_jtis WHERE jti = %s AND expires_at > now() RETURNING jti",
                (jti,),
            ).fetchone()
            return deleted is not None
