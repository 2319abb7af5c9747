"""Each channel's reader, with the parsing it needs: `email`, `notes` for phone and in person,
`chat`, `letter` and `web_form`. A reader turns one raw message into a draft inquiry, says it is
not an inquiry (`Ignored`), or raises `Unreadable`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from services.intake.channels.chat import read_chat
from services.intake.channels.draft import Draft, Ignored
from services.intake.channels.email import read_email
from services.intake.channels.letter import read_letter
from services.intake.channels.notes import read_agent_note
from services.intake.channels.web_form import read_web_form
from shared.vocabulary import Channel


def read_draft(
    channel: Channel, raw: bytes, headers: Mapping[str, str], now: datetime
) -> Draft | Ignored:
    """`headers` are the Kafka record's (an adapter's call-id, visit-id or scan-id)."""
    match channel:
        case Channel.EMAIL:
            return read_email(raw, now)
        case Channel.PHONE | Channel.IN_PERSON:
            return read_agent_note(channel, raw, headers, now)
        case Channel.CHAT:
            return read_chat(raw, now)
        case Channel.SELF_SERVICE:
            return read_web_form(raw, now)
        case Channel.LETTER:
            return read_letter(raw, headers, now)
