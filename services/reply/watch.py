"""The deadline watch: a task of the reply service that, every interval, reports each deadline
that passed without a reply on replies.overdue, once (a flag in the store). E-mails go by the
sender (sender.py), a task of its own, so a slow mail server delays no overdue report."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter

from services.reply.settings import ReplySettings
from services.reply.store import ReplyStore
from services.reply.tables import PlanRecord
from shared.bus import Outgoing
from shared.events import ReplyOverdue
from shared.logs import about_inquiry
from shared.topics import REPLIES_OVERDUE
from shared.vocabulary import Channel, ReplyChannel

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Publish = Callable[[Sequence[Outgoing]], Awaitable[None]]


@dataclass
class WatchMetrics:
    checks: Counter
    overdue: Counter

    @classmethod
    def on(cls, registry: CollectorRegistry) -> WatchMetrics:
        return cls(
            Counter("reply_deadline_checks", "Rounds of the deadline watch", registry=registry),
            Counter(
                "reply_replies_overdue",
                "Deadlines that passed without a reply, by reply channel",
                ["reply_channel"],
                registry=registry,
            ),
        )


class DeadlineWatch:
    def __init__(
        self,
        *,
        store: ReplyStore,
        publish: Publish,
        clock: Clock,
        settings: ReplySettings,
        metrics: WatchMetrics,
    ) -> None:
        self.store = store
        self.publish = publish
        self.clock = clock
        self.settings = settings
        self.metrics = metrics

    async def run(self) -> None:
        """Until cancelled; one failed round is logged and the next one tries again."""
        while True:
            # The first round waits too: the broker starts after the lifespan's set-up.
            await asyncio.sleep(self.settings.watch_interval_seconds)
            try:
                await self.check()
            except Exception:
                log.exception("the deadline watch failed this round; it tries again")

    async def check(self) -> None:
        await self.report_overdue()
        self.metrics.checks.inc()

    async def report_overdue(self) -> None:
        now = self.clock()
        late = self.store.past_deadline(now)
        if not late:
            return
        flagged = set(self.store.mark_overdue([p.plan_id for p in late], now))
        reports = [_overdue(p) for p in late if p.plan_id in flagged]
        try:
            await self.publish(reports)
        except BaseException:
            self.store.unmark_overdue(list(flagged))
            raise
        for plan in late:
            if plan.plan_id in flagged:
                self.metrics.overdue.labels(plan.reply_channel).inc()
                with about_inquiry(plan):
                    log.info("deadline passed for inquiry %s in %s", plan.inquiry_id, plan.queue)


def _overdue(plan: PlanRecord) -> Outgoing:
    event = ReplyOverdue.caused_by(
        None,
        producer="reply",
        inquiry_id=plan.inquiry_id,
        discriminator=plan.plan_id,
        plan_id=plan.plan_id,
        reply_channel=ReplyChannel(plan.reply_channel),
        deadline=plan.deadline,
        queue=plan.queue,
        channel=Channel(plan.channel),
    )
    return Outgoing(REPLIES_OVERDUE, event, key=plan.thread_key)
