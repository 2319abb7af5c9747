"""Reply's wiring: settings, broker, the triage-decision and caseworker-action subscribers, the
store, the templates, the deadline watch and the e-mail sender (tasks of the lifespan) and
metrics."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter

from services.reply.backlog import QueueBacklog
from services.reply.business_hours import BusinessCalendar
from services.reply.handler import PlannedBatch, apply_actions, plan_batch
from services.reply.mail import SmtpMailer
from services.reply.sender import EmailSender, SenderMetrics
from services.reply.settings import ReplySettings
from services.reply.store import ReplyStore
from services.reply.templates import ReplyTemplates
from services.reply.watch import Clock, DeadlineWatch, WatchMetrics
from shared.bus import Outgoing, ensure_topics, make_broker, publish_confirmed
from shared.contracts import declare_publishers
from shared.delivery import Handled, Records, batch_subscriber
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


@dataclass
class ReplyState:
    """What the lifespan opens once for the subscribers and the tasks; unset before it runs."""

    calendar: BusinessCalendar = field(init=False)
    templates: ReplyTemplates = field(init=False)
    store: ReplyStore = field(init=False)
    sender: EmailSender = field(init=False)


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
    declare_publishers(broker, names, REPLY_STAGE)
    state = ReplyState()

    async def publish(outgoing: Sequence[Outgoing]) -> None:
        await publish_confirmed(broker, names, outgoing)

    def count_plans(batch: PlannedBatch) -> None:
        for plan in batch.plans:
            planned.labels(plan.reply_channel.value, plan.kind).inc()
        if batch.emails_waiting:
            state.sender.wake()

    @batch_subscriber(broker, settings, INQUIRIES_TRIAGED, stage=REPLY_STAGE)
    async def on_inquiries_triaged(records: Records) -> Handled:
        batch = plan_batch(
            records,
            settings=settings,
            calendar=state.calendar,
            templates=state.templates,
            names=names,
        )
        # Stored before the commit, idempotent on the plan: a redone batch finds its plans.
        state.store.add_plans(batch.rows, state.calendar)
        return Handled(batch.outgoing, [lambda: count_plans(batch)])

    @batch_subscriber(broker, settings, CASEWORKER_ACTIONS, stage=REPLY_STAGE)
    async def on_caseworker_actions(records: Records) -> Handled:
        outgoing = apply_actions(records, store=state.store, calendar=state.calendar, names=names)

        def wake_if_mail() -> None:
            if any(o.topic == REPLIES_SENT for o in outgoing):
                state.sender.wake()  # a caseworker's e-mail may be waiting

        return Handled(outgoing, [wake_if_mail])

    # /metrics may be scraped before the lifespan opens the store: nothing to count then.
    QueueBacklog(lambda: getattr(state, "store", None), clock, registry)

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
        state.calendar = BusinessCalendar.from_settings(settings)
        state.templates = ReplyTemplates.load(settings.templates_dir, settings.template_fallback)
        state.store = store = ReplyStore(migrated_engine(settings))
        watch = DeadlineWatch(
            store=store,
            publish=publish,
            clock=clock,
            settings=settings,
            metrics=WatchMetrics.on(registry),
        )
        state.sender = sender = EmailSender(
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
