"""Intake's wiring: settings, broker, the raw-topic subscriber, its store and metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from faststream.kafka import KafkaMessage
from prometheus_client import CollectorRegistry, Counter

from services.intake.handler import process_raw_batch
from services.intake.settings import IntakeSettings
from services.intake.store import SeenMessages
from shared.bus import batch_subscriber, ensure_topics, make_broker, publish_confirmed
from shared.database import make_engine
from shared.service import ServiceProcess
from shared.topics import INQUIRIES_RECEIVED, INTAKE_STAGE, TopicNames, deadletter_topic, raw_topic
from shared.vocabulary import Channel


def build_app(settings: IntakeSettings) -> ServiceProcess:
    registry = CollectorRegistry()
    raw_messages = Counter(
        "intake_raw_messages",
        "Raw messages read by intake, by channel and what became of them",
        ["channel", "outcome"],
        registry=registry,
    )
    names = TopicNames(settings.topic_prefix)
    broker = make_broker(settings, registry)
    state: dict[str, Any] = {}
    raw_topics = [raw_topic(c) for c in Channel]

    @batch_subscriber(broker, settings, *raw_topics)
    async def on_raw_inquiries(_: list[bytes], message: KafkaMessage) -> None:
        seen: SeenMessages = state["seen"]
        batch = process_raw_batch(
            message.raw_message,
            seen=seen,
            names=names,
            salt=settings.cpr_salt,
        )
        # Publish, then remember, then commit: a crash in between repeats the same event ids.
        await publish_confirmed(broker, names, batch.outgoing)
        seen.remember(batch.to_remember)
        for channel, outcome in batch.outcomes:
            raw_messages.labels(channel.value, outcome).inc()

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        await ensure_topics(
            settings, [*raw_topics, INQUIRIES_RECEIVED, deadletter_topic(INTAKE_STAGE)]
        )
        state["seen"] = SeenMessages(make_engine(settings))
        yield
        state["seen"].engine.dispose()

    return ServiceProcess(broker, registry, lifespan=lifespan, title="intake")
