"""Reply's wiring: settings, broker, the triage-decision subscriber and metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from faststream.kafka import KafkaMessage
from prometheus_client import CollectorRegistry

from services.reply.handler import plan_batch
from services.reply.settings import ReplySettings
from shared.bus import batch_subscriber, ensure_topics, make_broker, publish_confirmed
from shared.service import ServiceProcess
from shared.topics import (
    INQUIRIES_TRIAGED,
    REPLIES_PLANNED,
    REPLY_STAGE,
    TopicNames,
    deadletter_topic,
)


def build_app(settings: ReplySettings) -> ServiceProcess:
    registry = CollectorRegistry()
    names = TopicNames(settings.topic_prefix)
    broker = make_broker(settings, registry)

    @batch_subscriber(broker, settings, INQUIRIES_TRIAGED)
    async def on_inquiries_triaged(_: list[bytes], message: KafkaMessage) -> None:
        outgoing = plan_batch(message.raw_message, settings=settings, names=names)
        await publish_confirmed(broker, names, outgoing)

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        await ensure_topics(
            settings, [INQUIRIES_TRIAGED, REPLIES_PLANNED, deadletter_topic(REPLY_STAGE)]
        )
        yield

    return ServiceProcess(broker, registry, lifespan=lifespan, title="reply")
