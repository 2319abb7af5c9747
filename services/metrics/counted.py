"""What the metrics service reads of each event: the envelope and the fields it counts.

An `InquiryTriaged` carries the inquiry's whole text and the decision's reasons, a dead letter the
original message in base64; validating all of it to count a few labels cost more than the
counting (docs/performance.md). Each model here is its event's envelope with only the counted part
of the payload, under the same names, so the bus's JSON is read as it is and the rest is skipped
unbuilt. The envelope is validated whole and every counted field with the event's own type and
vocabulary: an event is unreadable to metrics when what it counts is missing or not a known value,
not when a field it never reads is (the stage that consumes the event for its work dead-letters
that one). Events without bulky fields are read with their own schema.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events import (
    CaseworkerAction,
    DeadLettered,
    Envelope,
    InquiryReceived,
    InquiryTriaged,
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
    STAGES,
    deadletter_topic,
)
from shared.vocabulary import (
    Channel,
    Complexity,
    ContactOutcome,
    Department,
    Language,
    ReplyChannel,
)


class _Part(BaseModel):
    model_config = ConfigDict(extra="ignore")


class CountedInquiry(_Part):
    channel: Channel
    language: Language = Language.OTHER
    outcome: ContactOutcome | None = None


class CountedDecision(_Part):
    complexity: Complexity
    department: Department
    queue: str
    confidence: float = Field(ge=0.0, le=1.0)
    reply_channel: ReplyChannel


class CountedPlan(_Part):
    kind: Literal["acknowledgement", "reply", "callback"]
    reply_channel: ReplyChannel


class CountedDeadLetter(_Part):
    stage: str
    reason: str


class CountedInquiryReceived(Envelope):
    EVENT_TYPE = InquiryReceived.EVENT_TYPE
    payload: CountedInquiry


class CountedInquiryTriaged(Envelope):
    EVENT_TYPE = InquiryTriaged.EVENT_TYPE
    inquiry: CountedInquiry
    decision: CountedDecision


class CountedReplyPlanned(Envelope):
    EVENT_TYPE = ReplyPlanned.EVENT_TYPE
    plan: CountedPlan


class CountedDeadLettered(Envelope):
    EVENT_TYPE = DeadLettered.EVENT_TYPE
    dead_letter: CountedDeadLetter


# What metrics reads on each topic it counts (relative names).
COUNTED: dict[str, type[Envelope]] = {
    INQUIRIES_RECEIVED: CountedInquiryReceived,
    INQUIRIES_TRIAGED: CountedInquiryTriaged,
    REPLIES_PLANNED: CountedReplyPlanned,
    REPLIES_SENT: ReplySent,
    REPLIES_OVERDUE: ReplyOverdue,
    CASEWORKER_ACTIONS: CaseworkerAction,
    **{deadletter_topic(stage): CountedDeadLettered for stage in STAGES},
}
