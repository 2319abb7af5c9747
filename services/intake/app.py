"""Intake's wiring: settings, broker, the raw-topic subscriber, its stores and metrics, and the
two adapters for channels that do not speak Kafka (the HTTP gateway and the SMTP receiver)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from faststream.kafka import KafkaMessage
from prometheus_client import CollectorRegistry, Counter

from services.intake.gateway import Gateway
from services.intake.handler import process_raw_batch
from services.intake.language import load_language_model
from services.intake.settings import IntakeSettings
from services.intake.smtp import MunicipalMailbox, start_smtp
from services.intake.store import Originals, SeenMessages
from shared.bus import batch_subscriber, ensure_topics, make_broker, publish_confirmed
from shared.schema import migrated_engine
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
            min_language_confidence=settings.language_min_confidence,
        )
        # Originals first: metadata on the bus never points at bytes the store lacks. Then
        # publish, remember, commit: a crash in between repeats the same event ids.
        state["originals"].keep(batch.originals)
        await publish_confirmed(broker, names, batch.outgoing)
        seen.remember(batch.to_remember)
        for channel, outcome in batch.outcomes:
            raw_messages.labels(channel, outcome).inc()

    async def publish_raw(channel: Channel, body: bytes, headers: dict[str, str], key: str) -> None:
        await broker.publish(body, names(raw_topic(channel)), key=key.encode(), headers=headers)

    async def publish_mail(body: bytes, headers: dict[str, str]) -> None:
        await broker.publish(body, names(raw_topic(Channel.EMAIL)), headers=headers)

    gateway = Gateway(settings, publish_raw, registry)
    mailbox = MunicipalMailbox(settings.smtp_recipients, publish_mail, registry)

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        await ensure_topics(
            settings, [*raw_topics, INQUIRIES_RECEIVED, deadletter_topic(INTAKE_STAGE)]
        )
        engine = migrated_engine(settings)
        state["seen"] = SeenMessages(engine)
        state["originals"] = Originals(engine)
        # Loaded before the service runs: the process freezes what start-up loaded
        # (shared/service.py), out of the collector's way.
        await asyncio.to_thread(load_language_model)
        smtp = None
        if (port := settings.smtp_listen_port) is not None:
            smtp = await start_smtp(settings, mailbox, port)
        try:
            yield
        finally:
            if smtp is not None:
                smtp.close()
                await smtp.wait_closed()
            engine.dispose()

    return ServiceProcess(
        broker, registry, lifespan=lifespan, title="intake", routes=gateway.routes()
    )
