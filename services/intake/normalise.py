"""One raw message of a channel into one canonical inquiry, or the reason it cannot be.

Every string that leaves here has its CPR numbers replaced by the marker; a channel id that
holds one travels as a keyed digest instead. The bytes of attachments (and of a PDF letter)
come back beside the inquiry for intake's own store: only their metadata goes on the bus.
"""

from __future__ import annotations

import hashlib
import json
import re
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from services.intake.cpr import citizen_key, keyed_digest
from services.intake.encoded import mask
from services.intake.language import DEFAULT_MIN_CONFIDENCE, detect_languages
from services.intake.letters import PDF_MAGIC, UnreadableLetter, parse_letter, pdf_text
from services.intake.mime import UnreadableEmail, html_to_text, parse_email
from services.intake.notes import parse_plain_note
from shared.events import Attachment, CitizenProfile, Inquiry
from shared.raw import (
    ChatTranscript,
    CitizenAsSent,
    IntercomNotification,
    PhoneNote,
    VisitNote,
    WebForm,
)
from shared.vocabulary import Channel, ContactOutcome, Language

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

# Kafka headers an adapter may set to name the channel's own id of a message without one.
ID_HEADERS = {
    Channel.PHONE: "call-id",
    Channel.IN_PERSON: "visit-id",
    Channel.LETTER: "scan-id",
}
_MAX_ID_CHARS = 200
# An inquiry must fit in one Kafka record (1 MiB by default) with its envelope: a longer text is
# cut, and the whole message is kept in intake's store and listed as an attachment.
MAX_TEXT_CHARS = 100_000
MAX_QUOTED_CHARS = 20_000
MAX_FIELD_CHARS = 2_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A field that may end up in a mail header (a contact detail, the subject) is one line.
_LINE_ENDS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_CONTACT_DETAILS = ("name", "phone", "email", "address")
# Intercom's authors who are the citizen (the rest are staff, bots and teams).
_CITIZEN_AUTHORS = frozenset({"user", "lead", "contact"})


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


@dataclass(frozen=True)
class Normalised:
    inquiry: Inquiry
    originals: tuple[Original, ...] = ()

    @property
    def channel_message_id(self) -> str:
        return self.inquiry.channel_message_id


@dataclass
class _Draft:
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


def _clean(text: str) -> str:
    """Printable text: no control characters, no lone surrogates (JSON allows both)."""
    text = text.encode("utf-8", "replace").decode("utf-8") if not text.isascii() else text
    return _CONTROL.sub("", text)


def _json(raw: bytes, channel: Channel) -> Any:
    try:
        return json.loads(raw)
    except RecursionError as error:
        raise Unreadable(f"{channel.value} payload is JSON nested too deeply to read") from error
    except ValueError as error:  # not JSON, not UTF-8, or a number of thousands of digits
        raise Unreadable(f"{channel.value} payload is not valid JSON: {error}") from error


def _validate(model: type[M], document: Any, channel: Channel) -> M:
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


def _text_of(raw: bytes, what: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Unreadable(f"{what} is neither JSON nor UTF-8 text: {error}") from error
    if "\x00" in text:
        raise Unreadable(f"{what} holds binary data, not text")
    if not text.strip():
        raise Unreadable(f"{what} is empty")
    return text


def _merge(profile: CitizenProfile, **known: str | None) -> CitizenProfile:
    """The channel's own contact details fill what the profile leaves empty."""
    filled = {k: v for k, v in known.items() if v and getattr(profile, k) is None}
    return profile.model_copy(update=filled) if filled else profile


def _bytes_id(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _email(raw: bytes, now: datetime) -> _Draft | Ignored:
    try:
        mail = parse_email(raw, now=now)
    except UnreadableEmail as error:
        raise Unreadable(f"e-mail cannot be read: {error}") from error
    if mail.automatic:
        return Ignored(Channel.EMAIL, mail.message_id, mail.automatic)
    return _Draft(
        message_id=mail.message_id,
        thread=mail.thread_root,
        text=mail.text,
        received_at=mail.sent_at.astimezone(UTC) if mail.sent_at else now,
        citizen=CitizenAsSent(name=mail.sender_name, email=mail.sender_address),
        subject=mail.subject,
        quoted=mail.quoted_text,
        attachments=[
            Attachment(
                filename=f.filename,
                content_type=f.content_type,
                size_bytes=len(f.data),
                sha256=f.sha256,
            )
            for f in mail.attachments
        ],
        originals=[Original(f.sha256, f.content_type, f.data) for f in mail.attachments],
    )


def _agent_note(channel: Channel, raw: bytes, headers: Mapping[str, str], now: datetime) -> _Draft:
    if raw.lstrip()[:1] in (b"{", b"["):
        note: PhoneNote | VisitNote
        if channel is Channel.PHONE:
            note = _validate(PhoneNote, _json(raw, channel), channel)
            message_id = note.call_id
        else:
            note = _validate(VisitNote, _json(raw, channel), channel)
            message_id = note.visit_id
        c = note.caller
        return _Draft(
            message_id=message_id,
            thread=message_id,
            text=note.note,
            received_at=note.received_at or now,
            citizen=_merge(
                note.citizen, name=c.name, phone=c.phone, email=c.email, address=c.address
            ),
            agent=note.agent,
            outcome=note.outcome,
            duration_seconds=note.duration_seconds,
        )
    what = "phone note" if channel is Channel.PHONE else "visit note"
    plain = parse_plain_note(_text_of(raw, what), now=now)
    message_id = headers.get(ID_HEADERS[channel]) or _bytes_id(raw)
    return _Draft(
        message_id=message_id,
        thread=message_id,
        text=plain.text,
        received_at=plain.contacted_at or now,
        citizen=CitizenAsSent(
            name=plain.name, phone=plain.phone, email=plain.email, address=plain.address
        ),
        agent=plain.agent,
        outcome=plain.outcome,
        duration_seconds=plain.duration_seconds,
    )


def _chat(raw: bytes, now: datetime) -> _Draft:
    document = _json(raw, Channel.CHAT)
    if isinstance(document, dict) and document.get("type") == "notification_event":
        return _intercom(_validate(IntercomNotification, document, Channel.CHAT), now)
    chat = _validate(ChatTranscript, document, Channel.CHAT)
    words = [t.text.strip() for t in chat.turns if t.speaker == "citizen" and t.text.strip()]
    if not words:
        raise Unreadable("chat transcript has no words from the citizen")
    return _Draft(
        message_id=chat.session_id,
        thread=chat.session_id,
        text="\n".join(words),
        received_at=chat.started_at or now,
        citizen=chat.citizen,
    )


def _intercom(notification: IntercomNotification, now: datetime) -> _Draft:
    conversation = notification.data.item
    said = []
    citizen: CitizenProfile = CitizenAsSent()
    source = conversation.source
    messages = [(source.author, source.body)] if source else []
    messages += [
        (p.author, p.body)
        for p in conversation.conversation_parts.conversation_parts
        if p.part_type == "comment"  # a "note" is the staff's internal remark
    ]
    for author, body in messages:
        if author is None or author.type not in _CITIZEN_AUTHORS or not body:
            continue
        words = html_to_text(body)
        if words:
            said.append(words)
            citizen = _merge(citizen, name=author.name, email=author.email)
    if not said:
        raise Unreadable("Intercom conversation has no words from the citizen")
    session = f"intercom:{conversation.id}"
    started = conversation.created_at
    return _Draft(
        message_id=session,
        thread=session,
        text="\n".join(said),
        received_at=_from_unix_seconds(started) if started else now,
        citizen=citizen,
        subject=source.subject if source else None,
    )


def _from_unix_seconds(seconds: int) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise Unreadable(f"chat timestamp {seconds} is not a time a conversation began") from error


def _in_utc(when: datetime) -> datetime:
    try:
        return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    except OverflowError as error:
        raise Unreadable(f"the time {when.isoformat()} lies outside the calendar in UTC") from error


def _letter(raw: bytes, headers: Mapping[str, str], now: datetime) -> _Draft:
    message_id = headers.get(ID_HEADERS[Channel.LETTER]) or _bytes_id(raw)
    originals: list[Original] = []
    attachments: list[Attachment] = []
    if raw.startswith(PDF_MAGIC):
        try:
            ocr = pdf_text(raw)
        except UnreadableLetter as error:
            raise Unreadable(f"letter cannot be read: {error}") from error
        digest = hashlib.sha256(raw).hexdigest()
        originals.append(Original(digest, "application/pdf", raw))
        attachments.append(
            Attachment(
                filename=message_id,
                content_type="application/pdf",
                size_bytes=len(raw),
                sha256=digest,
            )
        )
    else:
        ocr = _text_of(raw, "letter")
    letter = parse_letter(ocr, default_year=now.year)
    return _Draft(
        message_id=message_id,
        thread=message_id,
        text=letter.text,
        received_at=now,
        citizen=CitizenAsSent(
            name=letter.sender_name,
            address=letter.sender_address,
            phone=letter.sender_phone,
            email=letter.sender_email,
        ),
        letter_date=letter.written_on,
        attachments=attachments,
        originals=originals,
    )


def _web_form(raw: bytes, now: datetime) -> _Draft:
    form = _validate(WebForm, _json(raw, Channel.SELF_SERVICE), Channel.SELF_SERVICE)
    return _Draft(
        message_id=form.submission_id,
        thread=form.submission_id,
        text=form.text,
        received_at=form.submitted_at or now,
        citizen=form.citizen,
        subject=form.subject,
    )


def _keep_whole(draft: _Draft, channel: Channel, raw: bytes) -> None:
    """The inquiry's text will be cut: the whole message goes to intake's store beside it."""
    digest = hashlib.sha256(raw).hexdigest()
    if any(o.sha256 == digest for o in draft.originals):
        return
    content_type = "message/rfc822" if channel is Channel.EMAIL else "application/octet-stream"
    draft.originals.append(Original(digest, content_type, raw))
    draft.attachments.append(
        Attachment(
            filename="original message",
            content_type=content_type,
            size_bytes=len(raw),
            sha256=digest,
        )
    )


def _safe_id(value: str, salt: str) -> str:
    """A channel id as it may travel: short, printable, and without a CPR number in it."""
    cleaned = _clean(value).strip()
    if not cleaned or len(cleaned) > _MAX_ID_CHARS or cleaned != value.strip():
        return keyed_digest(value, salt)
    if mask(cleaned).text != cleaned:
        return keyed_digest(cleaned, salt)
    return cleaned


def _redacted(value: str | None, found: list[str], limit: int = MAX_FIELD_CHARS) -> str | None:
    if value is None:
        return None
    redaction = mask(_clean(value))  # before any cut: half a CPR number is not recognised
    found.extend(redaction.cpr_numbers)
    text = redaction.text
    if len(text) > limit:
        cut = text.rfind(" ", limit // 2, limit)
        text = text[: cut if cut > 0 else limit] + f" [… {len(text) - limit} characters more]"
    return text


def _one_line(value: str | None) -> str | None:
    """Before masking: joined lines can spell a number that the lines apart did not."""
    return _LINE_ENDS.sub(" ", value).strip() or None if value is not None else None


def _one_address(value: str | None) -> str | None:
    """An e-mail address, or none: "a@b.dk\nBcc: c@d.dk" is not one, and a reply must not
    guess which part was meant."""
    if value is None or value.count("@") != 1 or any(c.isspace() for c in value):
        return None
    return value


def _citizen(given: CitizenProfile, found: list[str]) -> CitizenProfile:
    """The canonical profile: each contact detail masked and on one line (validated again:
    the schema refuses control characters, so a miss here is a bug that shows)."""
    profile = given.model_dump()
    for name in _CONTACT_DETAILS:
        profile[name] = _redacted(_one_line(profile[name]), found)
    profile["email"] = _one_address(profile["email"])
    return CitizenProfile.model_validate(profile)


def _finish(channel: Channel, draft: _Draft, *, salt: str, language: Language) -> Normalised:
    found: list[str] = []  # CPR numbers, first the ones in the citizen's own words
    text = _redacted(draft.text, found, MAX_TEXT_CHARS) or ""
    if not text.strip():
        raise Unreadable(f"{channel.value} inquiry has no text")
    subject = _redacted(_one_line(draft.subject), found)
    quoted = _redacted(draft.quoted, found, MAX_QUOTED_CHARS)
    citizen = _citizen(draft.citizen, found)
    attachments = [
        a.model_copy(
            update={
                "filename": _redacted(a.filename, found),
                "content_type": _redacted(a.content_type, found),
            }
        )
        for a in draft.attachments
    ]
    received = draft.received_at
    message_id = _safe_id(draft.message_id, salt)
    thread = message_id if draft.thread == draft.message_id else _safe_id(draft.thread, salt)
    inquiry = Inquiry(
        channel=channel,
        channel_message_id=message_id,
        received_at=_in_utc(received),
        text=text,
        subject=subject,
        language=language,
        citizen=citizen,
        citizen_key=citizen_key(found[0], salt) if found else None,
        thread_key=f"{channel.value}:{thread}",
        quoted_text=quoted,
        attachments=attachments,
        outcome=draft.outcome,
        agent=_redacted(_one_line(draft.agent), found),
        duration_seconds=draft.duration_seconds,
        letter_date=draft.letter_date,
    )
    return Normalised(inquiry, tuple(draft.originals))


RawMessage = tuple[Channel, bytes, Mapping[str, str]]  # a channel's payload, its Kafka headers


def _draft(
    channel: Channel, raw: bytes, headers: Mapping[str, str], *, salt: str, now: datetime
) -> _Draft | Ignored:
    draft: _Draft | Ignored
    match channel:
        case Channel.EMAIL:
            draft = _email(raw, now)
        case Channel.PHONE | Channel.IN_PERSON:
            draft = _agent_note(channel, raw, headers, now)
        case Channel.CHAT:
            draft = _chat(raw, now)
        case Channel.SELF_SERVICE:
            draft = _web_form(raw, now)
        case Channel.LETTER:
            draft = _letter(raw, headers, now)
    if isinstance(draft, Ignored):
        return Ignored(draft.channel, _safe_id(draft.channel_message_id, salt), draft.why)
    if len(draft.text) > MAX_TEXT_CHARS or len(draft.quoted or "") > MAX_QUOTED_CHARS:
        _keep_whole(draft, channel, raw)
    return draft


@dataclass(frozen=True)
class Refused:
    """A message of a batch that cannot be an inquiry; the reason is for a person."""

    reason: str


@dataclass(frozen=True)
class Failed:
    """A message of a batch that a bug of ours stopped: the error's type and where it happened,
    not its message (which may quote the content)."""

    error: str
    stack: str


Read = Normalised | Ignored | Refused | Failed


def _attempt(step: Callable[[], T]) -> T | Refused | Failed:
    # Outcomes, not the exceptions: a kept exception's frames would hold the whole batch, in a
    # cycle that only the garbage collector's full collections free.
    try:
        return step()
    except Unreadable as error:
        return Refused(str(error))
    except Exception as error:
        return Failed(type(error).__name__, "".join(traceback.format_tb(error.__traceback__)))


def read_messages(
    messages: Sequence[RawMessage],
    *,
    salt: str,
    now: datetime | None = None,
    min_language_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> list[Read]:
    """What each message of a batch became: its inquiry and the bytes for intake's store, or
    why not. The batch's languages are found in one call, a fraction of the cost of one each."""
    now = now or datetime.now(UTC)  # one arrival time for a batch read at once
    drafts = [
        _attempt(partial(_draft, channel, raw, headers, salt=salt, now=now))
        for channel, raw, headers in messages
    ]
    samples = [d.language_sample for d in drafts if isinstance(d, _Draft)]
    languages = iter(detect_languages(samples, min_confidence=min_language_confidence))
    return [
        _attempt(partial(_finish, channel, draft, salt=salt, language=next(languages)))
        if isinstance(draft, _Draft)
        else draft
        for (channel, _, _), draft in zip(messages, drafts, strict=True)
    ]


def read_message(
    channel: Channel,
    raw: bytes,
    *,
    salt: str,
    headers: Mapping[str, str] | None = None,
    now: datetime | None = None,
    min_language_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> Normalised | Ignored:
    """One message's inquiry and the bytes for intake's store, or `Unreadable`. `headers` are
    the Kafka record's (an adapter's call-id, visit-id or scan-id)."""
    draft = _draft(channel, raw, headers or {}, salt=salt, now=now or datetime.now(UTC))
    if isinstance(draft, Ignored):
        return draft
    [language] = detect_languages([draft.language_sample], min_confidence=min_language_confidence)
    return _finish(channel, draft, salt=salt, language=language)


def normalise(
    channel: Channel,
    raw: bytes,
    *,
    salt: str,
    scan_id: str | None = None,
    headers: Mapping[str, str] | None = None,
    now: datetime | None = None,
    min_language_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> Inquiry | Ignored:
    """One raw message as the inquiry that goes on the bus (the CLI, scripts, evaluation).
    `scan_id` names a letter, or a plain-text note, as its Kafka header would."""
    if scan_id is not None:
        headers = {**(headers or {}), **dict.fromkeys(ID_HEADERS.values(), scan_id)}
    result = read_message(
        channel,
        raw,
        salt=salt,
        headers=headers,
        now=now,
        min_language_confidence=min_language_confidence,
    )
    return result if isinstance(result, Ignored) else result.inquiry
