"""Letters as OCR text: a sender block, a date line, the body."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DATE_LINE = re.compile(
    r"^\s*(?:[A-ZÆØÅa-zæøå .]+,\s*)?(?:den\s+)?\d{1,2}\.?\s*[A-Za-zæøå]+\.?\s+\d{4}\s*$"
    r"|^\s*\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\s*$"
)
_POSTCODE = re.compile(r"\b\d{4}\s+[A-ZÆØÅ][\wæøåÆØÅ .-]+")


@dataclass
class ParsedLetter:
    sender_name: str | None
    sender_address: str | None
    date_line: str | None
    text: str


def parse_letter(text: str) -> ParsedLetter:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    # The sender block is the first paragraph when it ends in a postcode line.
    block: list[str] = []
    for line in lines:
        if not line.strip():
            break
        block.append(line.strip())
    sender_name = sender_address = None
    body_start = 0
    if 2 <= len(block) <= 5 and any(_POSTCODE.search(b) for b in block):
        sender_name = block[0]
        sender_address = ", ".join(block[1:])
        body_start = len(block)
    rest = lines[body_start:]
    date_line = None
    for i, line in enumerate(rest[:8]):
        if _DATE_LINE.match(line):
            date_line = line.strip()
            rest = rest[:i] + rest[i + 1 :]
            break
    body = "\n".join(rest).strip()
    # OCR breaks lines inside sentences; join them back, keep paragraph breaks.
    body = re.sub(r"(?<![.!?:\n])\n(?!\n)", " ", body)
    return ParsedLetter(sender_name, sender_address, date_line, body)
