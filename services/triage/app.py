"""Triage's wiring: settings, broker, the inquiry subscriber, the classifier and metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from faststream.kafka import KafkaMessage
from prometheus_client import CollectorRegistry

from services.triage.handler import triage_batch
from services.triage.loading import load_classifier
from services.triage.settings import TriageSettings
from shared.bus import batch_subscriber, ensure_topics, make_broker, publish_confirmed
from shared.service import ServiceProcess
from shared.topics import (
    INQUIRIES_RECEIVED,
    INQUIRIES_TRIAGED,
    TRIAGE_STAGE,
    TopicNames,
    deadletter_topic,
    queue_topic,
)
from shared.vocabulary import ALL_QUEUES


def build_app(settings: TriageSettings) -> ServiceProcess:
    registry = CollectorRegistry()
    names = TopicNames(settings.topic_prefix)
    broker = make_broker(settings, registry)
    state: dict[str, Any] = {}

    @batch_subscriber(broker, settings, INQUIRIES_RECEIVED)
    async def on_inquiries_received(_: list[bytes], message: KafkaMessage) -> None:
        outgoing, _decisions = triage_batch(
            message.raw_message,
            classifier=state["classifier"],
            settings=settings,
            names=names,
        )
        await publish_confirmed(broker, names, outgoing)

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        await ensure_topics(
            settings,
            [
                INQUIRIES_RECEIVED,
                INQUIRIES_TRIAGED,
                deadletter_topic(TRIAGE_STAGE),
                *(queue_topic(q) for q in ALL_QUEUES),
            ],
        )
        state["classifier"] = load_classifier(settings)
        yield

    return ServiceProcess(broker, registry, lifespan=lifespan, title="triage")
