"""What the service hands the compat layer once at start (see :func:`configure`), and the
package objects built from the environment, rebuilt when the variables they read change."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["configure", "cached", "settings"]

T = TypeVar("T")

_lock = threading.Lock()
_settings: dict[str, Any] = {
    "session_factory": None,
    "jti_store": None,
    "auth_failure": None,
    "admin_action": None,
}
_cache: dict[str, tuple[object, Any]] = {}

_UNSET: Any = object()


def configure(
    *,
    session_factory: Callable[[], Any] | None = _UNSET,
    jti_store: Any | None = _UNSET,
    auth_failure: Callable[[str], None] | None = _UNSET,
    admin_action: Callable[[str, str], None] | None = _UNSET,
) -> None:
    """Sets what the compat functions cannot read from the environment. Only the arguments given
    change; ``None`` forgets one.

    - ``session_factory``: makes a SQLAlchemy ``Session`` (the service's ``SessionLocal``); the
      FastAPI dependencies look team and org-admin tokens up through it.
    - ``jti_store``: the impersonation JTI store (``SqlAlchemyJtiStore(SessionLocal)``, the
      package's ``PostgresJtiStore``, or any object with ``record`` / ``contains`` / ``revoke``);
      without one the package builds its own from ``IMPERSONATION_JTI_STORE``.
    - ``auth_failure(reason)`` and ``admin_action(action, result)``: called where the service
      counted ``AUTH_FAILURES_TOTAL{reason}`` and ``ADMIN_ACTIONS_TOTAL{action,result}``, with the
      same labels, so the dashboards keep working (``AUTH_FAILURES_TOTAL.labels(r).inc``)."""
    given = {
        "session_factory": session_factory,
        "jti_store": jti_store,
        "auth_failure": auth_failure,
        "admin_action": admin_action,
    }
    with _lock:
        for name, value in given.items():
            if value is not _UNSET:
                _settings[name] = value
        _cache.clear()


def settings() -> dict[str, Any]:
    return _settings


def _environment(prefixes: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(prefixes)))


def cached(name: str, prefixes: tuple[str, ...], build: Callable[[], T]) -> T:
    """The object ``build`` makes, kept while the variables starting with ``prefixes`` stay the
    same (a verifier keeps its key set and verified-token cache across calls)."""
    key = _environment(prefixes)
    with _lock:
        hit = _cache.get(name)
        if hit is not None and hit[0] == key:
            found: T = hit[1]
            return found
    built = build()
    with _lock:
        _cache[name] = (key, built)
    return built
