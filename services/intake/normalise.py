"""One raw message of a channel into one canonical inquiry, or the reason it cannot be."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from services.intake.cpr import citizen_key, redact
from services.intake.language import detect_language
from services.intake.letters import parse_letter
from services.intake.mime import UnreadableEmail, parse_email
from shared.events import CitizenProfile, Inquiry
from shared.raw import ChatTranscript, PhoneNote, VisitNote, WebForm
from shared.vocabulary import Channel

M = TypeVar("M", bound=BaseModel)


class Unreadable(ValueError):
    """The message cannot become an inquiry; the text says why, for a person."""


@dataclass(frozen=True)
class Ignored:
    """Read, but not an inquiry (an auto-reply, a delivery report)."""

    channel: Channel
    channel_message_id: str
    why: str


def _load(model: type[M], raw: bytes, channel: Channel) -> M:
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Unreadable(f"{channel.value} payload is not valid JSON: {error}") from error
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


def _merge(profile: CitizenProfile, **known: str | None) -> CitizenProfile:
    """The channel's own contact details fill what the profile leaves empty."""
    filled = {k: v for k, v in known.items() if v and getattr(profile, k) is None}
    return profile.model_copy(update=filled) if filled else profile


def normalise(
    channel: Channel,
    raw: bytes,
    *,
    salt: str,
    scan_id: str | None = None,
    now: datetime | None = None,
) -> Inquiry | Ignored:
    received = now or datetime.now(UTC)
    subject = quoted = agent = None
    attachments = []
    outcome = None
    match channel:
        case Channel.EMAIL:
            try:
                mail = parse_email(raw)
            except UnreadableEmail as error:
                raise Unreadable(f"e-mail cannot be read: {error}") from error
            if mail.automatic:
                return Ignored(channel, mail.message_id, mail.automatic)
            message_id, thread = mail.message_id, mail.thread_root
            text, subject, quoted = mail.text, mail.subject, mail.quoted_text
            attachments = mail.attachments
            citizen = CitizenProfile(name=mail.sender_name, email=mail.sender_address)
            received = mail.sent_at.astimezone(UTC) if mail.sent_at else received
        case Channel.PHONE | Channel.IN_PERSON:
            note: PhoneNote | VisitNote
            if channel is Channel.PHONE:
                note = _load(PhoneNote, raw, channel)
                message_id = note.call_id
            else:
                note = _load(VisitNote, raw, channel)
                message_id = note.visit_id
            text, agent, outcome = note.note, note.agent, note.outcome
            c = note.caller
            citizen = _merge(
                note.citizen, name=c.name, phone=c.phone, email=c.email, address=c.address
            )
            thread = message_id
            received = note.received_at or received
        case Channel.CHAT:
            chat = _load(ChatTranscript, raw, channel)
            words = [
                t.text.strip() for t in chat.turns if t.speaker == "citizen" and t.text.strip()
            ]
            if not words:
                raise Unreadable("chat transcript has no words from the citizen")
            text, message_id, thread = "\n".join(words), chat.session_id, chat.session_id
            citizen = chat.citizen
            received = chat.started_at or received
        case Channel.SELF_SERVICE:
            form = _load(WebForm, raw, channel)
            text, subject, message_id = form.text, form.subject, form.submission_id
            citizen, thread = form.citizen, form.submission_id
            received = form.submitted_at or received
        case Channel.LETTER:
            try:
                ocr = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise Unreadable(f"letter is not UTF-8 text: {error}") from error
            if "\x00" in ocr or not ocr.strip():
                raise Unreadable("letter has no readable text")
            letter = parse_letter(ocr)
            text = letter.text
            message_id = scan_id or "sha256:" + hashlib.sha256(raw).hexdigest()
            thread = message_id
            citizen = CitizenProfile(name=letter.sender_name, address=letter.sender_address)
    if not text.strip():
        raise Unreadable(f"{channel.value} inquiry has no text")

    redacted = redact(text)
    subject_redacted = redact(subject) if subject else None
    quoted_redacted = redact(quoted) if quoted else None
    numbers = redacted.cpr_numbers + (subject_redacted.cpr_numbers if subject_redacted else ())
    return Inquiry(
        channel=channel,
        channel_message_id=message_id,
        received_at=received if received.tzinfo else received.replace(tzinfo=UTC),
        text=redacted.text,
        subject=subject_redacted.text if subject_redacted else None,
        language=detect_language(f"{subject or ''} {text}"),
        citizen=citizen,
        citizen_key=citizen_key(numbers[0], salt) if numbers else None,
        thread_key=f"{channel.value}:{thread}",
        quoted_text=quoted_redacted.text if quoted_redacted else None,
        attachments=attachments,
        outcome=outcome,
        agent=agent,
    )
