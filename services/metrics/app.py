"""Metrics' wiring: settings, broker, one subscriber over the counted topics, the registry."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from faststream.kafka import KafkaMessage
from prometheus_client import CollectorRegistry

from services.metrics.settings import MetricsSettings
from services.metrics.tally import SCHEMAS, Tally
from shared.bus import batch_subscriber, ensure_topics, make_broker
from shared.service import ServiceProcess
from shared.topics import TopicNames


def build_app(settings: MetricsSettings) -> ServiceProcess:
    registry = CollectorRegistry()
    names = TopicNames(settings.topic_prefix)
    broker = make_broker(settings, registry)
    tally = Tally(registry, remember=settings.remembered_event_ids)

    @batch_subscriber(broker, settings, *SCHEMAS)
    async def on_counted_events(_: list[bytes], message: KafkaMessage) -> None:
        tally.count(message.raw_message, names)

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        await ensure_topics(settings, list(SCHEMAS))
        yield

    return ServiceProcess(broker, registry, lifespan=lifespan, title="metrics")
