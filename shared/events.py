"""Envelopes and payloads of every topic (docs/design.md, "Messages on the bus").

Schemas change only by adding optional fields; a breaking change is a new `schema_version`
that consumers still read for one release.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC, date, datetime
from typing import Annotated, ClassVar, Literal, Self

from pydantic import AfterValidator, Base64Bytes, BaseModel, ConfigDict, Field, PlainSerializer

from shared.vocabulary import (
    CaseworkerActionKind,
    Channel,
    Complexity,
    ContactOutcome,
    Department,
    Language,
    ReplyChannel,
)

# Deterministic event ids make redelivery harmless: the same input always yields the same
# event id downstream, and every consumer is idempotent on event_id.
EVENT_NAMESPACE = uuid.UUID("8d6c1f3e-5a47-4b8e-9f0a-3c2b1d4e5f60")
_NAMESPACE_BYTES = EVENT_NAMESPACE.bytes

UtcDateTime = Annotated[
    datetime, PlainSerializer(lambda d: d.astimezone(UTC).isoformat(), return_type=str)
]


# Control characters and line breaks (C0, DEL, C1, Unicode's line and paragraph separators): in a
# contact detail they could end a mail header that a reply builds from it and start another.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _without_control_characters(value: str | None) -> str | None:
    if value is not None and _CONTROL_CHARACTERS.search(value):
        raise ValueError("a contact detail may not hold control characters or line breaks")
    return value


def _one_address(value: str | None) -> str | None:
    if value is not None and (value.count("@") != 1 or any(c.isspace() for c in value)):
        raise ValueError("an e-mail address is one address: one @, no spaces or line breaks")
    return value


ContactDetail = Annotated[str | None, AfterValidator(_without_control_characters)]
EmailAddress = Annotated[ContactDetail, AfterValidator(_one_address)]


def derived_id(*parts: object) -> uuid.UUID:
    """`uuid.uuid5(EVENT_NAMESPACE, "/".join(parts))`, spelled out: the standard library's
    imports hashlib and converts the namespace to bytes on every call, and every event a
    service emits derives an id."""
    name = "/".join(map(str, parts)).encode()
    return uuid.UUID(bytes=hashlib.sha1(_NAMESPACE_BYTES + name).digest()[:16], version=5)


def utc_now() -> datetime:
    return datetime.now(UTC)


class CitizenProfile(BaseModel):
    """What the municipality knows of the citizen for the reply. Every field is optional."""

    model_config = ConfigDict(extra="ignore")

    name: ContactDetail = Field(
        None, description="The citizen's name as given", examples=["Jens Hansen"]
    )
    phone: ContactDetail = Field(None, examples=["+45 21 43 65 87"])
    email: EmailAddress = Field(None, examples=["jens@example.dk"])
    address: ContactDetail = Field(None, examples=["Nørregade 1, 1165 København K"])
    has_pc: bool | None = Field(None, description='Screening: "Do you have access to a PC?"')
    uses_netbank: bool | None = Field(None, description='Screening: "Do you use online banking?"')
    preferred_reply_channel: ReplyChannel | None = None
    reading_difficulties: bool | None = None
    hearing_impairment: bool | None = None
    needs_interpreter: bool | None = None
    exempt_digital_post: bool | None = None


class Attachment(BaseModel):
    """An attachment's metadata; the bytes stay in intake's store, never on the bus."""

    filename: str | None = None
    content_type: str
    size_bytes: int
    sha256: str


class Inquiry(BaseModel):
    """One normalised inquiry, whatever its channel."""

    channel: Channel
    channel_message_id: str = Field(
        description="The channel's own id: Message-ID, call id, chat session id, scan id",
        examples=["<20261123.1234@example.dk>"],
    )
    received_at: UtcDateTime
    text: str = Field(description="The citizen's own words, national ids replaced by [CPR]")
    subject: str | None = None
    language: Language = Language.OTHER
    citizen: CitizenProfile = Field(default_factory=CitizenProfile)
    citizen_key: str | None = Field(
        None, description="Salted hash of the citizen's CPR number, linking repeat contacts"
    )
    thread_key: str = Field(description="All messages of one conversation share it (Kafka key)")
    quoted_text: str | None = Field(None, description="Earlier messages quoted in an e-mail")
    attachments: list[Attachment] = Field(default_factory=list)
    outcome: ContactOutcome | None = Field(
        None, description="How a phone call or a visit ended (phone and in-person notes)"
    )
    agent: str | None = Field(None, description="The contact-centre or desk agent who took it")
    duration_seconds: int | None = Field(
        None, ge=0, description="How long the call or the visit took (phone and in-person notes)"
    )
    letter_date: date | None = Field(None, description="The date written on a letter")


class Reason(BaseModel):
    """One piece of evidence behind a decision, in words a caseworker understands."""

    about: Literal[
        "complexity",
        "department",
        "queue",
        "reply_channel",
        # The reply-channel rule's inputs as triage judged them.
        "written_decision",
        "self_service",
        "digitally_ready",
    ]
    text: str


class Decision(BaseModel):
    complexity: Complexity
    department: Department
    queue: str = Field(examples=["specialist.SOF", "contact-centre"])
    confidence: float = Field(ge=0.0, le=1.0)
    reply_channel: ReplyChannel
    reasons: list[Reason]
    model_version: str
    service_id: str | None = Field(None, description="The matched service of the catalogue")
    self_service_url: str | None = None
    written_decision: bool = False
    service_names: dict[Language, str] | None = Field(
        None,
        description="The matched service's name by language, for the reply's wording",
        examples=[{"da": "Pas", "en": "Passport"}],
    )


class ReplyPlan(BaseModel):
    plan_id: uuid.UUID
    kind: Literal["acknowledgement", "reply", "callback"]
    reply_channel: ReplyChannel
    language: Language
    deadline: UtcDateTime
    deadline_text: str = Field(examples=["You will hear from us by Friday 4 December"])
    text: str
    reason: str = Field(description="Why this channel: the reply-channel rule that decided")
    recipient: str | None = Field(None, description="Address, number or queue for the reply")
    subject: str | None = Field(None, description="Subject line of a written reply")
    delivery: Literal["email", "outbox", "callback", "conversation"] | None = Field(
        None,
        description="How it reaches the citizen: SMTP, a gateway's outbox topic, a callback task "
        "for the contact centre, or in the conversation itself (chat, desk, web form)",
    )
    notes: list[str] = Field(
        default_factory=list,
        description="What the planner had to fall back on (a template, a channel), in words",
    )


class DeadLetter(BaseModel):
    stage: str
    reason: str = Field(description="Why it could not be processed, for a person to read")
    source_topic: str
    partition: int | None = None
    offset: int | None = None
    key: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    original: Base64Bytes = Field(description="The original message bytes, base64")
    original_sha256: str | None = Field(
        None,
        description="Where the stage keeps the untouched original (intake: its originals store), "
        "when `original` had national ids masked",
    )


# ---- envelopes ---------------------------------------------------------------------------


class Envelope(BaseModel):
    """The fields every message carries around its payload."""

    model_config = ConfigDict(extra="ignore")
    EVENT_TYPE: ClassVar[str]
    SCHEMA_VERSION: ClassVar[int] = 1

    event_id: uuid.UUID
    event_type: str
    schema_version: int = 1
    occurred_at: UtcDateTime
    inquiry_id: uuid.UUID | None
    correlation_id: uuid.UUID
    causation_id: uuid.UUID | None = None
    producer: str

    @classmethod
    def caused_by(
        cls,
        cause: Envelope | None,
        *,
        producer: str,
        inquiry_id: uuid.UUID | None,
        discriminator: object = "",
        **payload: object,
    ) -> Self:
        """A new event caused by `cause`, with an id derived from it so redelivery repeats it."""
        event_id = derived_id(
            producer, cls.EVENT_TYPE, cause.event_id if cause else inquiry_id, discriminator
        )
        return cls(
            event_id=event_id,
            event_type=cls.EVENT_TYPE,
            schema_version=cls.SCHEMA_VERSION,
            occurred_at=utc_now(),
            inquiry_id=inquiry_id,
            correlation_id=cause.correlation_id if cause else (inquiry_id or event_id),
            causation_id=cause.event_id if cause else None,
            producer=producer,
            **payload,
        )


class InquiryReceived(Envelope):
    EVENT_TYPE = "inquiry.received"
    payload: Inquiry


class InquiryTriaged(Envelope):
    EVENT_TYPE = "inquiry.triaged"
    inquiry: Inquiry
    decision: Decision


class InquiryRouted(Envelope):
    """The inquiry itself on its queue topic, for caseworkers to consume."""

    EVENT_TYPE = "inquiry.routed"
    inquiry: Inquiry
    decision: Decision
    callback: ReplyPlan | None = Field(
        None,
        description="Set on a callback task (reply on queue.contact-centre): ring the citizen on "
        "callback.recipient by callback.deadline",
    )


class ReplyPlanned(Envelope):
    EVENT_TYPE = "reply.planned"
    channel: Channel = Field(description="The channel the inquiry came by")
    plan: ReplyPlan


class ReplyOverdue(Envelope):
    EVENT_TYPE = "reply.overdue"
    plan_id: uuid.UUID
    reply_channel: ReplyChannel
    deadline: UtcDateTime
    queue: str | None = None
    channel: Channel | None = Field(None, description="The channel the inquiry came by")


class CaseworkerAction(Envelope):
    EVENT_TYPE = "caseworker.action"
    action: CaseworkerActionKind
    caseworker: str
    queue: str
    to_queue: str | None = None
    to_department: Department | None = None
    to_complexity: Complexity | None = None
    note: str | None = Field(None, description="Free text; never printed in logs")
    from_complexity: Complexity | None = Field(None, description="A reroute: what triage said")
    from_department: Department | None = Field(None, description="A reroute: what triage said")
    model_version: str | None = Field(
        None, description="A reroute: the model version of the decision it corrects"
    )
    reply_channel: ReplyChannel | None = Field(
        None, description="A reply sent: the channel it went by"
    )
    recipient: str | None = Field(
        None, description="A reply for reply to send (the desk): the citizen's address"
    )
    reply_subject: str | None = None
    reply_text: str | None = Field(
        None, description="A reply for reply to send by e-mail, as the caseworker wrote it"
    )


class ReplySent(Envelope):
    """A message to the citizen went out: an acknowledgement, a reply or a callback notice."""

    EVENT_TYPE = "reply.sent"
    plan_id: uuid.UUID
    kind: Literal["acknowledgement", "reply", "callback"]
    reply_channel: ReplyChannel
    channel: Channel | None = Field(None, description="The channel the inquiry came by")
    via: Literal["email", "outbox", "caseworker"] = Field(
        description="SMTP, a gateway's outbox topic, or a caseworker's own reply"
    )
    caseworker: str | None = None


class OutboxMessage(Envelope):
    """A reply for the municipality's SMS, digital-post or print gateway."""

    EVENT_TYPE = "outbox.message"
    reply_channel: ReplyChannel
    recipient: str
    text: str


class DeadLettered(Envelope):
    EVENT_TYPE = "deadletter"
    dead_letter: DeadLetter
