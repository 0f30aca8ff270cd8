"""Single use with a store of the caller's own: verification calls the store's atomic ``consume``,
so of many concurrent verifications of one token exactly one passes; a store without ``consume``
is refused when a single-use verifier is built; ``consume`` answers only with a real ``bool``.
The PostgreSQL reference store (examples/jti_store_postgres.py) runs when scripts/with-postgres.sh
provides a server."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from incidentfox_auth import (
    AuthError,
    ImpersonationSigner,
    ImpersonationVerifier,
    MemoryJtiStore,
)

SECRET = "single-use-test-secret-0123456789abcdef"
CROWD = 8
ONE_PASSES = ["jti_not_found"] * (CROWD - 1) + ["ok"]


class CheckThenRevokeStore:
    """What a store looks like without ``consume``: ``contains`` and ``revoke`` with a pause
    between them, as any database round trip has."""

    def __init__(self) -> None:
        self.entries: dict[str, dict[str, Any]] = {}

    async def record(self, entry: dict[str, Any]) -> None:
        self.entries[entry["jti"]] = dict(entry)

    async def contains(self, jti: str) -> bool:
        await asyncio.sleep(0.01)
        return jti in self.entries

    async def revoke(self, jti: str) -> bool:
        await asyncio.sleep(0.01)
        return self.entries.pop(jti, None) is not None


class AsyncConsumingStore(CheckThenRevokeStore):
    async def consume(self, jti: str) -> bool:
        await asyncio.sleep(0.01)
        return self.entries.pop(jti, None) is not None


class SyncConsumingStore:
    def __init__(self) -> None:
        self.entries: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()

    def record(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.entries[entry["jti"]] = dict(entry)

    def contains(self, jti: str) -> bool:
        with self.lock:
            return jti in self.entries

    def revoke(self, jti: str) -> bool:
        with self.lock:
            return self.entries.pop(jti, None) is not None

    def consume(self, jti: str) -> bool:
        with self.lock:
            return self.entries.pop(jti, None) is not None


def pair(store: Any) -> tuple[ImpersonationSigner, ImpersonationVerifier]:
    return (
        ImpersonationSigner(SECRET, jti_store=store, single_use=True),
        ImpersonationVerifier(SECRET, jti_store=store, single_use=True),
    )


def outcome(call: Any) -> str:
    try:
        call()
        return "ok"
    except AuthError as e:
        return e.code


def crowd_in_threads(verifier: ImpersonationVerifier, token: str) -> list[str]:
    """CROWD threads verifying `token` at once, released together by a barrier."""
    barrier = threading.Barrier(CROWD)

    def one(_: int) -> str:
        barrier.wait()
        return outcome(lambda: verifier.verify(token))

    with ThreadPoolExecutor(max_workers=CROWD) as pool:
        return list(pool.map(one, range(CROWD)))


async def outcome_async(awaitable: Any) -> str:
    try:
        await awaitable
        return "ok"
    except AuthError as e:
        return e.code


def test_a_store_without_consume_is_refused_for_single_use() -> None:
    with pytest.raises(AuthError) as e:
        ImpersonationVerifier(SECRET, jti_store=CheckThenRevokeStore(), single_use=True)
    assert e.value.code == "invalid_config"
    assert "consume" in e.value.message
    # Without single use the same store is fine: it is asked `contains` only.
    ImpersonationVerifier(SECRET, jti_store=CheckThenRevokeStore(), jti_require=True)


def test_the_authenticator_refuses_it_too() -> None:
    from incidentfox_auth import Authenticator

    env = {
        "ADMIN_TOKEN": "a" * 40,
        "IMPERSONATION_JWT_SECRET": SECRET,
        "IMPERSONATION_JTI_SINGLE_USE": "1",
    }
    with pytest.raises(AuthError) as e:
        Authenticator.from_env(env, jti_store=CheckThenRevokeStore())
    assert e.value.code == "invalid_config"


@pytest.mark.parametrize("store_class", [AsyncConsumingStore, SyncConsumingStore])
def test_concurrent_awaits_of_one_token_pass_once(store_class: type[Any]) -> None:
    store = store_class()
    signer, verifier = pair(store)

    async def run() -> list[str]:
        minted = await signer.mint_async(org_id="o", team_node_id="t", subject="s")
        return await asyncio.gather(*(outcome_async(verifier.verify_async(minted.token)) for _ in range(CROWD)))

    assert sorted(asyncio.run(run())) == ONE_PASSES


def test_concurrent_threads_on_one_token_pass_once() -> None:
    store = SyncConsumingStore()
    signer, verifier = pair(store)
    minted = signer.mint(org_id="o", team_node_id="t", subject="s")
    assert sorted(crowd_in_threads(verifier, minted.token)) == ONE_PASSES


@pytest.mark.parametrize("answer", ["true", 1, [True], {"jti": "x"}, None])
def test_a_consume_answer_that_is_not_a_bool_is_refused(answer: Any) -> None:
    class Lying(SyncConsumingStore):
        def consume(self, jti: str) -> Any:
            return answer

    signer, verifier = pair(Lying())
    minted = signer.mint(org_id="o", team_node_id="t", subject="s")
    with pytest.raises(AuthError) as e:
        verifier.verify(minted.token)
    assert e.value.code == "jti_store_unavailable"
    assert "consume" in e.value.message
    if isinstance(answer, str):
        assert repr(answer) not in e.value.message


def test_the_memory_store_consumes_once() -> None:
    store = MemoryJtiStore()
    signer, _ = pair(store)
    minted = signer.mint(org_id="o", team_node_id="t", subject="s")
    assert store.consume(minted.jti) is True
    assert store.consume(minted.jti) is False


DATABASE_URL = os.environ.get("IFX_TEST_DATABASE_URL")


@pytest.mark.skipif(not DATABASE_URL, reason="no IFX_TEST_DATABASE_URL (run under scripts/with-postgres.sh)")
def test_the_postgres_reference_store_passes_one_of_many() -> None:
    from psycopg_pool import ConnectionPool

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
    from jti_store_postgres import PsycopgJtiStore

    with ConnectionPool(str(DATABASE_URL), min_size=CROWD, max_size=CROWD, open=True) as pool:
        store = PsycopgJtiStore(pool)
        store.migrate()
        signer, verifier = pair(store)
        minted = signer.mint(org_id="o", team_node_id="t", subject="s")
        assert store.contains(minted.jti) is True
        assert sorted(crowd_in_threads(verifier, minted.token)) == ONE_PASSES
        assert store.contains(minted.jti) is False
        # revoke works on a fresh one.
        other = signer.mint(org_id="o", team_node_id="t", subject="s")
        assert store.revoke(other.jti) is True and store.revoke(other.jti) is False
