"""Metrics' wiring: settings, broker, one subscriber over the counted topics, the statistics
store, the registry the bus middleware and the domain metrics share, and the poll of the gauges."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from prometheus_client import CollectorRegistry

from services.metrics.counted import COUNTED
from services.metrics.gauges import ChannelMix, ConsumerLag
from services.metrics.settings import MetricsSettings
from services.metrics.store import Statistics
from services.metrics.tally import ReasonCategories, Tally, read_events
from shared.bus import ensure_topics, make_broker
from shared.delivery import Handled, Records, batch_subscriber
from shared.kafka_security import client_options
from shared.schema import migrated_engine
from shared.service import ServiceProcess
from shared.topics import METRICS_STAGE, TopicNames

log = logging.getLogger(__name__)

# The records are validated by the handler; the AsyncAPI document shows their schemas.


@dataclass
class MetricsState:
    """What the lifespan opens once for the subscriber and the gauges' poll; unset before it runs."""

    statistics: Statistics = field(init=False)


def build_app(settings: MetricsSettings) -> ServiceProcess:
    registry = CollectorRegistry()
    names = TopicNames(settings.topic_prefix)
    zone = ZoneInfo(settings.timezone)
    broker = make_broker(settings, registry)
    tally = Tally(
        registry,
        reason_categories=ReasonCategories(settings.dead_letter_reasons),
        remember=settings.remembered_inquiries,
    )
    lag = ConsumerLag(
        registry,
        client=client_options(settings),
        names=names,
        groups=settings.lag_groups,
    )
    mix = ChannelMix(
        registry, target=settings.channel_mix_target, window_days=settings.channel_mix_window_days
    )
    state = MetricsState()

    @batch_subscriber(broker, settings, *COUNTED, stage=METRICS_STAGE)
    async def on_counted_events(records: Records) -> Handled:
        events, unreadable = read_events(records, names)
        statistics = state.statistics
        # One transaction per batch, off the event loop so /metrics answers meanwhile.
        fresh = await asyncio.to_thread(statistics.record, events)
        return Handled(
            after_commit=[lambda: tally.count(fresh), lambda: tally.count_unreadable(unreadable)]
        )

    async def refresh_gauges() -> None:
        statistics = state.statistics
        while True:
            await lag.poll()
            today = datetime.now(zone).date()
            try:
                await asyncio.to_thread(mix.refresh, statistics, today)
                await asyncio.to_thread(
                    statistics.forget_counted_before,
                    today - timedelta(settings.counted_ids_retention_days),
                )
            except Exception:
                log.warning("could not refresh the channel mix", exc_info=True)
            await asyncio.sleep(settings.poll_seconds)

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        await ensure_topics(settings, list(COUNTED))
        state.statistics = Statistics(migrated_engine(settings), zone=zone)
        await lag.start()
        poller = asyncio.create_task(refresh_gauges())
        try:
            yield
        finally:
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller
            await lag.stop()
            state.statistics.engine.dispose()

    return ServiceProcess(broker, registry, lifespan=lifespan, title="metrics")
