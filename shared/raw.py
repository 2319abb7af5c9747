"""The raw payloads channel adapters publish on `intake.raw.<channel>` (JSON channels).

E-mail travels as RFC 5322 bytes and letters as UTF-8 OCR text, so they have no model here.
Unknown fields are ignored: adapters may send more than intake reads.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.events import CitizenProfile
from shared.vocabulary import ContactOutcome


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
    citizen: CitizenProfile = Field(default_factory=CitizenProfile)


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
    citizen: CitizenProfile = Field(default_factory=CitizenProfile)
    turns: list[ChatTurn] = Field(min_length=1)


class WebForm(BaseModel):
    """A self-service contact form submission."""

    model_config = ConfigDict(extra="ignore")

    submission_id: str = Field(min_length=1)
    submitted_at: datetime | None = None
    form: str | None = None
    subject: str | None = None
    text: str = Field(min_length=1)
    citizen: CitizenProfile = Field(default_factory=CitizenProfile)
