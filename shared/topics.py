"""Every topic of the bus: its name, schema, producers and consumers (docs/design.md).

Names are relative; `TopicNames` puts the deployment's prefix in front, so that a test or a
second installation on the same broker has a namespace of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.events import (
    CaseworkerAction,
    DeadLettered,
    Envelope,
    InquiryReceived,
    InquiryRouted,
    InquiryTriaged,
    OutboxMessage,
    ReplyOverdue,
    ReplyPlanned,
    ReplySent,
)
from shared.vocabulary import ALL_QUEUES, CONTACT_CENTRE_QUEUE, Channel, ReplyChannel

INTAKE_STAGE = "intake"
TRIAGE_STAGE = "triage"
REPLY_STAGE = "reply"
METRICS_STAGE = "metrics"
STAGES = (INTAKE_STAGE, TRIAGE_STAGE, REPLY_STAGE, METRICS_STAGE)

# Gateways exist for these reply channels; e-mail goes out over SMTP, phone becomes a callback.
OUTBOX_CHANNELS = (ReplyChannel.DIGITAL_POST, ReplyChannel.LETTER, ReplyChannel.PHONE)


@dataclass(frozen=True)
class TopicSpec:
    name: str
    schema: type[Envelope] | None  # None: the channel's own raw bytes
    producers: tuple[str, ...]
    consumers: tuple[str, ...]


RAW_TOPIC_PREFIX = "intake.raw."


def raw_topic(channel: Channel) -> str:
    return f"{RAW_TOPIC_PREFIX}{channel.value}"


def is_raw_topic(name: str) -> bool:
    """A relative name of a channel's raw topic (what citizens sent, unmasked)."""
    return name.startswith(RAW_TOPIC_PREFIX)


def queue_topic(queue: str) -> str:
    return f"queue.{queue}"


def deadletter_topic(stage: str) -> str:
    return f"deadletter.{stage}"


def outbox_topic(channel: ReplyChannel) -> str:
    return f"outbox.{channel.value}"


INQUIRIES_RECEIVED = "inquiries.received"
INQUIRIES_TRIAGED = "inquiries.triaged"
CASEWORKER_ACTIONS = "caseworker.actions"
REPLIES_PLANNED = "replies.planned"
REPLIES_OVERDUE = "replies.overdue"
REPLIES_SENT = "replies.sent"


def _queue_producers(queue: str) -> tuple[str, ...]:
    """Triage routes to every queue; reply adds callback tasks to the contact centre's only;
    caseworker tools reroute an inquiry to any."""
    reply = (REPLY_STAGE,) if queue == CONTACT_CENTRE_QUEUE else ()
    return (TRIAGE_STAGE, *reply, "caseworker tools")


def all_topics() -> list[TopicSpec]:
    # Intake also writes raw topics: what its HTTP gateway and SMTP receiver accept.
    specs = [
        TopicSpec(raw_topic(c), None, ("channel adapters", INTAKE_STAGE), (INTAKE_STAGE,))
        for c in Channel
    ]
    specs += [
        TopicSpec(
            INQUIRIES_RECEIVED, InquiryReceived, (INTAKE_STAGE,), (TRIAGE_STAGE, METRICS_STAGE)
        ),
        TopicSpec(INQUIRIES_TRIAGED, InquiryTriaged, (TRIAGE_STAGE,), (REPLY_STAGE, METRICS_STAGE)),
        *(
            TopicSpec(queue_topic(q), InquiryRouted, _queue_producers(q), ("caseworker tools",))
            for q in ALL_QUEUES
        ),
        TopicSpec(
            CASEWORKER_ACTIONS,
            CaseworkerAction,
            ("caseworker tools",),
            (TRIAGE_STAGE, REPLY_STAGE, METRICS_STAGE),
        ),
        TopicSpec(REPLIES_PLANNED, ReplyPlanned, (REPLY_STAGE,), (METRICS_STAGE,)),
        TopicSpec(REPLIES_OVERDUE, ReplyOverdue, (REPLY_STAGE,), (METRICS_STAGE,)),
        TopicSpec(REPLIES_SENT, ReplySent, (REPLY_STAGE,), (METRICS_STAGE,)),
        *(
            TopicSpec(outbox_topic(c), OutboxMessage, (REPLY_STAGE,), ("gateways",))
            for c in OUTBOX_CHANNELS
        ),
        *(
            TopicSpec(deadletter_topic(s), DeadLettered, (s,), (METRICS_STAGE, "operators"))
            for s in STAGES
        ),
    ]
    return specs


@dataclass(frozen=True)
class TopicNames:
    """Resolves a relative topic name to the deployment's real one."""

    prefix: str = ""

    def __call__(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def relative(self, name: str) -> str:
        return name.removeprefix(self.prefix)
