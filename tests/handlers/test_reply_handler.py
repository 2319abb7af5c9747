"""Reply's subscribers on FastStream's in-memory broker: a triaged inquiry is planned and stored,
and a caseworker's reply closes its plan and is announced on replies.sent, and an unreadable action
becomes a dead letter without stopping the others."""

from __future__ import annotations

import asyncio
from pathlib import Path

from faststream import TestApp
from faststream.kafka import TestKafkaBroker

from services.reply.app import build_app
from services.reply.settings import ReplySettings
from services.reply.store import ReplyStore
from shared.database import make_engine
from shared.schema import migrate
from shared.vocabulary import CaseworkerActionKind, ReplyChannel
from tests.unit.reply.inquiries import action, local, triaged

NOW = local(2026, 12, 4, 10, 5)


def reply_settings(prefix: str, state_dir: Path) -> ReplySettings:
    return ReplySettings(
        provision_topics=False, kafka_transactions=False, topic_prefix=prefix, state_dir=state_dir
    )


async def test_a_triaged_inquiry_is_planned_with_its_deadline_and_stored(tmp_path: Path) -> None:
    settings = reply_settings("rh.", tmp_path)
    migrate(settings)
    service = build_app(settings, clock=lambda: NOW)
    planned: list[dict[str, object]] = []

    @service.broker.subscriber("rh.replies.planned")
    async def statistics(event: dict[str, object]) -> None:
        planned.append(event)

    event = triaged(received_at=local(2026, 12, 4, 10))
    async with asyncio.timeout(60):
        async with TestKafkaBroker(service.broker) as broker, TestApp(service.app):
            await broker.publish(event.model_dump_json().encode(), "rh.inquiries.triaged")

    [announced] = planned
    assert announced["causation_id"] == str(event.event_id)
    stored = ReplyStore(make_engine(settings)).plan_for(event.inquiry_id)
    assert stored is not None
    # An e-mail on Friday 4 December 2026 at 10:00: due the next business day's close.
    assert stored.deadline == local(2026, 12, 7, 16)
    assert stored.delivery_state == "pending"  # no SMTP server: the e-mail waits unsent


async def test_a_caseworkers_reply_closes_the_plan_and_is_announced(tmp_path: Path) -> None:
    settings = reply_settings("rh2.", tmp_path)
    migrate(settings)
    service = build_app(settings, clock=lambda: NOW)
    sent: list[dict[str, object]] = []
    dead: list[dict[str, object]] = []

    @service.broker.subscriber("rh2.replies.sent")
    async def statistics(event: dict[str, object]) -> None:
        sent.append(event)

    @service.broker.subscriber("rh2.deadletter.reply")
    async def operators(event: dict[str, object]) -> None:
        dead.append(event)

    event = triaged(received_at=local(2026, 12, 4, 10))
    replied = action(event, CaseworkerActionKind.REPLY_SENT, NOW, reply_channel=ReplyChannel.PHONE)
    async with asyncio.timeout(60):
        async with TestKafkaBroker(service.broker) as broker, TestApp(service.app):
            await broker.publish(event.model_dump_json().encode(), "rh2.inquiries.triaged")
            await broker.publish(replied.model_dump_json().encode(), "rh2.caseworker.actions")
            await broker.publish(b"not json", "rh2.caseworker.actions")

    [letter] = [d["dead_letter"] for d in dead]
    assert isinstance(letter, dict)
    assert (letter["stage"], letter["source_topic"]) == ("reply", "caseworker.actions")
    [announced] = sent
    assert (announced["via"], announced["reply_channel"]) == ("caseworker", "phone")
    assert announced["causation_id"] == str(replied.event_id)
    stored = ReplyStore(make_engine(settings)).plan_for(event.inquiry_id)
    assert stored is not None
    assert (stored.closed_action, stored.closed_by) == ("reply_sent", "anna")
