"""Reply's wiring: settings, broker, the triage-decision and caseworker-action subscribers, the
store, the templates, the deadline watch and the e-mail sender (tasks of the lifespan) and
metrics."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from faststream.kafka import KafkaMessage
from prometheus_client import CollectorRegistry, Counter

from services.reply.business_hours import BusinessCalendar
from services.reply.handler import apply_actions, plan_batch
from services.reply.mail import SmtpMailer
from services.reply.sender import EmailSender, SenderMetrics
from services.reply.settings import ReplySettings
from services.reply.store import ReplyStore
from services.reply.templates import ReplyTemplates
from services.reply.watch import Clock, DeadlineWatch, WatchMetrics
from shared.bus import Outgoing, batch_subscriber, ensure_topics, make_broker, publish_confirmed
from shared.events import utc_now
from shared.schema import migrated_engine
from shared.service import ServiceProcess
from shared.topics import (
    CASEWORKER_ACTIONS,
    INQUIRIES_TRIAGED,
    OUTBOX_CHANNELS,
    REPLIES_OVERDUE,
    REPLIES_PLANNED,
    REPLIES_SENT,
    REPLY_STAGE,
    TopicNames,
    deadletter_topic,
    outbox_topic,
    queue_topic,
)
from shared.vocabulary import CONTACT_CENTRE_QUEUE


def build_app(settings: ReplySettings, *, clock: Clock = utc_now) -> ServiceProcess:
    """`clock` tells the deadline watch the time: tests move it instead of waiting."""
    registry = CollectorRegistry()
    planned = Counter(
        "reply_replies_planned",
        "Replies planned, by reply channel and kind",
        ["reply_channel", "kind"],
        registry=registry,
    )
    names = TopicNames(settings.topic_prefix)
    broker = make_broker(settings, registry)
    state: dict[str, Any] = {}

    async def publish(outgoing: Sequence[Outgoing]) -> None:
        await publish_confirmed(broker, names, outgoing)

    @batch_subscriber(broker, settings, INQUIRIES_TRIAGED)
    async def on_inquiries_triaged(_: list[bytes], message: KafkaMessage) -> None:
        store: ReplyStore = state["store"]
        batch = plan_batch(
            message.raw_message,
            settings=settings,
            calendar=state["calendar"],
            templates=state["templates"],
            names=names,
        )
        # Store, then publish, then commit: a redelivery finds the plans and repeats the ids.
        store.add_plans(batch.rows, state["calendar"])
        await publish(batch.outgoing)
        for plan in batch.plans:
            planned.labels(plan.reply_channel.value, plan.kind).inc()
        if batch.emails_waiting:
            state["sender"].wake()

    @batch_subscriber(broker, settings, CASEWORKER_ACTIONS)
    async def on_caseworker_actions(_: list[bytes], message: KafkaMessage) -> None:
        outgoing = apply_actions(
            message.raw_message, store=state["store"], calendar=state["calendar"], names=names
        )
        await publish(outgoing)

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        await ensure_topics(
            settings,
            [
                INQUIRIES_TRIAGED,
                CASEWORKER_ACTIONS,
                REPLIES_PLANNED,
                REPLIES_SENT,
                REPLIES_OVERDUE,
                queue_topic(CONTACT_CENTRE_QUEUE),
                *(outbox_topic(c) for c in OUTBOX_CHANNELS),
                deadletter_topic(REPLY_STAGE),
            ],
        )
        state["calendar"] = BusinessCalendar.from_settings(settings)
        state["templates"] = ReplyTemplates.load(settings.templates_dir, settings.template_fallback)
        state["store"] = store = ReplyStore(migrated_engine(settings))
        watch = DeadlineWatch(
            store=store,
            publish=publish,
            clock=clock,
            settings=settings,
            metrics=WatchMetrics.on(registry),
        )
        state["sender"] = sender = EmailSender(
            store=store,
            mailer=SmtpMailer(settings),
            publish=publish,
            settings=settings,
            metrics=SenderMetrics.on(registry),
        )
        tasks = [
            asyncio.create_task(watch.run(), name="deadline-watch"),
            asyncio.create_task(sender.run(), name="email-sender"),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            store.engine.dispose()

    return ServiceProcess(broker, registry, lifespan=lifespan, title="reply")
