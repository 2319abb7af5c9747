"""The chat channel's reader: a transcript of the municipality's chat, or an Intercom
conversation as its webhook notifies it."""

from __future__ import annotations

from datetime import UTC, datetime

from services.intake.channels.draft import Draft, Unreadable, json_document, merged, validated
from services.intake.channels.email import html_to_text
from shared.events import CitizenProfile
from shared.raw import ChatTranscript, CitizenAsSent, IntercomNotification
from shared.vocabulary import Channel

# Intercom's authors who are the citizen (the rest are staff, bots and teams).
_CITIZEN_AUTHORS = frozenset({"user", "lead", "contact"})


def read_chat(raw: bytes, now: datetime) -> Draft:
    document = json_document(raw, Channel.CHAT)
    if isinstance(document, dict) and document.get("type") == "notification_event":
        return _intercom(validated(IntercomNotification, document, Channel.CHAT), now)
    chat = validated(ChatTranscript, document, Channel.CHAT)
    words = [t.text.strip() for t in chat.turns if t.speaker == "citizen" and t.text.strip()]
    if not words:
        raise Unreadable("chat transcript has no words from the citizen")
    return Draft(
        message_id=chat.session_id,
        thread=chat.session_id,
        text="\n".join(words),
        received_at=chat.started_at or now,
        citizen=chat.citizen,
    )


def _intercom(notification: IntercomNotification, now: datetime) -> Draft:
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
            citizen = merged(citizen, name=author.name, email=author.email)
    if not said:
        raise Unreadable("Intercom conversation has no words from the citizen")
    session = f"intercom:{conversation.id}"
    started = conversation.created_at
    return Draft(
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
