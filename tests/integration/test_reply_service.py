"""The reply service on the real broker: e-mail over a real SMTP server, callbacks, deadlines over
weekends and holidays, pauses, overdue reports, and caseworker actions."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.reply.tables import PlanRecord
from shared.events import (
    DeadLetter,
    DeadLettered,
    InquiryRouted,
    InquiryTriaged,
    OutboxMessage,
    ReplyOverdue,
    ReplyPlanned,
    ReplySent,
)
from shared.topics import (
    CASEWORKER_ACTIONS,
    INQUIRIES_TRIAGED,
    REPLIES_OVERDUE,
    REPLIES_PLANNED,
    REPLIES_SENT,
    deadletter_topic,
    outbox_topic,
    queue_topic,
)
from shared.vocabulary import CaseworkerActionKind as Kind
from shared.vocabulary import Channel, Language, ReplyChannel
from tests.integration.reply_harness import Records, ReplyHarness, running_reply
from tests.unit.reply.inquiries import action, local, triaged

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
async def reply(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ReplyHarness]:
    state = Path(tmp_path_factory.mktemp("reply"))
    prefix = f"rp{uuid.uuid4().hex[:8]}."
    async with running_reply(kafka_bootstrap, prefix, state, local(2026, 11, 2, 9)) as harness:
        yield harness


def of(records: Records, topic: str, inquiry_id: uuid.UUID | None) -> list[bytes]:
    return [v for t, v in records if t == topic and str(inquiry_id).encode() in v]


async def planned(
    reply: ReplyHarness, *inquiry_ids: uuid.UUID | None
) -> dict[uuid.UUID, ReplyPlanned]:
    wanted = set(inquiry_ids)

    def found(records: Records) -> dict[uuid.UUID, ReplyPlanned]:
        events = (ReplyPlanned.model_validate_json(v) for t, v in records if t == REPLIES_PLANNED)
        return {e.inquiry_id: e for e in events if e.inquiry_id in wanted}  # type: ignore[misc]

    records = await reply.collect([REPLIES_PLANNED], until=lambda rs: len(found(rs)) == len(wanted))
    plans = found(records)
    assert set(plans) == wanted
    return plans


async def test_email_inquiry_gets_an_email_reply_at_the_smtp_server_with_the_right_deadline(
    reply: ReplyHarness,
) -> None:
    reply.clock.now = local(2026, 4, 1, 10, 5)
    # Wednesday before Easter: Maundy Thursday, Good Friday, the weekend and Easter Monday.
    event = triaged(
        received_at=local(2026, 4, 1, 10),
        citizen={"name": "John Smith", "email": "john@example.com"},
    )
    await reply.publish(INQUIRIES_TRIAGED, event, key=event.inquiry.thread_key)

    def arrived() -> list[object]:
        return [m for m in reply.mailbox.messages if m["To"] == "john@example.com"]

    [mail] = await reply.wait_for(arrived, what="the e-mail at the SMTP server")
    assert mail["Subject"] == "We have received your inquiry about passport"
    assert mail["From"] == reply.settings.mail_from
    assert mail["In-Reply-To"] == event.inquiry.channel_message_id
    body = mail.get_content()
    assert body.startswith("Dear John Smith,")
    assert "You will hear from us by Tuesday 7 April." in body

    plan = (await planned(reply, event.inquiry_id))[event.inquiry_id].plan
    assert plan.deadline == local(2026, 4, 7, 16)
    records = await reply.collect(
        [REPLIES_SENT], until=lambda rs: bool(of(rs, REPLIES_SENT, event.inquiry_id))
    )
    [sent] = [ReplySent.model_validate_json(v) for v in of(records, REPLIES_SENT, event.inquiry_id)]
    assert (sent.kind, sent.reply_channel, sent.via) == (
        "acknowledgement",
        ReplyChannel.EMAIL,
        "email",
    )
    stored = reply.store.plan_for(event.inquiry_id)
    assert stored is not None
    assert stored.delivery_state == "sent"


async def test_deadlines_over_a_weekend_and_over_public_holidays_land_on_the_right_business_day(
    reply: ReplyHarness,
) -> None:
    reply.clock.now = local(2026, 11, 2, 9)
    friday = triaged(received_at=local(2026, 12, 4, 10), language=Language.DA)
    christmas = triaged(received_at=local(2026, 12, 23, 10))
    ascension_letter = triaged(
        channel=Channel.LETTER,
        received_at=local(2026, 5, 4, 11),
        reply_channel=ReplyChannel.LETTER,
        citizen={"name": "Poul Jensen", "address": "Vesterbrogade 12, 1620 København V"},
    )
    events = (friday, christmas, ascension_letter)
    await reply.publish(INQUIRIES_TRIAGED, *events)
    plans = await planned(reply, *(e.inquiry_id for e in events))

    assert plans[friday.inquiry_id].plan.deadline == local(2026, 12, 7, 16)
    assert (
        plans[friday.inquiry_id].plan.deadline_text
        == "Du hører fra os senest mandag den 7. december"
    )
    # 24 December (closed), Christmas Day, the Second Day of Christmas and the weekend.
    assert plans[christmas.inquiry_id].plan.deadline == local(2026, 12, 28, 16)
    assert (
        plans[christmas.inquiry_id].plan.deadline_text
        == "You will hear from us by Monday 28 December"
    )
    # Ten business days from Monday 4 May, with Ascension Day (14 May) skipped: Tuesday 19 May.
    assert plans[ascension_letter.inquiry_id].plan.deadline == local(2026, 5, 19, 16)


async def test_letter_from_citizen_with_known_phone_number_is_planned_as_phone_callback_with_reason(
    reply: ReplyHarness,
) -> None:
    reply.clock.now = local(2026, 11, 16, 9)
    letter = triaged(
        channel=Channel.LETTER,
        received_at=local(2026, 11, 16, 9),
        language=Language.DA,
        reply_channel=ReplyChannel.PHONE,
        reply_reason="Rule 5: phone is the cheapest channel we have contact details for "
        "(it came by letter).",
        citizen={"name": "Poul Jensen", "phone": "+45 21 43 65 87", "address": "Vesterbrogade 12"},
        queue="citizen-service",
    )
    await reply.publish(INQUIRIES_TRIAGED, letter, key=letter.inquiry.thread_key)
    plan = (await planned(reply, letter.inquiry_id))[letter.inquiry_id].plan
    assert plan.kind == "callback"
    assert plan.reply_channel is ReplyChannel.PHONE
    assert plan.delivery == "callback"
    assert plan.recipient == "+45 21 43 65 87"
    assert plan.reason.startswith("Channel shift on reply: it came by letter, we answer by phone.")
    assert "Rule 5" in plan.reason

    contact_centre, sms_outbox = queue_topic("contact-centre"), outbox_topic(ReplyChannel.PHONE)
    records = await reply.collect(
        [contact_centre, sms_outbox],
        until=lambda rs: (
            bool(of(rs, contact_centre, letter.inquiry_id))
            and bool(of(rs, sms_outbox, letter.inquiry_id))
        ),
    )
    [task] = [
        InquiryRouted.model_validate_json(v) for v in of(records, contact_centre, letter.inquiry_id)
    ]
    assert task.callback == plan
    assert task.inquiry.channel is Channel.LETTER
    [sms] = [
        OutboxMessage.model_validate_json(v) for v in of(records, sms_outbox, letter.inquiry_id)
    ]
    assert sms.recipient == "+45 21 43 65 87"
    assert "Du hører fra os senest mandag den 30. november" in sms.text


async def test_paused_deadline_does_not_run_out_and_resumes_when_the_citizen_answers(
    reply: ReplyHarness,
) -> None:
    reply.clock.now = local(2026, 12, 4, 10)
    event = triaged(received_at=local(2026, 12, 4, 9))
    await reply.publish(INQUIRIES_TRIAGED, event, key=event.inquiry.thread_key)
    await planned(reply, event.inquiry_id)
    pause = action(event, Kind.AWAITING_CITIZEN, local(2026, 12, 4, 12), note="asked for a photo")
    await reply.publish(CASEWORKER_ACTIONS, pause, key=event.inquiry.thread_key)

    def paused() -> PlanRecord | None:
        plan = reply.store.plan_for(event.inquiry_id)
        return plan if plan and plan.paused_since else None

    await reply.wait_for(paused, what="the pause")
    # Far past the first deadline (Monday 16:00), the paused plan is not overdue.
    reply.clock.now = local(2026, 12, 9, 9)
    await reply.more_checks()
    plan = reply.store.plan_for(event.inquiry_id)
    assert plan is not None
    assert plan.overdue_at is None

    answered = action(event, Kind.CITIZEN_ANSWERED, local(2026, 12, 8, 10), caseworker="bo")
    await reply.publish(CASEWORKER_ACTIONS, answered, key=event.inquiry.thread_key)

    def resumed() -> PlanRecord | None:
        plan = reply.store.plan_for(event.inquiry_id)
        return plan if plan and plan.paused_since is None else None

    plan = await reply.wait_for(resumed, what="the resumption")
    # Waited Friday 12-15, Monday 8-16, Tuesday 8-10: 13 business hours past Monday 16:00.
    assert plan.deadline == local(2026, 12, 9, 13)
    [kept] = reply.store.pauses(plan.plan_id)
    assert (kept.paused_by, kept.resumed_by, kept.paused_business_seconds) == (
        "anna",
        "bo",
        13 * 3600,
    )
    await reply.more_checks()
    assert reply.store.plan_for(event.inquiry_id).overdue_at is None  # type: ignore[union-attr]


async def test_a_deadline_that_passes_without_a_reply_is_reported_overdue_once(
    reply: ReplyHarness,
) -> None:
    reply.clock.now = local(2026, 12, 4, 10)
    event = triaged(
        received_at=local(2026, 12, 4, 9),
        citizen={"phone": "+45 11 22 33 44"},
        reply_channel=ReplyChannel.PHONE,
    )
    await reply.publish(INQUIRIES_TRIAGED, event, key=event.inquiry.thread_key)
    await planned(reply, event.inquiry_id)
    before = await reply.metric("reply_replies_overdue_total", reply_channel="phone")

    reply.clock.now = local(2026, 12, 7, 16, 1)
    records = await reply.collect(
        [REPLIES_OVERDUE], until=lambda rs: bool(of(rs, REPLIES_OVERDUE, event.inquiry_id))
    )
    [overdue] = [
        ReplyOverdue.model_validate_json(v) for v in of(records, REPLIES_OVERDUE, event.inquiry_id)
    ]
    assert overdue.deadline == local(2026, 12, 7, 16)
    assert (overdue.reply_channel, overdue.queue, overdue.channel) == (
        ReplyChannel.PHONE,
        "contact-centre",
        Channel.EMAIL,
    )
    # Later rounds of the watch do not report it again.
    reply.clock.now = local(2026, 12, 10, 9)
    await reply.more_checks(5)
    records = await reply.collect([REPLIES_OVERDUE], until=lambda rs: False, timeout=2)
    assert len(of(records, REPLIES_OVERDUE, event.inquiry_id)) == 1
    assert await reply.metric("reply_replies_overdue_total", reply_channel="phone") == before + 1


async def test_a_caseworkers_reply_closes_the_plan_and_is_announced_as_sent(
    reply: ReplyHarness,
) -> None:
    reply.clock.now = local(2026, 12, 4, 10)
    event = triaged(received_at=local(2026, 12, 4, 9))
    await reply.publish(INQUIRIES_TRIAGED, event, key=event.inquiry.thread_key)
    await planned(reply, event.inquiry_id)
    done = action(event, Kind.REPLY_SENT, local(2026, 12, 4, 11), reply_channel=ReplyChannel.PHONE)
    await reply.publish(CASEWORKER_ACTIONS, done, key=event.inquiry.thread_key)
    records = await reply.collect(
        [REPLIES_SENT],
        until=lambda rs: any(
            b'"via":"caseworker"' in v and str(event.inquiry_id).encode() in v for _, v in rs
        ),
    )
    sent = [ReplySent.model_validate_json(v) for v in of(records, REPLIES_SENT, event.inquiry_id)]
    assert [
        (s.kind, s.via, s.reply_channel, s.caseworker) for s in sent if s.via == "caseworker"
    ] == [("reply", "caseworker", ReplyChannel.PHONE, "anna")]
    plan = await reply.wait_for(lambda: reply.store.plan_for(event.inquiry_id), what="the plan")
    assert plan.closed_action == "reply_sent"
    reply.clock.now = local(2026, 12, 31, 9)
    await reply.more_checks()
    assert reply.store.plan_for(event.inquiry_id).overdue_at is None  # type: ignore[union-attr]


async def test_an_inquiry_with_no_way_to_answer_is_dead_lettered_with_the_reason(
    reply: ReplyHarness,
) -> None:
    event = triaged(channel=Channel.LETTER, reply_channel=ReplyChannel.LETTER, citizen={})
    await reply.publish(INQUIRIES_TRIAGED, event, key=event.inquiry.thread_key)
    dead = deadletter_topic("reply")
    records = await reply.collect(
        [dead],
        until=lambda rs: (
            bool(of(rs, dead, event.inquiry_id))
            or any(t == dead and event.inquiry.thread_key.encode() in v for t, v in rs)
        ),
    )
    letters = [DeadLettered.model_validate_json(v) for t, v in records if t == dead]
    [ours] = [d for d in letters if d.dead_letter.key == event.inquiry.thread_key]
    assert "No postal address on file for a reply by letter" in ours.dead_letter.reason


async def dead_letter_of(reply: ReplyHarness, event: InquiryTriaged) -> DeadLetter:
    """The one dead letter reply wrote for the event's reply."""
    key = event.inquiry.thread_key.encode()
    records = await reply.collect(
        [deadletter_topic("reply")], until=lambda rs: any(key in v for _, v in rs)
    )
    [letter] = [DeadLettered.model_validate_json(v).dead_letter for _, v in records if key in v]
    return letter


async def test_an_email_address_the_mail_server_refuses_is_dead_lettered_not_retried(
    reply: ReplyHarness,
) -> None:
    reply.clock.now = local(2026, 12, 4, 10)
    event = triaged(citizen={"name": "Nobody", "email": "nobody@example.dk"})
    await reply.publish(INQUIRIES_TRIAGED, event, key=event.inquiry.thread_key)
    letter = await dead_letter_of(reply, event)
    assert letter.reason.startswith("e-mail reply not delivered: the mail server refused: 550")
    plan = reply.store.plan_for(event.inquiry_id)
    assert plan is not None
    assert (plan.delivery_state, plan.delivery_attempts) == ("failed", 1)


async def test_an_address_with_a_line_break_is_dead_lettered_and_the_others_still_go_out(
    reply: ReplyHarness,
) -> None:
    """An event on the bus whose address carries a header (written by a producer that skipped
    the schema) is refused by the schema reply reads with: no reply is planned or sent for it,
    and the other e-mails still go out."""
    reply.clock.now = local(2026, 12, 4, 10)
    broken = triaged(citizen={"name": "Karen", "email": "karen@example.dk"})
    injected = broken.model_dump_json().replace(
        '"karen@example.dk"', '"karen@example.dk\\nBcc: all@example.dk"'
    )
    assert "Bcc" in injected
    fine = triaged(citizen={"name": "Jens Hansen", "email": "jens.hansen@example.dk"})
    key = broken.inquiry.thread_key
    await reply.publish(INQUIRIES_TRIAGED, injected.encode(), key=key)
    await reply.publish(INQUIRIES_TRIAGED, fine, key=fine.inquiry.thread_key)
    letter = await dead_letter_of(reply, broken)
    assert "line break" in letter.reason
    await reply.wait_for(
        lambda: [m for m in reply.mailbox.messages if m["To"] == "jens.hansen@example.dk"],
        what="the other e-mail",
    )
    assert reply.store.plan_for(broken.inquiry_id) is None
    assert not [m for m in reply.mailbox.messages if "all@example.dk" in str(m)]
