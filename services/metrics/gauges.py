"""Gauges refreshed by polling rather than by events: consumer lag per group, read from Kafka's
group offsets and end offsets, and the channel mix of the persisted statistics beside its target.

Both are Prometheus collectors over the last snapshot, so a group or a topic that disappears
leaves no stale series behind.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from services.metrics.mix import MixGroup, group_counts, shares
from services.metrics.store import Statistics
from shared.topics import TopicNames
from shared.vocabulary import Channel

log = logging.getLogger(__name__)


class ConsumerLag(Collector):
    """Messages each consumer group has still to read, per topic (summed over partitions)."""

    def __init__(
        self,
        registry: CollectorRegistry,
        *,
        client: dict[str, Any],
        names: TopicNames,
        groups: Sequence[str],
    ) -> None:
        self._client = client  # aiokafka's connection and security options
        self._names = names
        self._groups = list(groups)
        self._lag: dict[tuple[str, str], int] = {}
        self._admin: AIOKafkaAdminClient | None = None
        self._offsets: AIOKafkaConsumer | None = None
        self.failures = Counter(
            "consumer_lag_poll_failures",
            "Polls of the consumer groups' offsets that failed (the lag gauge is then absent)",
            registry=registry,
        )
        registry.register(self)

    async def start(self) -> None:
        self._admin = AIOKafkaAdminClient(**self._client)
        await self._admin.start()
        # No group: this consumer only asks for end offsets and never joins or commits.
        self._offsets = AIOKafkaConsumer(
            **self._client,
            group_id=None,
            enable_auto_commit=False,
            isolation_level="read_committed",
        )
        await self._offsets.start()

    async def stop(self) -> None:
        if self._offsets is not None:
            await self._offsets.stop()
        if self._admin is not None:
            await self._admin.close()

    async def poll(self) -> None:
        if self._admin is None or self._offsets is None:
            raise RuntimeError("ConsumerLag.start() first")
        try:
            committed: dict[str, dict[TopicPartition, int]] = {}
            for group in self._groups:
                offsets = await self._admin.list_consumer_group_offsets(self._names(group))
                committed[group] = {tp: o.offset for tp, o in offsets.items() if o.offset >= 0}
            partitions = {tp for offsets in committed.values() for tp in offsets}
            ends = await self._offsets.end_offsets(list(partitions)) if partitions else {}
        except Exception:
            # The broker may be restarting; no number is better than a stale one.
            log.warning("could not read the consumer groups' offsets", exc_info=True)
            self.failures.inc()
            self._lag = {}
            return
        lag: dict[tuple[str, str], int] = defaultdict(int)
        for group, offsets in committed.items():
            for tp, offset in offsets.items():
                topic = self._names.relative(tp.topic)
                lag[group, topic] += max(ends.get(tp, offset) - offset, 0)
        self._lag = dict(lag)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "kafka_consumer_group_lag",
            "Messages a consumer group has not yet committed, per topic (end offset minus"
            " committed offset, summed over partitions)",
            labels=["group", "topic"],
        )
        for (group, topic), lag in sorted(self._lag.items()):
            family.add_metric([group, topic], lag)
        yield family


class ChannelMix(Collector):
    """Each channel group's share of the inquiries of the last days, beside the target."""

    def __init__(
        self,
        registry: CollectorRegistry,
        *,
        target: Mapping[MixGroup, float],
        window_days: int,
    ) -> None:
        self._target = dict(target)
        self._window = window_days
        self._shares: dict[MixGroup, float] = {}
        registry.register(self)

    def refresh(self, statistics: Statistics, today: date) -> None:
        per_channel = statistics.received_per_channel(today - timedelta(self._window - 1), today)
        counts = group_counts({Channel(c): n for c, n in per_channel.items()})
        self._shares = shares(counts) if sum(counts.values()) else {}

    def collect(self) -> Iterator[GaugeMetricFamily]:
        share = GaugeMetricFamily(
            "channel_mix_share_ratio",
            f"Share of the inquiries of the last {self._window} days received by each channel"
            " group (digital: email, chat, self_service); from the persisted daily statistics",
            labels=["group"],
        )
        for group, value in self._shares.items():
            share.add_metric([group.value], value)
        yield share
        target = GaugeMetricFamily(
            "channel_mix_target_ratio",
            "The channel mix the strategy aims at (the national average), by channel group",
            labels=["group"],
        )
        for group, value in self._target.items():
            target.add_metric([group.value], value)
        yield target
