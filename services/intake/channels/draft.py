"""What a channel's reader finds in one raw message, before intake cleans and masks it, and the
payload steps the readers share."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from shared.events import Attachment, CitizenProfile
from shared.raw import CitizenAsSent
from shared.vocabulary import Channel, ContactOutcome

M = TypeVar("M", bound=BaseModel)

# Kafka headers an adapter may set to name the channel's own id of a message without one.
ID_HEADERS = {
    Channel.PHONE: "call-id",
    Channel.IN_PERSON: "visit-id",
    Channel.LETTER: "scan-id",
}


class Unreadable(ValueError):
    """The message cannot become an inquiry; the text says why, for a person."""


@dataclass(frozen=True)
class Ignored:
    """Read, but not an inquiry (an auto-reply, a delivery report)."""

    channel: Channel
    channel_message_id: str
    why: str


@dataclass(frozen=True)
class Original:
    """Bytes only intake's store may hold: an attachment, a PDF letter."""

    sha256: str
    content_type: str
    data: bytes


@dataclass
class Draft:
    """What a channel's reader found, before cleaning and redaction."""

    message_id: str
    thread: str
    text: str
    received_at: datetime
    citizen: CitizenProfile = field(default_factory=CitizenAsSent)
    subject: str | None = None
    quoted: str | None = None
    agent: str | None = None
    outcome: ContactOutcome | None = None
    duration_seconds: int | None = None
    letter_date: date | None = None
    attachments: list[Attachment] = field(default_factory=list)
    originals: list[Original] = field(default_factory=list)

    @property
    def language_sample(self) -> str:
        return f"{self.subject or ''}\n{self.text}"


def json_document(raw: bytes, channel: Channel) -> Any:
    try:
        return json.loads(raw)
    except RecursionError as error:
        raise Unreadable(f"{channel.value} payload is JSON nested too deeply to read") from error
    except ValueError as error:  # not JSON, not UTF-8, or a number of thousands of digits
        raise Unreadable(f"{channel.value} payload is not valid JSON: {error}") from error


def validated(model: type[M], document: Any, channel: Channel) -> M:
    try:
        return model.model_validate(document)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'payload'}: {e['msg']}"
            for e in error.errors()[:5]
        )
        raise Unreadable(
            f"{channel.value} payload does not match its format: {problems}"
        ) from error


def plain_text(raw: bytes, what: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Unreadable(f"{what} is neither JSON nor UTF-8 text: {error}") from error
    if "\x00" in text:
        raise Unreadable(f"{what} holds binary data, not text")
    if not text.strip():
        raise Unreadable(f"{what} is empty")
    return text


def merged(profile: CitizenProfile, **known: str | None) -> CitizenProfile:
    """The channel's own contact details fill what the profile leaves empty."""
    filled = {k: v for k, v in known.items() if v and getattr(profile, k) is None}
    return profile.model_copy(update=filled) if filled else profile


def bytes_id(raw: bytes) -> str:
    """The id of a message that came without one: the same bytes are the same message."""
    return "sha256:" + hashlib.sha256(raw).hexdigest()
