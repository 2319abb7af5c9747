"""Events as the pipeline publishes them, and as the metrics service reads them off the bus, for
the metrics service's tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from aiokafka import ConsumerRecord

from services.metrics.tally import read_events
from shared.events import (
    CaseworkerAction,
    DeadLetter,
    DeadLettered,
    Decision,
    Envelope,
    Inquiry,
    InquiryReceived,
    InquiryTriaged,
    Reason,
    ReplyOverdue,
    ReplyPlanned,
    ReplySent,
)
from shared.topics import (
    CASEWORKER_ACTIONS,
    INQUIRIES_RECEIVED,
    INQUIRIES_TRIAGED,
    REPLIES_OVERDUE,
    REPLIES_PLANNED,
    REPLIES_SENT,
    TopicNames,
    deadletter_topic,
)
from shared.vocabulary import (
    CaseworkerActionKind,
    Channel,
    Complexity,
    ContactOutcome,
    Department,
    Language,
    ReplyChannel,
    specialist_queue,
)

TOPICS: dict[type[Envelope], str] = {
    InquiryReceived: INQUIRIES_RECEIVED,
    InquiryTriaged: INQUIRIES_TRIAGED,
    ReplyPlanned: REPLIES_PLANNED,
    ReplySent: REPLIES_SENT,
    ReplyOverdue: REPLIES_OVERDUE,
    CaseworkerAction: CASEWORKER_ACTIONS,
}


def on_the_bus(event: Envelope) -> ConsumerRecord[bytes, bytes]:
    """The record a consumer gets for `event` (a dead letter on its stage's topic)."""
    topic = (
        deadletter_topic(event.dead_letter.stage)
        if isinstance(event, DeadLettered)
        else TOPICS[type(event)]
    )
    value = event.model_dump_json().encode()
    return ConsumerRecord(topic, 0, 0, 0, 0, None, value, None, 0, len(value), [])


def as_read(*events: Envelope) -> list[Envelope]:
    """The events as the metrics service reads them: through JSON, only what it counts."""
    read, unreadable = read_events([on_the_bus(e) for e in events], TopicNames())
    assert not unreadable
    return read


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def received(
    channel: Channel,
    occurred_at: datetime,
    *,
    outcome: ContactOutcome | None = None,
    received_at: datetime | None = None,
    language: Language = Language.DA,
) -> InquiryReceived:
    inquiry_id = uuid.uuid4()
    inquiry = Inquiry(
        channel=channel,
        channel_message_id=f"msg-{inquiry_id}",
        received_at=received_at or occurred_at,
        text="Jeg er flyttet og mangler et nyt sundhedskort.",
        language=language,
        thread_key=str(inquiry_id),
        outcome=outcome,
    )
    event = InquiryReceived.caused_by(
        None, producer="intake", inquiry_id=inquiry_id, payload=inquiry
    )
    return event.model_copy(update={"occurred_at": occurred_at})  # type: ignore[return-value]


def triaged(
    cause: InquiryReceived,
    occurred_at: datetime,
    *,
    complexity: Complexity = Complexity.SIMPLE,
    department: Department = Department.OKF,
    reply_channel: ReplyChannel = ReplyChannel.EMAIL,
    confidence: float = 0.9,
) -> InquiryTriaged:
    queue = {
        Complexity.SIMPLE: "contact-centre",
        Complexity.SPECIALIST: specialist_queue(department),
        Complexity.UNDETERMINED: "manual-triage",
    }[complexity]
    decision = Decision(
        complexity=complexity,
        department=department,
        queue=queue,
        confidence=confidence,
        reply_channel=reply_channel,
        reasons=[Reason(about="complexity", text="a routine matter")],
        model_version="test",
    )
    event = InquiryTriaged.caused_by(
        cause,
        producer="triage",
        inquiry_id=cause.inquiry_id,
        inquiry=cause.payload,
        decision=decision,
    )
    return event.model_copy(update={"occurred_at": occurred_at})  # type: ignore[return-value]


def reply_sent(cause: InquiryTriaged) -> CaseworkerAction:
    return CaseworkerAction.caused_by(  # type: ignore[return-value]
        cause,
        producer="caseworker-tool",
        inquiry_id=cause.inquiry_id,
        action=CaseworkerActionKind.REPLY_SENT,
        caseworker="cw-7",
        queue=cause.decision.queue,
    )


def sent(cause: CaseworkerAction, reply_channel: ReplyChannel) -> ReplySent:
    """The reply service's announcement of a caseworker's reply."""
    return ReplySent.caused_by(  # type: ignore[return-value]
        cause,
        producer="reply",
        inquiry_id=cause.inquiry_id,
        plan_id=uuid.uuid4(),
        kind="reply",
        reply_channel=reply_channel,
        via="caseworker",
        caseworker=cause.caseworker,
    )


def overdue(cause: InquiryTriaged, reply_channel: ReplyChannel) -> ReplyOverdue:
    return ReplyOverdue.caused_by(  # type: ignore[return-value]
        cause,
        producer="reply",
        inquiry_id=cause.inquiry_id,
        plan_id=uuid.uuid4(),
        reply_channel=reply_channel,
        deadline=cause.occurred_at,
    )


def dead_lettered(stage: str, reason: str) -> DeadLettered:
    letter = DeadLetter(
        stage=stage,
        reason=reason,
        source_topic="intake.raw.phone",
        original=b"eyJjYWxsX2lkIjog",
    )
    return DeadLettered.caused_by(  # type: ignore[return-value]
        None, producer=stage, inquiry_id=None, discriminator=uuid.uuid4(), dead_letter=letter
    )
