"""The letter channel: the scanning service's OCR text, or a PDF with a text layer, whose bytes
are kept in intake's store.

A letter has, in order and each optional: the scanning stamp ("MODTAGET 19. NOV. 2026"),
the sender block (name, street, postcode and town, maybe a phone line), the place-and-date
line, and the body. OCR noise (stray marks at line ends, O read for 0) is tolerated.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from services.intake.channels.dates import find_dates
from services.intake.channels.draft import (
    ID_HEADERS,
    Draft,
    Original,
    Unreadable,
    bytes_id,
    plain_text,
)
from services.intake.channels.notes import EMAIL, PHONE
from services.intake.library_failure import refused_when_failing_inside
from shared.events import Attachment
from shared.raw import CitizenAsSent
from shared.vocabulary import Channel

PDF_MAGIC = b"%PDF-"
MAX_PDF_PAGES = 50  # a letter; a larger file is not read whole on the hot path
# pypdf's reading time grows with the pages' drawing instructions (docs/performance.md): a
# letter's 50 dense pages hold about 250 KB, and twice that still reads within a second, where a
# compressed megabyte can unpack to many times that.
MAX_PDF_CONTENT_BYTES = 512 * 1024

_STAMP = re.compile(r"m[o0]dtaget|scanning|indg[aå]et|received", re.IGNORECASE)
# A postcode line: four digits, then the town, which runs to the end of the line. Found in two
# linear steps: searching for the whole in one pattern scans to the line's end again from every
# four digits, time that grows with the square of the line's length.
_POSTCODE = re.compile(r"(?<!\d)(?:DK-?)?\d{4}(?:\s*,\s+|\s+)(?=[A-ZÆØÅ])")
_TOWN_CHARS = r"[\wæøåÆØÅ .,-]"
_LINE_TAIL = re.compile(rf"(?<!{_TOWN_CHARS}){_TOWN_CHARS}*$")
_BLANK_LINES = re.compile(r"\n{3,}")
_BROKEN_LINE = re.compile(r"(?<![.!?:\n])\n(?!\n)")
_AUTHORITY = re.compile(r"kommune|forvaltning|borgerservice", re.IGNORECASE)
# Marks OCR leaves at the edges of lines: quotes, bullets, broken bars, guillemets.
_EDGE_NOISE = "'`´·•¦|»«,;:~"
_INNER_NOISE = re.compile(r"\s[¦|·•»«`´]+(?=\s)|(?<=\w)¦")


@dataclass
class ParsedLetter:
    sender_name: str | None
    sender_address: str | None
    sender_phone: str | None
    sender_email: str | None
    date_line: str | None
    written_on: date | None
    text: str


def _clean(line: str) -> str:
    return _INNER_NOISE.sub(" ", line).strip().strip(_EDGE_NOISE).strip()


def is_postcode_line(line: str) -> bool:
    tail = _LINE_TAIL.search(line)
    town_from = tail.start() if tail else len(line)
    return any(found.end() >= town_from for found in _POSTCODE.finditer(line))


def _paragraphs(lines: list[str]) -> list[list[int]]:
    """Indices of the lines of each paragraph (runs of non-empty lines)."""
    paragraphs: list[list[int]] = []
    current: list[int] = []
    for i, line in enumerate(lines):
        if line:
            current.append(i)
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return paragraphs


def _sender_block(lines: list[str], paragraphs: list[list[int]]) -> list[int]:
    """The first paragraph (near the top, not the stamp, not the municipality's own address)
    with a postcode line; a name standing alone just above it belongs to it."""
    candidates = [p for p in paragraphs[:5] if not any(_STAMP.search(lines[i]) for i in p)]
    for n, paragraph in enumerate(candidates):
        postcode = next(
            (k for k, i in enumerate(paragraph[:6]) if is_postcode_line(lines[i])), None
        )
        if postcode is None:
            continue
        # A text layer has no blank lines: the block ends at the postcode (or a phone line after).
        end = postcode + 1
        if end < len(paragraph) and (
            PHONE.search(lines[paragraph[end]]) or EMAIL.search(lines[paragraph[end]])
        ):
            end += 1
        block = paragraph[:end]
        if _AUTHORITY.search(" ".join(lines[i] for i in block)):
            continue
        if len(block) <= 3 and n > 0 and len(candidates[n - 1]) == 1:
            block = candidates[n - 1] + block
        if len(block) >= 2:
            return block
    return []


def _date_line(lines: list[str], start: int, default_year: int) -> tuple[int, date] | None:
    """A short line with a date near the top: "København, 9. november 2026"."""
    for i in range(start, min(len(lines), start + 12)):
        line = lines[i]
        if line and len(line) <= 60 and not _STAMP.search(line):
            found = find_dates(line, default_year=default_year)
            if found:
                return i, found[0][1]
    return None


def parse_letter(text: str, *, default_year: int) -> ParsedLetter:
    lines = [_clean(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    paragraphs = _paragraphs(lines)
    block = _sender_block(lines, paragraphs)
    drop: set[int] = set()
    name = address = phone = email = None
    if block:
        drop.update(block)
        contact_lines = []
        for i in block[1:]:
            if found := PHONE.search(lines[i]):
                phone = phone or found[0]
            elif found := EMAIL.search(lines[i]):
                email = email or found[0]
            else:
                contact_lines.append(lines[i].rstrip(" .,"))
        name = lines[block[0]]
        address = ", ".join(contact_lines) or None
    # The stamp paragraph before the sender is the scanner's, not the citizen's words.
    first_content = block[0] if block else 0
    for paragraph in paragraphs:
        if paragraph[0] < first_content or (
            paragraph[0] < 6 and any(_STAMP.search(lines[i]) for i in paragraph)
        ):
            drop.update(paragraph)
    dated = _date_line(lines, (block[-1] + 1) if block else 0, default_year)
    date_line = None
    written_on = None
    if dated:
        date_line, written_on = lines[dated[0]], dated[1]
        drop.add(dated[0])
    body = "\n".join(line for i, line in enumerate(lines) if i not in drop).strip()
    body = _BLANK_LINES.sub("\n\n", body)
    # OCR breaks lines inside sentences; join them back, keep paragraph breaks.
    body = _BROKEN_LINE.sub(" ", body)
    return ParsedLetter(name, address, phone, email, date_line, written_on, body)


def _unreadable(why: str) -> Unreadable:
    return Unreadable(f"letter cannot be read: {why}")


def pdf_text(raw: bytes) -> str:
    """The text layer of a PDF letter, page by page, by pypdf."""
    import pypdf
    from pypdf import PdfReader

    # pypdf logs every repaired defect at WARNING; a scanner's PDF has many, none is ours to fix.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    # A damaged file fails in pypdf in many ways.
    with refused_when_failing_inside(pypdf, _unreadable, "the PDF"):
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise _unreadable("the PDF is encrypted with a password")
        pages = reader.pages[:MAX_PDF_PAGES]
        content = sum(len(c.get_data()) for p in pages if (c := p.get_contents()) is not None)
        if content > MAX_PDF_CONTENT_BYTES:
            raise _unreadable(
                f"the PDF's pages hold {content:,} bytes of drawing instructions, more than a "
                f"letter's ({MAX_PDF_CONTENT_BYTES:,}): send it as a file to a caseworker"
            )
        text = "\n".join(page.extract_text() or "" for page in pages)
    if not text.strip():
        raise _unreadable("the PDF has no text layer (a scanned image): it needs OCR first")
    return text


def read_letter(raw: bytes, headers: Mapping[str, str], now: datetime) -> Draft:
    message_id = headers.get(ID_HEADERS[Channel.LETTER]) or bytes_id(raw)
    originals: list[Original] = []
    attachments: list[Attachment] = []
    if raw.startswith(PDF_MAGIC):
        ocr = pdf_text(raw)
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
