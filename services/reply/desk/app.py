"""The desk's wiring: reply's store and calendar, the work feed from the queue topics (a task of
the lifespan), a producer for caseworker.actions, the web pages, and the desk's own metrics.
`python -m services.reply desk` runs it, a process of its own beside the reply service."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

from prometheus_client import CollectorRegistry

from services.reply.business_hours import BusinessCalendar
from services.reply.claims import Feed
from services.reply.desk.pages import Desk, DeskMetrics, build_pages
from services.reply.desk.settings import DeskSettings
from services.reply.settings import ReplySettings
from services.reply.store import ReplyStore
from services.reply.templates import ReplyTemplates
from shared.bus import Outgoing, ensure_topics, make_broker, publish_confirmed
from shared.events import utc_now
from shared.schema import migrated_engine
from shared.service import ServiceProcess
from shared.topics import CASEWORKER_ACTIONS, TopicNames, queue_topic
from shared.vocabulary import ALL_QUEUES

log = logging.getLogger(__name__)


def build_desk(
    reply: ReplySettings, settings: DeskSettings, *, clock: Callable[[], datetime] = utc_now
) -> ServiceProcess:
    process_settings = reply.model_copy(
        update={
            "service_name": "reply-desk",
            "http_host": settings.http_host,
            "http_port": settings.http_port,
        }
    )
    registry = CollectorRegistry()
    broker = make_broker(process_settings, registry)
    names = TopicNames(reply.topic_prefix)

    async def publish(outgoing: Sequence[Outgoing]) -> None:
        await publish_confirmed(broker, names, outgoing)

    desk = Desk(reply, settings, publish, DeskMetrics.on(registry), clock=clock)
    pages = build_pages(desk)

    async def feed_work(feed: Feed) -> None:
        """Until cancelled: the queue topics into the work table, new topics as they appear."""
        rounds = 0
        while True:
            try:
                if rounds % 60 == 0:
                    await feed.assign()
                rounds += 1
                if not await feed.read(timeout_ms=500) and not feed.partitions:
                    await asyncio.sleep(0.5)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the work feed failed this round; it tries again")
                await asyncio.sleep(1.0)

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        await ensure_topics(
            process_settings, [CASEWORKER_ACTIONS, *(queue_topic(q) for q in ALL_QUEUES)]
        )
        store = ReplyStore(migrated_engine(reply))
        desk.state.update(
            store=store,
            calendar=BusinessCalendar.from_settings(reply),
            templates=ReplyTemplates.load(reply.templates_dir, reply.template_fallback),
        )
        feed = Feed(reply, store)
        await feed.start()
        task = asyncio.create_task(feed_work(feed), name="work-feed")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await feed.stop()
            store.engine.dispose()

    return ServiceProcess(broker, registry, lifespan=lifespan, title="desk", pages=pages)


def serve(reply: ReplySettings, settings: DeskSettings) -> int:
    process = build_desk(reply, settings)
    return process.serve(
        reply.model_copy(update={"http_host": settings.http_host, "http_port": settings.http_port})
    )
