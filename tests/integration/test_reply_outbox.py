"""The e-mail outbox against a real SMTP server (aiosmtpd) and a real store (SQLite and
PostgreSQL): each e-mail once, whatever the server refuses, drops or however many instances send."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from sqlmodel import Session, select

from services.reply.mail import SmtpMailer, Unsendable, compose, message_id
from services.reply.sender import Backoff, EmailSender, SenderMetrics
from services.reply.settings import ReplySettings
from services.reply.store import ReplyStore
from services.reply.tables import PlanRecord
from shared.bus import Outgoing
from shared.database import make_engine
from shared.events import DeadLettered, InquiryRouted, ReplySent, utc_now
from shared.topics import REPLIES_SENT, deadletter_topic
from tests.integration.reply_harness import Mailbox, smtp_sink
from tests.unit.reply.inquiries import add, email_plan, local, triaged

DUE = local(2026, 12, 7, 16)


def settings_for(database_url: str, smtp_port: int, **overrides: Any) -> ReplySettings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_port,
        "smtp_timeout_seconds": 2.0,
        "email_lease_seconds": 10.0,
        "email_retry_initial_seconds": 0.05,
        "email_retry_max_seconds": 0.2,
        "watch_interval_seconds": 0.2,
        "delivery_max_attempts": 10,
        **overrides,
    }
    return ReplySettings(**values)


class Published(list[Outgoing]):
    async def __call__(self, outgoing: Sequence[Outgoing]) -> None:
        self.extend(outgoing)

    def on(self, topic: str) -> list[Outgoing]:
        return [o for o in self if o.topic == topic]


def sender_for(
    settings: ReplySettings, published: Published, *, clock: Callable[[], Any] = utc_now
) -> EmailSender:
    return EmailSender(
        store=ReplyStore(make_engine(settings)),
        mailer=SmtpMailer(settings),
        publish=published,
        settings=settings,
        metrics=SenderMetrics.on(CollectorRegistry()),
        clock=clock,
    )


def plan_emails(store: ReplyStore, count: int) -> list[str]:
    """`count` e-mail replies waiting; returns the Message-IDs they are to carry."""
    settings = ReplySettings()
    return [message_id(add(store, triaged(), due=DUE).plan_id, settings) for _ in range(count)]


async def until_all_sent(store: ReplyStore, *senders: EmailSender, timeout: float = 60) -> None:
    tasks = [asyncio.create_task(s.run()) for s in senders]
    deadline = time.monotonic() + timeout
    try:
        while store.next_email_due() is not None:
            assert time.monotonic() < deadline, "e-mails still waiting"
            assert not any(t.done() for t in tasks), "a sender stopped"
            await asyncio.sleep(0.05)
        for sender in senders:
            await sender.announce()
    finally:
        for task in tasks:
            task.cancel()
        # A sender that does not stop when asked fails the test instead of hanging it.
        _, running = await asyncio.wait(tasks, timeout=30)
        assert not running, "a sender did not stop when cancelled"


async def test_a_bad_address_fails_alone_while_the_others_go_out(database_url: str) -> None:
    mailbox = Mailbox()
    with smtp_sink(mailbox) as smtp:
        settings = settings_for(database_url, smtp.port)
        published = Published()
        sender = sender_for(settings, published)
        store = sender.store
        good = [add(store, triaged(), due=DUE) for _ in range(2)]
        broken = add(store, triaged(), due=DUE, recipient="karen@example.dk\nBcc: all@example.dk")
        invalid = add(store, triaged(), due=DUE, recipient="karen at example.dk")
        good.append(add(store, triaged(), due=DUE))
        assert not await sender.round()
    assert sorted(mailbox.message_ids()) == sorted(message_id(p.plan_id, settings) for p in good)
    records = {r.plan_id: r for r in _all(sender.store)}
    for plan in (broken, invalid):
        assert (records[plan.plan_id].delivery_state, records[plan.plan_id].delivery_attempts) == (
            "failed",
            0,
        )
    letters = [o.event for o in published.on(deadletter_topic("reply"))]
    reasons = {e.inquiry_id: e.dead_letter.reason for e in letters if isinstance(e, DeadLettered)}
    assert len(reasons) == 2
    assert all(
        r.startswith("e-mail reply not delivered: the e-mail address") for r in reasons.values()
    )
    assert any("contains a line break" in r for r in reasons.values())
    assert len([o for o in published.on(REPLIES_SENT) if isinstance(o.event, ReplySent)]) == 3
    # Announced once: the next round publishes nothing again.
    published.clear()
    await sender.announce()
    assert published == []


def _all(store: ReplyStore) -> list[PlanRecord]:
    with Session(store.engine) as session:
        return list(session.exec(select(PlanRecord)).all())


async def test_a_server_that_refuses_for_a_while_gets_each_email_exactly_once(
    database_url: str,
) -> None:
    mailbox = Mailbox(refuse_first=7)
    with smtp_sink(mailbox) as smtp:
        sender = sender_for(settings_for(database_url, smtp.port), Published())
        wanted = plan_emails(sender.store, 4)
        await until_all_sent(sender.store, sender)
    assert sorted(mailbox.message_ids()) == sorted(wanted)
    records = _all(sender.store)
    assert {r.delivery_state for r in records} == {"sent"}
    # 7 refusals spread over the 4 e-mails, each counted on its own e-mail.
    assert sum(r.delivery_attempts for r in records) == 4 + 7


async def test_a_disconnect_mid_round_does_not_send_accepted_emails_again(
    database_url: str,
) -> None:
    mailbox = Mailbox(drop_at={3})
    with smtp_sink(mailbox) as smtp:
        sender = sender_for(settings_for(database_url, smtp.port), Published())
        wanted = plan_emails(sender.store, 6)
        await until_all_sent(sender.store, sender)
    # Two accepted before the drop, the third dropped unanswered and sent again, once.
    assert sorted(mailbox.message_ids()) == sorted(wanted)
    assert mailbox.data_seen == 7
    interrupted = [r for r in _all(sender.store) if r.delivery_attempts == 2]
    assert len(interrupted) == 1
    assert interrupted[0].delivery_error is None


async def test_two_instances_on_one_database_never_send_an_email_twice(database_url: str) -> None:
    mailbox = Mailbox(refuse_first=5, drop_at={20, 41}, delay=0.005)
    with smtp_sink(mailbox) as smtp:
        senders = [
            sender_for(
                settings_for(database_url, smtp.port, instance_id=name, email_round_size=4),
                Published(),
            )
            for name in ("reply-1", "reply-2")
        ]
        wanted = plan_emails(senders[0].store, 60)
        await until_all_sent(senders[0].store, *senders)
    ids = mailbox.message_ids()
    assert len(ids) == len(set(ids)) == 60
    assert sorted(ids) == sorted(wanted)
    both = [s.metrics.rounds._value.get() for s in senders]  # type: ignore[attr-defined]
    assert all(rounds > 0 for rounds in both), both


async def test_a_lease_held_by_a_dead_instance_is_taken_over_once_it_expires(
    database_url: str,
) -> None:
    mailbox = Mailbox()
    with smtp_sink(mailbox) as smtp:
        settings = settings_for(database_url, smtp.port, instance_id="reply-2")
        store = ReplyStore(make_engine(settings))
        [wanted] = plan_emails(store, 1)
        lease = timedelta(seconds=settings.email_lease_seconds)
        now = utc_now()
        # Instance reply-1 took the e-mail and died before recording anything.
        [held] = store.claim_emails("reply-1", now, lease=lease, limit=10)
        alive = sender_for(settings, Published())
        assert not await alive.round()
        assert mailbox.messages == []
        after_expiry = sender_for(settings, Published(), clock=lambda: utc_now() + lease)
        assert not await after_expiry.round()
    assert mailbox.message_ids() == [wanted]
    [record] = _all(store)
    assert (record.plan_id, record.delivery_state, record.delivery_attempts) == (
        held.plan_id,
        "sent",
        1,
    )


def test_the_message_id_is_the_same_on_every_attempt_and_a_line_break_is_refused() -> None:
    settings = ReplySettings()
    event = triaged()
    plan = email_plan(event, due=DUE)
    routed = InquiryRouted.model_validate_json(event.model_dump_json())
    first, second = compose(plan, routed, settings), compose(plan, routed, settings)
    assert first["Message-ID"] == second["Message-ID"] == f"<reply-{plan.plan_id}@kk.dk>"
    with pytest.raises(Unsendable, match="line break"):
        compose(
            plan.model_copy(update={"recipient": "a@example.dk\r\nBcc: b@x.dk"}), routed, settings
        )


def test_the_back_off_grows_exponentially_with_jitter_up_to_its_cap() -> None:
    backoff = Backoff(ReplySettings(email_retry_initial_seconds=30, email_retry_max_seconds=3600))
    for attempt, low in ((1, 30), (2, 60), (3, 120), (5, 480)):
        waits = [backoff.after(attempt).total_seconds() for _ in range(50)]
        assert all(low <= w <= low + 30 for w in waits), (attempt, min(waits), max(waits))
        assert len(set(waits)) > 1
    assert backoff.after(20).total_seconds() == 3600
