"""Triaged inquiries for the reply service's tests, as triage would publish them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiokafka import ConsumerRecord

from services.reply.business_hours import BusinessCalendar
from services.reply.settings import ReplySettings
from services.reply.store import ReplyStore, plan_row
from shared.events import (
    CaseworkerAction,
    CitizenProfile,
    Decision,
    Envelope,
    Inquiry,
    InquiryRouted,
    InquiryTriaged,
    Reason,
    ReplyPlan,
    derived_id,
)
from shared.vocabulary import (
    CaseworkerActionKind,
    Channel,
    Complexity,
    Department,
    Language,
    ReplyChannel,
)

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
CALENDAR = BusinessCalendar.from_settings(ReplySettings())


def local(*parts: int) -> datetime:
    """A moment in Copenhagen: local(2026, 12, 4, 10) is Friday 4 December 2026, 10:00."""
    return datetime(*parts, tzinfo=COPENHAGEN)  # type: ignore[misc]


def triaged(
    *,
    channel: Channel = Channel.EMAIL,
    received_at: datetime | None = None,
    language: Language = Language.EN,
    reply_channel: ReplyChannel = ReplyChannel.EMAIL,
    reply_reason: str = "Rule 5: email is the cheapest channel we have contact details for.",
    citizen: dict[str, Any] | None = None,
    complexity: Complexity = Complexity.SIMPLE,
    department: Department = Department.OKF,
    queue: str = "contact-centre",
    service: tuple[str, str, str] | None = ("passport", "Pas", "Passport"),
    self_service_url: str | None = None,
    citizen_key: str | None = None,
    text: str = "I need a new passport, mine has expired.",
) -> InquiryTriaged:
    inquiry_id = uuid.uuid4()
    profile = (
        CitizenProfile(name="Karen Holm", email="karen.holm@example.dk")
        if citizen is None
        else CitizenProfile(**citizen)
    )
    inquiry = Inquiry(
        channel=channel,
        channel_message_id=f"<{inquiry_id}@example.dk>",
        received_at=received_at or local(2026, 12, 4, 10),
        text=text,
        subject="Passport",
        language=language,
        citizen=profile,
        citizen_key=citizen_key,
        thread_key=f"thread-{inquiry_id}",
    )
    decision = Decision(
        complexity=complexity,
        department=department,
        queue=queue,
        confidence=0.91,
        reply_channel=reply_channel,
        reasons=[
            Reason(about="complexity", text="'Passport' is a simple service (expedition)."),
            Reason(about="department", text="Catalogue match 'Passport' by 'passport'."),
            Reason(about="queue", text=f"A simple matter that came by {channel.value}."),
            Reason(about="reply_channel", text=reply_reason),
        ],
        model_version="keywords-1",
        service_id=service[0] if service else None,
        self_service_url=self_service_url,
        service_names={Language.DA: service[1], Language.EN: service[2]} if service else None,
    )
    return InquiryTriaged(
        event_id=uuid.uuid4(),
        event_type=InquiryTriaged.EVENT_TYPE,
        occurred_at=inquiry.received_at,
        inquiry_id=inquiry_id,
        correlation_id=inquiry_id,
        producer="triage",
        inquiry=inquiry,
        decision=decision,
    )


def action(
    event: InquiryTriaged | InquiryRouted,
    kind: CaseworkerActionKind,
    at: datetime,
    *,
    caseworker: str = "anna",
    **fields: Any,
) -> CaseworkerAction:
    return CaseworkerAction(
        event_id=uuid.uuid4(),
        event_type=CaseworkerAction.EVENT_TYPE,
        occurred_at=at,
        inquiry_id=event.inquiry_id,
        correlation_id=event.correlation_id,
        producer="caseworker tool",
        action=kind,
        caseworker=caseworker,
        queue=event.decision.queue,
        **fields,
    )


def record(value: bytes | Envelope, *, topic: str = "inquiries.triaged", offset: int = 0) -> Any:
    """A consumed Kafka record carrying `value`, as the batch subscriber hands it over."""
    body = value.model_dump_json().encode() if isinstance(value, Envelope) else value
    return ConsumerRecord(topic, 0, offset, 0, 0, b"key", body, None, 3, len(body), [])


def email_plan(event: InquiryTriaged, *, due: datetime, recipient: str | None = None) -> ReplyPlan:
    """An e-mail reply to the event, as the planner makes it."""
    return ReplyPlan(
        plan_id=derived_id("plan", event.inquiry_id),
        kind="acknowledgement",
        reply_channel=ReplyChannel.EMAIL,
        language=Language.EN,
        deadline=due,
        deadline_text="You will hear from us by Monday 7 December",
        text="Dear Karen Holm, ...",
        reason="Rule 5",
        recipient=recipient or event.inquiry.citizen.email,
        delivery="email",
    )


def acknowledgement(event: InquiryTriaged, deadline: datetime | None = None) -> ReplyPlan:
    """An e-mail acknowledgement due by `deadline` (Monday 7 December, 16:00), as reply plans it."""
    return email_plan(event, due=deadline or local(2026, 12, 7, 16))


def add(
    store: ReplyStore, event: InquiryTriaged, *, due: datetime, recipient: str | None = None
) -> ReplyPlan:
    """An e-mail reply to the event, planned in the store as the handler does."""
    plan = email_plan(event, due=due, recipient=recipient)
    store.add_plans([plan_row(event, plan, event.model_dump_json())], CALENDAR)
    return plan
