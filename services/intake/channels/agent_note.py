"""The phone and in-person channels' reader: an agent's note of a call or a visit, as the
contact centre's system sends it (JSON) or as an agent pasted it (plain text, read by
`plain_note`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from services.intake.channels.draft import (
    ID_HEADERS,
    Draft,
    bytes_id,
    json_document,
    merged,
    plain_text,
    validated,
)
from services.intake.channels.plain_note import parse_plain_note
from shared.raw import CitizenAsSent, PhoneNote, VisitNote
from shared.vocabulary import Channel


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
