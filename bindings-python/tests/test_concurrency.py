"""Sharing: one validator across threads and across concurrent awaits, and Python JTI stores
(plain methods and ``async def`` methods) behind the impersonation signer and verifier."""

from __future__ import annotations

import asyncio
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from support import load_vectors

from incidentfox_auth import (
    AuthError,
    ImpersonationSigner,
    ImpersonationVerifier,
    MemoryJtiStore,
    OidcValidator,
    VerifiedToken,
)

DOC = load_vectors("attacks.json")
# Cases the file's own validator judges (no per-case settings), repeated to make a crowd.
PLAIN = [c for c in DOC["cases"] if "validator_overrides" not in c and "now" not in c]
CROWD = PLAIN * 4
SECRET = "concurrency-test-secret-0123456789abcdef"


def shared_validator() -> OidcValidator:
    v = DOC["validator"]
    return OidcValidator(
        issuer=v["issuer"], audience=v["audiences"], jwks_json=json.dumps(DOC["jwks"]),
        algorithms=v["algorithms"], leeway=v["leeway"], groups_claim=v["groups_claim"],
        require_kid=v["require_kid"], max_token_bytes=v["max_token_bytes"],
    )


def verdict(got: VerifiedToken | AuthError) -> str:
    return got.code if isinstance(got, AuthError) else f"valid:{got.subject}"


def expected(case: dict[str, Any]) -> str:
    e = case["expect"]
    return f"valid:{e['subject']}" if e["valid"] else str(e["code"])


def test_one_validator_shared_by_threads() -> None:
    assert len(PLAIN) >= 30
    validator = shared_validator()

    def one(case: dict[str, Any]) -> str:
        try:
            return verdict(validator.verify_cached(case["token"], now=DOC["now"]))
        except AuthError as e:
            return e.code

    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(one, CROWD))
    assert got == [expected(c) for c in CROWD]


def test_one_validator_shared_by_concurrent_awaits() -> None:
    validator = shared_validator()

    async def one(case: dict[str, Any]) -> str:
        try:
            return verdict(await validator.verify_async(case["token"], now=DOC["now"]))
        except AuthError as e:
            return e.code

    async def run() -> list[str]:
        return await asyncio.gather(*(one(c) for c in CROWD))

    assert asyncio.run(run()) == [expected(c) for c in CROWD]


def test_awaiting_does_not_block_the_event_loop() -> None:
    validator = shared_validator()
    token = next(c["token"] for c in PLAIN if c["expect"]["valid"])

    async def run() -> int:
        ticks = 0
        stop = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                await asyncio.sleep(0)

        task = asyncio.create_task(ticker())
        await asyncio.gather(*(validator.verify_async(token, now=DOC["now"]) for _ in range(200)))
        stop.set()
        await task
        return ticks

    assert asyncio.run(run()) > 1


# --- Python JTI stores.


class SyncStore:
    """A JTI store with plain methods (a dict behind a lock)."""

    def __init__(self) -> None:
        self.entries: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        self.calls: list[str] = []

    def record(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.calls.append("record")
            self.entries[entry["jti"]] = dict(entry)

    def contains(self, jti: str) -> bool:
        with self.lock:
            self.calls.append("contains")
            return jti in self.entries

    def revoke(self, jti: str) -> bool:
        with self.lock:
            self.calls.append("revoke")
            return self.entries.pop(jti, None) is not None

    def consume(self, jti: str) -> bool:
        with self.lock:
            self.calls.append("consume")
            return self.entries.pop(jti, None) is not None


class AsyncStore:
    """A JTI store with ``async def`` methods that yield to the loop, counting overlap."""

    def __init__(self) -> None:
        self.entries: dict[str, dict[str, Any]] = {}
        self.in_flight = 0
        self.max_in_flight = 0

    async def _enter(self) -> None:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        await asyncio.sleep(0.01)
        self.in_flight -= 1

    async def record(self, entry: dict[str, Any]) -> None:
        await self._enter()
        self.entries[entry["jti"]] = dict(entry)

    async def contains(self, jti: str) -> bool:
        await self._enter()
        return jti in self.entries

    async def revoke(self, jti: str) -> bool:
        await self._enter()
        return self.entries.pop(jti, None) is not None


class BrokenStore:
    def record(self, entry: dict[str, Any]) -> None:
        raise ConnectionError("database is down")

    def contains(self, jti: str) -> bool:
        raise ConnectionError("database is down")

    def revoke(self, jti: str) -> bool:
        raise ConnectionError("database is down")


def pair(store: Any, **options: Any) -> tuple[ImpersonationSigner, ImpersonationVerifier]:
    settings: dict[str, Any] = {"jti_logging": True, "jti_require": True, **options}
    return (
        ImpersonationSigner(SECRET, jti_store=store, **settings),
        ImpersonationVerifier(SECRET, jti_store=store, **settings),
    )


def test_a_sync_python_store_records_checks_and_revokes() -> None:
    store = SyncStore()
    signer, verifier = pair(store)
    minted = signer.mint(org_id="org-1", team_node_id="team-1", subject="admin", email="a@example.com")
    entry = store.entries[minted.jti]
    assert entry["jti"] == minted.jti
    assert (entry["org_id"], entry["team_node_id"], entry["subject"], entry["email"]) == (
        "org-1", "team-1", "admin", "a@example.com")
    assert entry["expires_at"] == minted.expires_at and entry["expires_at"] - entry["issued_at"] == 900
    assert verifier.verify(minted.token).jti == minted.jti
    assert store.revoke(minted.jti)
    with pytest.raises(AuthError) as e:
        verifier.verify(minted.token)
    assert e.value.code == "jti_not_found"
    assert store.calls.count("record") == 1 and store.calls.count("contains") == 2


def test_a_sync_python_store_shared_by_threads() -> None:
    store = SyncStore()
    signer, verifier = pair(store)

    def mint_and_verify(i: int) -> str:
        minted = signer.mint(org_id="org-1", team_node_id=f"team-{i}", subject=f"admin-{i}")
        return verifier.verify(minted.token).team_node_id

    with ThreadPoolExecutor(max_workers=8) as pool:
        teams = list(pool.map(mint_and_verify, range(64)))
    assert teams == [f"team-{i}" for i in range(64)]
    assert len(store.entries) == 64


def test_single_use_with_a_sync_python_store() -> None:
    store = SyncStore()
    signer, verifier = pair(store, single_use=True)
    minted = signer.mint(org_id="o", team_node_id="t", subject="s")
    verifier.verify(minted.token)
    with pytest.raises(AuthError) as e:
        verifier.verify(minted.token)
    assert e.value.code == "jti_not_found"


def test_an_async_python_store_with_the_async_api() -> None:
    store = AsyncStore()
    signer, verifier = pair(store)

    async def run() -> list[str]:
        minted = await asyncio.gather(*(
            signer.mint_async(org_id="org-1", team_node_id=f"team-{i}", subject="admin")
            for i in range(20)
        ))
        assert len(store.entries) == 20
        verified = await asyncio.gather(*(verifier.verify_async(m.token) for m in minted))
        assert await store.revoke(minted[0].jti)
        with pytest.raises(AuthError) as e:
            await verifier.verify_async(minted[0].token)
        assert e.value.code == "jti_not_found"
        return [v.team_node_id for v in verified]

    assert asyncio.run(run()) == [f"team-{i}" for i in range(20)]
    # The store's coroutines ran on the caller's loop, side by side.
    assert store.max_in_flight > 1


def test_an_async_python_store_with_the_blocking_api() -> None:
    # No event loop in this thread: the store's coroutines run to completion on their own.
    store = AsyncStore()
    signer, verifier = pair(store)
    minted = signer.mint(org_id="org-1", team_node_id="team-1", subject="admin")
    assert minted.jti in store.entries
    assert verifier.verify(minted.token).jti == minted.jti


def test_a_visitor_token_through_an_async_store() -> None:
    store = AsyncStore()
    signer, verifier = pair(store)

    async def run() -> str | None:
        minted = await signer.mint_visitor_async(org_id="o", team_node_id="t", session_id="vs-1")
        return (await verifier.verify_async(minted.token)).visitor_session_id

    assert asyncio.run(run()) == "vs-1"


def test_a_failing_store_fails_closed() -> None:
    signer, verifier = pair(BrokenStore())
    with pytest.raises(AuthError) as e:
        signer.mint(org_id="o", team_node_id="t", subject="s")  # strict: no token without a record
    assert (e.value.code, e.value.status) == ("jti_store_unavailable", 503)

    good = ImpersonationSigner(SECRET).mint(org_id="o", team_node_id="t", subject="s")
    with pytest.raises(AuthError) as e:
        verifier.verify(good.token)
    assert (e.value.code, e.value.status) == ("jti_store_unavailable", 503)

    async def run() -> None:
        await verifier.verify_async(good.token)

    with pytest.raises(AuthError) as e:
        asyncio.run(run())
    assert e.value.code == "jti_store_unavailable"


def test_best_effort_mode_mints_despite_a_failing_store() -> None:
    signer = ImpersonationSigner(SECRET, jti_logging=True, record_mode="best_effort",
                                 jti_store=BrokenStore())
    assert signer.mint(org_id="o", team_node_id="t", subject="s").token.count(".") == 2


def test_the_memory_store_shared_by_threads() -> None:
    store = MemoryJtiStore()
    signer, verifier = pair(store)
    with ThreadPoolExecutor(max_workers=8) as pool:
        minted = list(pool.map(lambda i: signer.mint(org_id="o", team_node_id=f"t{i}", subject="s"),
                               range(50)))
    assert len(store) == 50
    assert all(store.contains(m.jti) for m in minted)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda m: verifier.verify(m.token), minted))
    assert store.revoke(minted[0].jti) and not store.contains(minted[0].jti)
