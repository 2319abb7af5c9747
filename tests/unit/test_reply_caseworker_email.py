"""A reply written on the desk travels as a reply_sent action; reply keeps one e-mail for it,
however often the action is delivered, for the deadline watch to send."""

from __future__ import annotations

from aiokafka import ConsumerRecord

from services.reply import actions
from services.reply.business_hours import BusinessCalendar
from services.reply.handler import apply_actions
from services.reply.settings import ReplySettings
from services.reply.store import ReplyStore, plan_row
from shared.database import make_engine
from shared.events import ReplyPlan, derived_id
from shared.topics import TopicNames
from shared.vocabulary import CaseworkerActionKind, Language, ReplyChannel
from tests.reply_inquiries import local, triaged


def test_a_desk_reply_becomes_one_pending_e_mail_even_when_delivered_twice(
    database_url: str,
) -> None:
    settings = ReplySettings(database_url=database_url)
    store = ReplyStore(make_engine(settings))
    calendar = BusinessCalendar.from_settings(settings)
    event = triaged()
    plan = ReplyPlan(
        plan_id=derived_id("plan", event.inquiry_id),
        kind="acknowledgement",
        reply_channel=ReplyChannel.EMAIL,
        language=Language.EN,
        deadline=local(2026, 12, 7, 16),
        deadline_text="by Monday",
        text="Dear Karen",
        reason="Rule 5",
        delivery="email",
    )
    store.add_plans([plan_row(event, plan, event.model_dump_json())], calendar)
    stored = store.plan_for(event.inquiry_id)
    assert stored is not None
    [reply_sent] = actions.action_for(
        stored,
        CaseworkerActionKind.REPLY_SENT,
        "lead",
        reply_channel=ReplyChannel.EMAIL,
        email=("karen.holm@example.dk", "Your passport", "Dear Karen, it is ready."),
    )
    body = reply_sent.event.model_dump_json().encode()
    record = ConsumerRecord("caseworker.actions", 0, 0, 0, 0, None, body, None, len(body), 0, [])
    for _ in range(2):
        apply_actions([record], store=store, calendar=calendar, names=TopicNames(""))
    [email] = store.pending_caseworker_emails()
    assert (email.recipient, email.subject, email.text) == (
        "karen.holm@example.dk",
        "Your passport",
        "Dear Karen, it is ready.",
    )
    assert email.in_reply_to == event.inquiry.channel_message_id
    assert store.caseworker_email_moves(email.event_id, "pending", delivery_state="sending")
    assert not store.caseworker_email_moves(email.event_id, "pending", delivery_state="sending")
    assert store.pending_caseworker_emails() == []
