"""What waits in each caseworkers' queue, for Prometheus: the open inquiries and how long the
oldest has waited since it was received, read from reply's store when /metrics is scraped.

Several copies of reply on one database each report the whole backlog: dashboards and alerts
take the max over copies, not the sum."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from services.reply.store import ReplyStore
from services.reply.watch import Clock


class QueueBacklog(Collector):
    def __init__(
        self, store: Callable[[], ReplyStore | None], clock: Clock, registry: CollectorRegistry
    ) -> None:
        self._store = store
        self._clock = clock
        registry.register(self)

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The families without reading the store (there is none yet at registration)."""
        yield from self._families()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        backlog, oldest = self._families()
        store = self._store()
        if store is not None:
            now = self._clock()
            for queue, (waiting, received) in sorted(store.queue_backlog().items()):
                backlog.add_metric([queue], waiting)
                oldest.add_metric([queue], max((now - received).total_seconds(), 0.0))
        yield backlog
        yield oldest

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily]:
        return (
            GaugeMetricFamily(
                "reply_queue_backlog",
                "Open inquiries in each caseworkers' queue (planned, not yet closed)",
                labels=["queue"],
            ),
            GaugeMetricFamily(
                "reply_queue_oldest_age_seconds",
                "How long the oldest open inquiry of each queue has waited since it was received",
                labels=["queue"],
            ),
        )
