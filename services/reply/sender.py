"""The e-mail sender: a task of the reply service that sends the e-mails of the outbox in the
store, each once (docs/reliability.md, "E-mail replies: sent once").

A round claims a bounded number of due e-mails under a lease owned by this instance, sends them
over one connection, and records each outcome the moment the server answers: sent, refused for
now (pending again after an exponential back-off with jitter), or failed (a permanent refusal,
the last attempt, or an e-mail that cannot be built), which is dead-lettered with the reason.
Another instance takes an e-mail over only when its lease has run out."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from prometheus_client import CollectorRegistry, Counter
from tenacity import RetryCallState, Retrying, wait_exponential_jitter

from services.reply.mail import (
    MailServerUnavailable,
    Outcome,
    Result,
    SmtpMailer,
    compose,
    compose_caseworker_reply,
)
from services.reply.settings import ReplySettings
from services.reply.store import ReplyStore
from services.reply.tables import PlanRecord
from services.reply.watch import Clock, Publish
from shared.bus import Outgoing
from shared.events import DeadLetter, DeadLettered, ReplySent, utc_now
from shared.topics import INQUIRIES_TRIAGED, REPLIES_SENT, REPLY_STAGE, deadletter_topic
from shared.vocabulary import Channel, ReplyChannel

log = logging.getLogger(__name__)


@dataclass
class SenderMetrics:
    rounds: Counter
    sent: Counter
    retried: Counter
    failed: Counter

    @classmethod
    def on(cls, registry: CollectorRegistry) -> SenderMetrics:
        return cls(
            Counter("reply_email_rounds", "Rounds of the e-mail sender that claimed e-mails",
                    registry=registry),
            Counter(
                "reply_emails_sent", "E-mail replies sent over SMTP, by kind", ["kind"],
                registry=registry,
            ),
            Counter(
                "reply_email_retries",
                "E-mail attempts refused for now or interrupted, to be tried again after a back-off",
                registry=registry,
            ),
            Counter(
                "reply_emails_failed",
                "E-mail replies given up and dead-lettered (refused, unsendable, out of attempts)",
                registry=registry,
            ),
        )  # fmt: skip


class Backoff:
    """Exponential back-off with jitter (tenacity's), as a moment stored with the e-mail."""

    def __init__(self, settings: ReplySettings) -> None:
        self._wait = wait_exponential_jitter(
            multiplier=settings.email_retry_initial_seconds,
            max=settings.email_retry_max_seconds,
            jitter=settings.email_retry_initial_seconds,
        )

    def after(self, attempt: int) -> timedelta:
        """The wait after the `attempt`-th attempt failed (1, 2, ...)."""
        state = RetryCallState(Retrying(), fn=None, args=(), kwargs={})
        state.attempt_number = attempt
        return timedelta(seconds=self._wait(state))


class EmailSender:
    def __init__(
        self,
        *,
        store: ReplyStore,
        mailer: SmtpMailer,
        publish: Publish,
        settings: ReplySettings,
        metrics: SenderMetrics,
        clock: Clock = utc_now,
    ) -> None:
        self.store = store
        self.mailer = mailer
        self.publish = publish
        self.settings = settings
        self.metrics = metrics
        self.clock = clock
        self.owner = settings.instance_id
        self.backoff = Backoff(settings)
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look now rather than at the next due moment (new e-mails are waiting)."""
        self._wake.set()

    async def run(self) -> None:
        """Until cancelled; a failed round is logged and the next one tries again."""
        if not self.mailer.configured:
            log.warning("REPLY_SMTP_HOST is not set: e-mail replies are planned but wait unsent")
            return
        full = False
        while True:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                # A stop asked for while the mail client waited can be lost in its own waits
                # (Python 3.11's wait_for): the loop must still end.
                raise asyncio.CancelledError
            if full:
                await asyncio.sleep(0)  # more are due: the next round at once
            else:
                # The first round waits too: the broker starts after the lifespan's set-up.
                # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a
                # cancellation that arrives as it times out, and the service would never stop.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._pause()):
                        await self._wake.wait()
                self._wake.clear()
            try:
                full = await self.round()
            except Exception:
                full = False
                log.exception("the e-mail sender failed this round; it tries again")

    def _pause(self) -> float:
        """Until the earliest back-off or lease ends, at most the watch interval."""
        longest = self.settings.watch_interval_seconds
        due = self.store.next_email_due()
        if due is None:
            return longest
        return min(longest, max(0.05, (due - self.clock()).total_seconds()))

    async def round(self) -> bool:
        """One round; True when it took as many e-mails as it may (more may be due)."""
        await self._announce_or_later()
        await self.send_desk_replies()
        s = self.settings
        # Nothing is sent once the lease may have run out: another instance may then take it.
        lease_ends = time.monotonic() + s.email_lease_seconds
        claimed = self.store.claim_emails(
            self.owner,
            self.clock(),
            lease=timedelta(seconds=s.email_lease_seconds),
            limit=s.email_round_size,
        )
        if not claimed:
            return False
        self.metrics.rounds.inc()
        remaining: list[tuple[PlanRecord, EmailMessage]] = []
        for plan in claimed:
            try:
                remaining.append((plan, compose(plan.plan, plan.routed, s)))
            except ValueError as unsendable:  # Unsendable, or a plan that no longer reads
                self._give_up(plan, str(unsendable), attempted=False)
        try:
            await self._send(remaining, lease_ends)
        finally:
            self.store.release_emails([plan.plan_id for plan, _ in remaining], self.owner)
        await self._announce_or_later()
        return len(claimed) >= s.email_round_size

    async def _send(
        self, remaining: list[tuple[PlanRecord, EmailMessage]], lease_ends: float
    ) -> None:
        """Send and record one at a time; what is left in `remaining` was not tried."""
        if not remaining:
            return
        try:
            async with self.mailer.session() as session:
                while (
                    remaining
                    and session.open
                    and time.monotonic() + self.settings.smtp_timeout_seconds < lease_ends
                ):
                    # Out of `remaining` before it goes: if the exchange is cut short (a stop,
                    # a failed write of its outcome), it is not released but stays claimed
                    # until its lease runs out, as if this instance had died.
                    plan, message = remaining.pop(0)
                    self._record(plan, await session.send(message))
        except MailServerUnavailable as error:
            log.warning("%s; %d e-mails wait for their next attempt", error, len(remaining))
            while remaining:
                plan, _ = remaining.pop(0)
                self._try_again(plan, str(error))

    def _record(self, plan: PlanRecord, outcome: Outcome) -> None:
        error = outcome.error or outcome.result.value
        if outcome.result is Result.SENT:
            if self.store.email_sent(plan.plan_id, self.owner, self.clock()):
                self.metrics.sent.labels(plan.kind).inc()
            else:
                log.error("e-mail %s was sent after this instance lost its lease", plan.plan_id)
        elif outcome.result is Result.REFUSED:
            self._give_up(plan, error, attempted=True)
        else:
            self._try_again(plan, error)

    async def send_desk_replies(self) -> None:
        """Replies written on the desk, claimed under a lease as the plans' e-mails are; the
        desk's reply_sent action announced them already. A refusal for now waits for a later
        round, up to the attempt limit."""
        s = self.settings
        lease_ends = time.monotonic() + s.email_lease_seconds
        claimed = self.store.claim_caseworker_emails(
            self.owner, self.clock(), lease=timedelta(seconds=s.email_lease_seconds)
        )
        if not claimed:
            return
        outcome_of = self.store.caseworker_email_outcome
        remaining = list(claimed)
        try:
            async with self.mailer.session() as session:
                while (
                    remaining
                    and session.open
                    and time.monotonic() + s.smtp_timeout_seconds < lease_ends
                ):
                    email = remaining.pop(0)
                    try:
                        message = compose_caseworker_reply(email, s)
                    except ValueError as unsendable:
                        outcome_of(email.event_id, self.owner, delivery_state="failed",
                                   delivery_error=str(unsendable)[:500])  # fmt: skip
                        continue
                    outcome = await session.send(message)
                    if outcome.result is Result.SENT:
                        if outcome_of(email.event_id, self.owner, delivery_state="sent",
                                      delivered_at=self.clock()):  # fmt: skip
                            self.metrics.sent.labels("caseworker reply").inc()
                        continue
                    final = (
                        outcome.result is Result.REFUSED
                        or email.delivery_attempts >= s.delivery_max_attempts
                    )
                    outcome_of(email.event_id, self.owner,
                               delivery_state="failed" if final else "pending",
                               delivery_error=(outcome.error or outcome.result.value)[:500])  # fmt: skip
                    if final:
                        self.metrics.failed.inc()
        except MailServerUnavailable as error:
            log.warning("%s; %d desk replies wait for the next round", error, len(remaining))
        finally:
            for email in remaining:  # not tried: free for the next round at once
                outcome_of(email.event_id, self.owner, delivery_state="pending")

    def _try_again(self, plan: PlanRecord, error: str) -> None:
        attempts = plan.delivery_attempts + 1
        if attempts >= self.settings.delivery_max_attempts:
            self._give_up(plan, f"{error} (attempt {attempts}, the last)", attempted=True)
            return
        due = self.clock() + self.backoff.after(attempts)
        self.store.email_retry(plan.plan_id, self.owner, error, next_attempt_at=due)
        self.metrics.retried.inc()

    def _give_up(self, plan: PlanRecord, error: str, *, attempted: bool) -> None:
        if self.store.email_failed(plan.plan_id, self.owner, error, attempted=attempted):
            self.metrics.failed.inc()
            log.warning("e-mail reply for inquiry %s given up: %s", plan.inquiry_id, error)

    async def _announce_or_later(self) -> None:
        # The broker being away must not hold up the e-mails: the outcomes wait in the store.
        try:
            await self.announce()
        except Exception as error:
            log.warning("e-mail outcomes not announced yet (%s); the next round tries again", error)

    async def announce(self) -> None:
        """Publish replies.sent or the dead letter of each e-mail whose outcome is recorded but
        not yet announced: after a crash or a broker outage too (event ids repeat)."""
        done = self.store.unannounced_emails(limit=self.settings.email_round_size)
        if not done:
            return
        await self.publish(
            [_sent(p) if p.delivery_state == "sent" else _undeliverable(p) for p in done]
        )
        self.store.announced([p.plan_id for p in done], self.clock())


def _sent(plan: PlanRecord) -> Outgoing:
    event = ReplySent.caused_by(
        None,
        producer="reply",
        inquiry_id=plan.inquiry_id,
        discriminator=f"email/{plan.plan_id}",
        plan_id=plan.plan_id,
        kind=plan.kind,
        reply_channel=ReplyChannel(plan.reply_channel),
        channel=Channel(plan.channel),
        via="email",
    )
    return Outgoing(REPLIES_SENT, event, key=plan.thread_key)


def _undeliverable(plan: PlanRecord) -> Outgoing:
    """A reply that cannot be delivered, for a person: the plan itself as the original."""
    letter = DeadLetter(
        stage=REPLY_STAGE,
        reason=f"e-mail reply not delivered: {plan.delivery_error or 'not sent'}",
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
