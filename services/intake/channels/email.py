"""The e-mail channel's reader: an RFC 5322 message (parsed by `mime`) as a draft inquiry."""

from __future__ import annotations

from datetime import UTC, datetime

from services.intake.channels.draft import Draft, Ignored, Original, Unreadable
from services.intake.channels.mime import UnreadableEmail, parse_email
from shared.events import Attachment
from shared.raw import CitizenAsSent
from shared.vocabulary import Channel


def read_email(raw: bytes, now: datetime) -> Draft | Ignored:
    try:
        mail = parse_email(raw, now=now)
    except UnreadableEmail as error:
        raise Unreadable(f"e-mail cannot be read: {error}") from error
    if mail.automatic:
        return Ignored(Channel.EMAIL, mail.message_id, mail.automatic)
    return Draft(
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
