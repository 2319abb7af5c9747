"""The deadline watch: a task of the reply service that, every interval and whenever new plans
arrive, sends the e-mails waiting in the store and reports each deadline that passed without a
reply on replies.overdue, once (a flag in the store)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter

from services.reply.mail import SmtpMailer, compose, compose_caseworker_reply
from services.reply.settings import ReplySettings
from services.reply.store import PlanRecord, ReplyStore
from shared.bus import Outgoing
from shared.events import DeadLetter, DeadLettered, ReplyOverdue, ReplySent
from shared.logs import about_inquiry
from shared.topics import (
    INQUIRIES_TRIAGED,
    REPLIES_OVERDUE,
    REPLIES_SENT,
    REPLY_STAGE,
    deadletter_topic,
)
from shared.vocabulary import Channel, ReplyChannel

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Publish = Callable[[Sequence[Outgoing]], Awaitable[None]]


@dataclass
class WatchMetrics:
    checks: Counter
    overdue: Counter
    sent: Counter
    failed: Counter

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
            Counter(
                "reply_emails_sent", "E-mail replies sent over SMTP, by kind", ["kind"],
                registry=registry,
            ),
            Counter(
                "reply_emails_failed",
                "E-mail replies given up (the mail server refused them)",
                registry=registry,
            ),
        )  # fmt: skip


class DeadlineWatch:
    def __init__(
        self,
        *,
        store: ReplyStore,
        mailer: SmtpMailer,
        publish: Publish,
        clock: Clock,
        settings: ReplySettings,
        metrics: WatchMetrics,
    ) -> None:
        self.store = store
        self.mailer = mailer
        self.publish = publish
        self.clock = clock
        self.settings = settings
        self.metrics = metrics
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look now rather than at the end of the interval (new e-mails are waiting)."""
        self._wake.set()

    async def run(self) -> None:
        """Until cancelled; one failed round is logged and the next one tries again."""
        if not self.mailer.configured:
            log.warning("REPLY_SMTP_HOST is not set: e-mail replies are planned but wait unsent")
        self.store.resume_interrupted_sending()
        while True:
            # The first round waits too: the broker starts after the lifespan's set-up.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.watch_interval_seconds)
            self._wake.clear()
            try:
                await self.check()
            except Exception:
                log.exception("the deadline watch failed this round; it tries again")

    async def check(self) -> None:
        if self.mailer.configured:
            await self.send_emails()
        await self.report_overdue()
        self.metrics.checks.inc()

    async def send_caseworker_emails(self) -> None:
        """Replies written on the desk: sent once, by whichever instance moves them first."""
        store = self.store
        waiting = [
            e
            for e in store.pending_caseworker_emails()
            if store.caseworker_email_moves(
                e.event_id, "pending", delivery_state="sending",
                delivery_attempts=e.delivery_attempts + 1,
            )
        ]  # fmt: skip
        if not waiting:
            return
        try:
            outcomes = await self.mailer.send(
                [compose_caseworker_reply(e, self.settings) for e in waiting]
            )
        except Exception:
            for email in waiting:
                store.caseworker_email_moves(email.event_id, "sending", delivery_state="pending")
            raise
        for email, outcome in zip(waiting, outcomes, strict=True):
            if outcome.sent:
                store.caseworker_email_moves(
                    email.event_id, "sending", delivery_state="sent", delivered_at=self.clock()
                )
                self.metrics.sent.labels("caseworker reply").inc()
                continue
            final = (
                outcome.final or email.delivery_attempts + 1 >= self.settings.delivery_max_attempts
            )
            store.caseworker_email_moves(
                email.event_id, "sending", delivery_state="failed" if final else "pending",
                delivery_error=(outcome.error or "not sent")[:500],
            )  # fmt: skip

    async def send_emails(self) -> None:
        await self.send_caseworker_emails()
        waiting = [p for p in self.store.pending_emails() if self.store.start_sending(p.plan_id)]
        if not waiting:
            return
        try:
            outcomes = await self.mailer.send(
                [compose(p.plan, p.routed, self.settings) for p in waiting]
            )
        except Exception as error:
            for plan in waiting:
                self.store.not_sent(plan.plan_id, f"mail server unreachable: {error}", final=False)
            raise
        now = self.clock()
        announced, dead = [], []
        for plan, outcome in zip(waiting, outcomes, strict=True):
            final = (
                outcome.final or plan.delivery_attempts + 1 >= self.settings.delivery_max_attempts
            )
            if outcome.sent:
                self.store.sent(plan.plan_id, now)
                self.metrics.sent.labels(plan.kind).inc()
                announced.append(_sent(plan))
            else:
                self.store.not_sent(plan.plan_id, outcome.error or "not sent", final=final)
                if final:
                    self.metrics.failed.inc()
                    dead.append(_undeliverable(plan, outcome.error or "not sent"))
        await self.publish(announced + dead)

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


def _sent(plan: PlanRecord) -> Outgoing:
    event = ReplySent.caused_by(
        None,
        producer="reply",
        inquiry_id=plan.inquiry_id,
        discriminator=f"email/{plan.plan_id}",
        plan_id=plan.plan_id,
        kind=plan.plan.kind,
        reply_channel=ReplyChannel(plan.reply_channel),
        channel=Channel(plan.channel),
        via="email",
    )
    return Outgoing(REPLIES_SENT, event, key=plan.thread_key)


def _undeliverable(plan: PlanRecord, reason: str) -> Outgoing:
    """A reply that cannot be delivered, for a person: the plan itself as the original."""
    letter = DeadLetter(
        stage=REPLY_STAGE,
        reason=f"e-mail reply not delivered: {reason}",
        source_topic=INQUIRIES_TRIAGED,
        key=plan.thread_key,
        original=base64.b64encode(plan.plan_json.encode()),
    )
    event = DeadLettered.caused_by(
        None,
        producer="reply",
        inquiry_id=plan.inquiry_id,
        discriminator=f"undeliverable/{plan.plan_id}",
        dead_letter=letter,
    )
    return Outgoing(deadletter_topic(REPLY_STAGE), event, key=plan.thread_key)
