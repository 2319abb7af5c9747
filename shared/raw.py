"""The raw payloads channel adapters publish on `intake.raw.<channel>` (JSON channels).

E-mail travels as RFC 5322 bytes and letters as UTF-8 OCR text or PDF, so they have no model
here; phone and in-person notes may also arrive as plain text (intake reads what it can).
Unknown fields are ignored: adapters may send more than intake reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events import CitizenProfile
from shared.vocabulary import ContactOutcome


class CitizenAsSent(CitizenProfile):
    """The citizen's details as a channel sent them: intake cleans them (one line each, a
    single e-mail address or none) into the canonical profile, which refuses the rest."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None


class Caller(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None


class _AgentNote(BaseModel):
    model_config = ConfigDict(extra="ignore")

    received_at: datetime | None = None
    agent: str | None = Field(None, examples=["agent-17"])
    duration_seconds: int | None = Field(None, ge=0)
    caller: Caller = Field(default_factory=Caller)
    note: str = Field(min_length=1, description="The agent's free-text note")
    outcome: ContactOutcome | None = None
    citizen: CitizenAsSent = Field(default_factory=CitizenAsSent)


class PhoneNote(_AgentNote):
    """A contact-centre agent's note of one call."""

    call_id: str = Field(min_length=1, examples=["ph-000123"])


class VisitNote(_AgentNote):
    """Citizen Service's note of one visit at the desk."""

    visit_id: str = Field(min_length=1, examples=["bs-000045"])


class ChatTurn(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    speaker: str = Field(alias="from", pattern="^(citizen|agent)$")
    at: datetime | None = None
    text: str


class ChatTranscript(BaseModel):
    """One chat session: the citizen's turns carry the matter."""

    model_config = ConfigDict(extra="ignore")

    session_id: str = Field(min_length=1)
    started_at: datetime | None = None
    citizen: CitizenAsSent = Field(default_factory=CitizenAsSent)
    turns: list[ChatTurn] = Field(min_length=1)


class WebForm(BaseModel):
    """A self-service contact form submission."""

    model_config = ConfigDict(extra="ignore")

    submission_id: str = Field(min_length=1)
    submitted_at: datetime | None = None
    form: str | None = None
    subject: str | None = None
    text: str = Field(min_length=1)
    citizen: CitizenAsSent = Field(default_factory=CitizenAsSent)


# ---- Intercom's webhook (https://developers.intercom.com, "Webhook models") ---------------
# A chat platform posts its own notification shape; intake reads a conversation topic
# (e.g. `conversation.admin.closed`) as one transcript. Only the fields intake uses are named.


class IntercomAuthor(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: str = Field(description="user, lead or contact (the citizen); admin, bot or team")
    id: str | None = None
    name: str | None = None
    email: str | None = None


class IntercomPart(BaseModel):
    model_config = ConfigDict(extra="ignore")

    part_type: str = Field("comment", description="comment is a message; note is internal")
    body: str | None = Field(None, description="HTML")
    created_at: int | None = Field(None, description="Unix seconds")
    author: IntercomAuthor | None = None


class IntercomPartList(BaseModel):
    model_config = ConfigDict(extra="ignore")

    conversation_parts: list[IntercomPart] = Field(default_factory=list)


class IntercomSource(BaseModel):
    model_config = ConfigDict(extra="ignore")

    subject: str | None = None
    body: str | None = Field(None, description="HTML: the message that opened the conversation")
    author: IntercomAuthor | None = None


class IntercomConversation(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)

    id: str = Field(min_length=1)
    created_at: int | None = None
    source: IntercomSource | None = None
    conversation_parts: IntercomPartList = Field(default_factory=IntercomPartList)


class IntercomData(BaseModel):
    model_config = ConfigDict(extra="ignore")

    item: IntercomConversation


class IntercomNotification(BaseModel):
    """Intercom's webhook notification of a conversation topic."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["notification_event"]
    topic: str = Field(examples=["conversation.admin.closed"])
    id: str | None = None
    created_at: int | None = None
    data: IntercomData
