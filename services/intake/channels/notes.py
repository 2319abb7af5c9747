"""The phone and in-person channels: an agent's note of a call or a visit, as the contact
centre's system sends it (JSON, `shared/raw.py`) or as an agent pasted it as plain text, from
which what can be taken is taken.

Labelled lines ("Agent: agent-04", "Udfald: besked taget", "Varighed: 4 min", "Tlf: 22 31 40 55")
are read as fields; from the rest, the first phone number and e-mail address become the
citizen's contact details, and a date on the first line (or labelled "Dato:") is when the
contact happened. Every other line is the note. docs/intake.md shows an example.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo

from services.intake.channels.dates import find_dates
from services.intake.channels.draft import (
    ID_HEADERS,
    Draft,
    bytes_id,
    json_document,
    merged,
    plain_text,
    validated,
)
from shared.raw import CitizenAsSent, PhoneNote, VisitNote
from shared.vocabulary import Channel, ContactOutcome

try:
    from zoneinfo import ZoneInfo

    LOCAL_TIME: tzinfo = ZoneInfo("Europe/Copenhagen")
except (ImportError, KeyError):  # no time-zone database on the machine: UTC is a safe reading
    LOCAL_TIME = UTC

_LABELS = {
    "agent": ("agent", "medarbejder", "sagsbehandler", "taget af", "taken by"),
    "name": ("borger", "navn", "name", "caller", "citizen", "opkalder", "kunde"),
    "phone": ("tlf", "tlf.", "telefon", "phone", "mobil", "mobile"),
    "email": ("e-mail", "email", "mail"),
    "address": ("adresse", "address"),
    "outcome": ("udfald", "outcome", "resultat", "result"),
    "duration": ("varighed", "duration", "samtaletid"),
    "date": ("dato", "date", "tidspunkt", "time"),
}
_LABEL_OF = {word: field for field, words in _LABELS.items() for word in words}
_LABELLED = re.compile(
    r"^\s*("
    + "|".join(re.escape(w) for w in sorted(_LABEL_OF, key=len, reverse=True))
    + r")\s*:\s*(.*)$",
    re.IGNORECASE,
)
# Danish numbers are eight digits, often in pairs; others start with + and a country code.
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)45[\s-]?)?\d{2}[\s-]?\d{2}[\s-]?\d{2}[\s-]?\d{2}(?![\w-])"
    r"|(?<![\w+])\+\d{1,3}(?:[\s-]?\d){6,12}(?![\w-])"
)
# Tried only where a run of address characters starts: from every position inside a long run the
# search would scan the rest of it again, time that grows with the square of the run's length.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CLOCK = re.compile(r"(?:kl\.?\s*)?(?<!\d)([01]?\d|2[0-3])[:.]([0-5]\d)(?!\d)", re.IGNORECASE)
# One amount and its unit ("1 t 20 min" is two); a run of digits longer than any duration is not
# one (and Python refuses to read a number of thousands of digits).
_DURATION_PART = re.compile(
    r"(?<!\d)(\d{1,6})\s{0,3}(t|h|timer?|hours?|m|min|minutter|minutes?|s|sek|sekunder|sec|seconds?)\b",
    re.IGNORECASE,
)
_UNIT_SECONDS = {"t": 3600, "h": 3600, "m": 60, "s": 1}
_MM_SS = re.compile(r"^\s*(\d{1,4}):([0-5]\d)\s*$")
_NAME_ENDS = re.compile(r"[,;(]|\btlf\b|\bphone\b", re.IGNORECASE)
# Checked in this order: "tid booket, besked til sagsbehandler" is an appointment.
_OUTCOME_WORDS = (
    (
        ContactOutcome.APPOINTMENT_BOOKED,
        ("booket", "booked", "appointment", "aftale", "tid bestilt"),
    ),
    (ContactOutcome.TRANSFERRED, ("viderestillet", "stillet om", "transferred", "overført")),
    (ContactOutcome.MESSAGE_TAKEN, ("besked", "message", "ringes op", "call back", "callback")),
    (
        ContactOutcome.SETTLED_FIRST_CONTACT,
        ("afsluttet", "løst", "klaret", "afklaret", "settled", "resolved", "færdig"),
    ),
)


@dataclass
class PlainNote:
    text: str
    agent: str | None = None
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    outcome: ContactOutcome | None = None
    duration_seconds: int | None = None
    contacted_at: datetime | None = None


def outcome_of(words: str) -> ContactOutcome | None:
    lowered = words.lower()
    for outcome in ContactOutcome:
        if lowered.strip() == outcome.value:
            return outcome
    for outcome, keywords in _OUTCOME_WORDS:
        if any(k in lowered for k in keywords):
            return outcome
    return None


def _seconds(words: str) -> int | None:
    if match := _MM_SS.match(words):
        return int(match[1]) * 60 + int(match[2])
    parts = _DURATION_PART.findall(words)
    if not parts:
        return None
    return sum(int(amount) * _UNIT_SECONDS[unit[0].lower()] for amount, unit in parts)


def _when(line: str, now: datetime) -> datetime | None:
    """A date (and a time beside it) on the line, unless it lies ahead: then it is a booking."""
    dates = find_dates(line, default_year=now.astimezone(LOCAL_TIME).year)
    if not dates:
        return None
    position, day = dates[0]
    clock = _CLOCK.search(line, position)
    at = time(int(clock[1]), int(clock[2])) if clock else time(12, 0)
    when = datetime.combine(day, at, tzinfo=LOCAL_TIME)
    return when if when.astimezone(UTC) <= now else None


def _name_from(words: str) -> str | None:
    """ "Karl Mejer, tlf. 22 31 40 55" -> "Karl Mejer": the part before contact details."""
    first = _NAME_ENDS.split(words, maxsplit=1)[0]
    first = EMAIL.sub("", PHONE.sub("", first)).strip(" -–")
    return first or None


def parse_plain_note(text: str, *, now: datetime) -> PlainNote:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    note = PlainNote(text="")
    kept: list[str] = []
    for line in lines:
        match = _LABELLED.match(line)
        if not match:
            kept.append(line)
            continue
        field, value = _LABEL_OF[match[1].lower()], match[2].strip()
        if field == "outcome":
            note.outcome = outcome_of(value)
        elif field == "duration":
            note.duration_seconds = _seconds(value)
        elif field == "date":
            note.contacted_at = _when(value, now)
        elif field == "name":
            note.name = _name_from(value)
            kept.append(line)  # "Borger: ... tlf. ..." also carries contact details below
        elif field == "agent":
            note.agent = value or None
        else:
            setattr(note, field, value or None)
    body = "\n".join(kept).strip()
    if note.contacted_at is None and body:
        note.contacted_at = _when(body.split("\n", 1)[0], now)
    if note.phone is None and (phone := PHONE.search(body)):
        note.phone = phone[0].strip()
    if note.email is None and (email := EMAIL.search(body)):
        note.email = email[0]
    note.text = body
    return note


def read_agent_note(
    channel: Channel, raw: bytes, headers: Mapping[str, str], now: datetime
) -> Draft:
    if raw.lstrip()[:1] in (b"{", b"["):
        note: PhoneNote | VisitNote
        if channel is Channel.PHONE:
            note = validated(PhoneNote, json_document(raw, channel), channel)
            message_id = note.call_id
        else:
            note = validated(VisitNote, json_document(raw, channel), channel)
            message_id = note.visit_id
        c = note.caller
        return Draft(
            message_id=message_id,
            thread=message_id,
            text=note.note,
            received_at=note.received_at or now,
            citizen=merged(
                note.citizen, name=c.name, phone=c.phone, email=c.email, address=c.address
            ),
            agent=note.agent,
            outcome=note.outcome,
            duration_seconds=note.duration_seconds,
        )
    what = "phone note" if channel is Channel.PHONE else "visit note"
    plain = parse_plain_note(plain_text(raw, what), now=now)
    message_id = headers.get(ID_HEADERS[channel]) or bytes_id(raw)
    return Draft(
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
