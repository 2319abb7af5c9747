"""A reader's draft as the canonical inquiry that goes on the bus: printable, cut to fit one
Kafka record, contact details on one line, and every CPR number replaced by the marker (a
channel id that holds one travels as a keyed digest instead)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from services.intake.channels.draft import Draft, Original, Unreadable
from services.intake.cpr import citizen_key, keyed_digest
from services.intake.encoded import mask
from shared.events import Attachment, CitizenProfile, Inquiry
from shared.vocabulary import Channel, Language

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


@dataclass(frozen=True)
class Normalised:
    """The inquiry, and the bytes only intake's store may hold (attachments, a PDF letter)."""

    inquiry: Inquiry
    originals: tuple[Original, ...] = ()

    @property
    def channel_message_id(self) -> str:
        return self.inquiry.channel_message_id


def _clean(text: str) -> str:
    """Printable text: no control characters, no lone surrogates (JSON allows both)."""
    text = text.encode("utf-8", "replace").decode("utf-8") if not text.isascii() else text
    return _CONTROL.sub("", text)


def _in_utc(when: datetime) -> datetime:
    try:
        return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    except OverflowError as error:
        raise Unreadable(f"the time {when.isoformat()} lies outside the calendar in UTC") from error


def keep_whole_if_cut(draft: Draft, channel: Channel, raw: bytes) -> None:
    """A text that will be cut leaves the whole message in intake's store beside the inquiry."""
    if len(draft.text) <= MAX_TEXT_CHARS and len(draft.quoted or "") <= MAX_QUOTED_CHARS:
        return
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


def safe_id(value: str, salt: str) -> str:
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


def canonical_inquiry(
    channel: Channel, draft: Draft, *, salt: str, language: Language
) -> Normalised:
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
    message_id = safe_id(draft.message_id, salt)
    thread = message_id if draft.thread == draft.message_id else safe_id(draft.thread, salt)
    inquiry = Inquiry(
        channel=channel,
        channel_message_id=message_id,
        received_at=_in_utc(draft.received_at),
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
