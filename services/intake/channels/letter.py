"""The letter channel's reader: a scanned letter as OCR text or as a PDF with a text layer
(both read by `letter_text`); the PDF itself is kept in intake's store."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime

from services.intake.channels.draft import (
    ID_HEADERS,
    Draft,
    Original,
    Unreadable,
    bytes_id,
    plain_text,
)
from services.intake.channels.letter_text import (
    PDF_MAGIC,
    UnreadableLetter,
    parse_letter,
    pdf_text,
)
from shared.events import Attachment
from shared.raw import CitizenAsSent
from shared.vocabulary import Channel


def read_letter(raw: bytes, headers: Mapping[str, str], now: datetime) -> Draft:
    message_id = headers.get(ID_HEADERS[Channel.LETTER]) or bytes_id(raw)
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
        ocr = plain_text(raw, "letter")
    letter = parse_letter(ocr, default_year=now.year)
    return Draft(
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
