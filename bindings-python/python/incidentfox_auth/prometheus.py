"""A ``prometheus_client`` collector for the library's counters
(``pip install 'incidentfox-auth[prometheus]'``).

::

    from prometheus_client import REGISTRY
    from incidentfox_auth import Authenticator
    from incidentfox_auth.prometheus import AuthCollector

    auth = Authenticator.from_env()
    REGISTRY.register(AuthCollector(auth))

Every scrape reads the objects' counters once and adds them together in the core: the names,
types, labels and help texts are the core's (``docs/observability.md``), the same as the
OpenMetrics text of :func:`incidentfox_auth.openmetrics` and the Node adapter.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import Metric

from ._native import Authenticator, ImpersonationVerifier, OidcValidator, metric_families

__all__ = ["AuthCollector"]


class AuthCollector:
    """The counters of one or more validators, verifiers and authenticators, as one set of
    metric families (verification counts summed; the first key set and JTI store found). It
    has ``collect`` and ``describe``, as a ``prometheus_client`` registry expects."""

    def __init__(self, *objects: OidcValidator | ImpersonationVerifier | Authenticator) -> None:
        if not objects:
            raise TypeError("AuthCollector() needs at least one validator, verifier or authenticator")
        for obj in objects:
            if not isinstance(obj, (OidcValidator, ImpersonationVerifier, Authenticator)):
                raise TypeError(
                    "AuthCollector() takes OidcValidator, ImpersonationVerifier or Authenticator "
                    f"objects, not {type(obj).__name__}"
                )
        self._objects = objects

    def collect(self) -> Iterator[Metric]:
        for family in metric_families(*self._objects):
            metric = Metric(family["name"], family["help"], family["type"])
            for sample in family["samples"]:
                metric.add_sample(sample["name"], sample["labels"], sample["value"])
            yield metric

    def describe(self) -> Iterator[Metric]:
        # The families themselves, so a registry refuses a collector whose names clash.
        return self.collect()
