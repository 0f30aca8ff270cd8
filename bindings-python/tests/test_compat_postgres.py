"""The compat layer's JTI store on the real PostgreSQL: SqlAlchemyJtiStore over the service's
``impersonation_jtis`` table, read by the package's own PostgresJtiStore too (the table is
unchanged), the allowlist through the config service's routes, and single use under
concurrent verifications. Runs under scripts/with-postgres.sh."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
from compat_app import ADMIN_TOKEN, app, env
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, delete, select
from sqlalchemy.orm import Session, sessionmaker
from support import bearer

from incidentfox_auth import PostgresJtiStore
from incidentfox_auth.compat import config_service as cs
from incidentfox_auth.compat.config_service.repository import SqlAlchemyJtiStore
from incidentfox_auth.compat.config_service.tables import impersonation_jtis, metadata

DATABASE_URL = os.environ.get("IFX_TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not DATABASE_URL, reason="no IFX_TEST_DATABASE_URL (run under scripts/with-postgres.sh)")


@pytest.fixture
def engine() -> Iterator[Engine]:
    assert DATABASE_URL is not None
    url = DATABASE_URL.replace("postgres://", "postgresql+psycopg://", 1)
    engine = create_engine(url)
    metadata.create_all(engine, tables=[impersonation_jtis])
    with engine.begin() as conn:
        conn.execute(delete(impersonation_jtis))
    yield engine
    engine.dispose()


def use(monkeypatch: pytest.MonkeyPatch, engine: Engine, **extra: str) -> sessionmaker[Session]:
    for name, value in env(**extra).items():
        monkeypatch.setenv(name, value)
    factory = sessionmaker(engine)
    cs.configure(session_factory=factory, jti_store=SqlAlchemyJtiStore(factory))
    return factory


@pytest.fixture(autouse=True)
def forget() -> Iterator[None]:
    yield
    cs.configure(session_factory=None, jti_store=None)


def test_the_allowlist_on_postgres(monkeypatch: pytest.MonkeyPatch, engine: Engine) -> None:
    factory = use(monkeypatch, engine, IMPERSONATION_JTI_DB_LOGGING="1", IMPERSONATION_JTI_DB_REQUIRE="1")
    client = TestClient(app())
    minted = client.post("/api/v1/admin/orgs/org-1/teams/team-1/impersonation-token", headers=bearer(ADMIN_TOKEN)).json()
    claims = cs.verify_team_impersonation_token(minted["token"])
    with factory() as session:
        row = session.execute(select(impersonation_jtis)).mappings().one()
    assert (row["jti"], row["org_id"], row["team_node_id"], row["subject"]) == (claims["jti"], "org-1", "team-1", "super_admin")
    assert int(row["expires_at"].timestamp()) == minted["expires_at"]
    # The package's native store reads the same rows.
    assert DATABASE_URL is not None
    assert PostgresJtiStore(DATABASE_URL).contains(claims["jti"]) is True
    assert client.get("/api/v1/config/me", headers=bearer(minted["token"])).json()["auth_kind"] == "impersonation"
    assert SqlAlchemyJtiStore(factory).revoke(claims["jti"]) is True
    response = client.get("/api/v1/config/me", headers=bearer(minted["token"]))
    assert (response.status_code, response.json()) == (401, {"detail": "Invalid token"})
    with pytest.raises(ValueError, match="^Invalid impersonation token: "):
        cs.verify_team_impersonation_token(minted["token"])


def test_without_the_allowlist_nothing_is_recorded(monkeypatch: pytest.MonkeyPatch, engine: Engine) -> None:
    factory = use(monkeypatch, engine)
    token, _, _ = cs.mint_team_impersonation_token(org_id="o", team_node_id="t", actor_subject="a", actor_email=None)
    assert cs.verify_team_impersonation_token(token)["org_id"] == "o"
    with factory() as session:
        assert session.execute(select(impersonation_jtis)).first() is None


def test_single_use_lets_exactly_one_concurrent_verification_pass(monkeypatch: pytest.MonkeyPatch, engine: Engine) -> None:
    use(monkeypatch, engine, IMPERSONATION_JTI_DB_LOGGING="1", IMPERSONATION_JTI_SINGLE_USE="1")
    token, _, _ = cs.mint_team_impersonation_token(org_id="o", team_node_id="t", actor_subject="a", actor_email=None)
    passed: list[bool] = []
    barrier = threading.Barrier(8)

    def verify() -> None:
        barrier.wait()
        try:
            cs.verify_team_impersonation_token(token)
            passed.append(True)
        except ValueError:
            passed.append(False)

    threads = [threading.Thread(target=verify) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(passed) == [False] * 7 + [True]
