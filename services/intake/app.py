"""Intake's wiring: settings, broker, the raw-topic subscriber, its stores and metrics, and the
two adapters for channels that do not speak Kafka (the HTTP gateway and the SMTP receiver)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiokafka import ConsumerRecord
from prometheus_client import CollectorRegistry, Counter
from sqlalchemy import Engine

from services.intake.gateway import Gateway
from services.intake.handler import IntakeBatch, dead_letter_batch, process_raw_batch
from services.intake.keys import GatewayKeys, Grant
from services.intake.language import load_language_model
from services.intake.settings import IntakeSettings
from services.intake.smtp import MunicipalMailbox, start_smtp
from services.intake.store import Originals, SeenMessages
from shared.bus import ensure_topics, make_broker
from shared.contracts import declare_publishers
from shared.delivery import Handled, Records, batch_subscriber
from shared.schema import migrated_engine
from shared.service import ServiceProcess
from shared.topics import INQUIRIES_RECEIVED, INTAKE_STAGE, TopicNames, deadletter_topic, raw_topic
from shared.vocabulary import Channel

# The records are validated by the handler; the AsyncAPI document shows their schemas.


@dataclass(frozen=True)
class IntakeStores:
    """Intake's tables, opened by the lifespan before the subscriber and the gateway run."""

    seen: SeenMessages
    originals: Originals
    keys: GatewayKeys

    @classmethod
    def on(cls, engine: Engine) -> IntakeStores:
        return cls(SeenMessages(engine), Originals(engine), GatewayKeys(engine))


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
    declare_publishers(broker, names, INTAKE_STAGE)
    stores: IntakeStores | None = None
    raw_topics = [raw_topic(c) for c in Channel]

    def opened() -> IntakeStores:
        if stores is None:
            raise RuntimeError("intake's stores are opened by its lifespan")
        return stores

    def keep_originals(batch: IntakeBatch) -> None:
        # Originals first: metadata on the bus never points at bytes the store lacks.
        opened().originals.keep(batch.originals)

    def dead_letter_of(record: ConsumerRecord[Any, Any], reason: str) -> Handled:
        batch = dead_letter_batch(record, reason, names)
        keep_originals(batch)
        return Handled(batch.outgoing, [lambda: count_outcomes(batch)])

    def count_outcomes(batch: IntakeBatch) -> None:
        for channel, outcome in batch.outcomes:
            raw_messages.labels(channel, outcome).inc()

    @batch_subscriber(
        broker, settings, *raw_topics, stage=INTAKE_STAGE, dead_letter_of=dead_letter_of
    )
    async def on_raw_inquiries(records: Records) -> Handled:
        seen = opened().seen
        # In a worker thread: a batch of large messages would stall the event loop that the
        # gateway and the health checks share.
        batch = await asyncio.to_thread(
            process_raw_batch,
            records,
            seen=seen,
            names=names,
            salt=settings.cpr_salt,
            min_language_confidence=settings.language_min_confidence,
        )
        keep_originals(batch)
        return Handled(batch.outgoing, [lambda: count_outcomes(batch)])

    async def publish_raw(channel: Channel, body: bytes, headers: dict[str, str], key: str) -> None:
        await broker.publish(body, names(raw_topic(channel)), key=key.encode(), headers=headers)

    async def publish_mail(body: bytes, headers: dict[str, str]) -> None:
        await broker.publish(body, names(raw_topic(Channel.EMAIL)), headers=headers)

    def gateway_keys() -> dict[str, Grant]:
        return stores.keys.active() if stores is not None else {}

    gateway = Gateway(settings, publish_raw, registry, gateway_keys)
    mailbox = MunicipalMailbox(settings.smtp_recipients, publish_mail, registry)

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        nonlocal stores
        await ensure_topics(
            settings, [*raw_topics, INQUIRIES_RECEIVED, deadletter_topic(INTAKE_STAGE)]
        )
        engine = migrated_engine(settings)
        stores = IntakeStores.on(engine)
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
