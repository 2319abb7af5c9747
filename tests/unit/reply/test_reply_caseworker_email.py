"""A reply written on the desk travels as a reply_sent action; reply keeps one e-mail for it,
however often the action is delivered, for the e-mail sender to claim under a lease and send."""

from __future__ import annotations

from datetime import timedelta

from services.reply import actions
from services.reply.business_hours import BusinessCalendar
from services.reply.handler import apply_actions
from services.reply.settings import ReplySettings
from services.reply.store import ReplyStore, plan_row
from shared.database import make_engine
from shared.events import utc_now
from shared.topics import TopicNames
from shared.vocabulary import CaseworkerActionKind, ReplyChannel
from tests.unit.reply.inquiries import acknowledgement, record, triaged


def test_a_desk_reply_becomes_one_pending_e_mail_even_when_delivered_twice(
    database_url: str,
) -> None:
    settings = ReplySettings(database_url=database_url)
    store = ReplyStore(make_engine(settings))
    calendar = BusinessCalendar.from_settings(settings)
    event = triaged()
    plan = acknowledgement(event)
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
    delivered = record(reply_sent.event, topic="caseworker.actions")
    for _ in range(2):
        apply_actions([delivered], store=store, calendar=calendar, names=TopicNames(""))
    now = utc_now()
    [email] = store.claim_caseworker_emails("1", now, lease=timedelta(minutes=5))
    assert (email.recipient, email.subject, email.text) == (
        "karen.holm@example.dk",
        "Your passport",
        "Dear Karen, it is ready.",
    )
    assert email.in_reply_to == event.inquiry.channel_message_id
    # Held by instance 1: nobody else gets it until the lease runs out, then it is taken over.
    assert store.claim_caseworker_emails("2", now, lease=timedelta(minutes=5)) == []
    later = now + timedelta(minutes=6)
    [taken_over] = store.claim_caseworker_emails("2", later, lease=timedelta(minutes=5))
    assert taken_over.delivery_attempts == 2
    assert not store.caseworker_email_outcome(email.event_id, "1", delivery_state="sent")
    assert store.caseworker_email_outcome(email.event_id, "2", delivery_state="sent")
    assert (
        store.claim_caseworker_emails("1", later + timedelta(hours=1), lease=timedelta(minutes=5))
        == []
    )
