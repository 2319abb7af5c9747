"""Danish CPR numbers: found, replaced by a marker, and turned into a salted citizen key.

A CPR number is DDMMYY-SSSS; the first digit of SSSS with YY gives the century, so only
numbers whose first six digits are a real date count (a phone number rarely is one).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date

CPR_MARKER = "[CPR]"
# Not inside a longer number ("4512038512345", "2020-120385-1234"), but "CPR-120385-1234" counts:
# no digit, and no digit-and-hyphen, just before the first digit. Those checks come after that
# digit, not before it, so that the pattern starts with a digit and the search skips the text
# between digits in C instead of trying the checks at every character (3x faster, the same
# matches: tests/unit/test_cpr.py).
_CPR = re.compile(r"(\d(?<!\d\d)(?<!\d-\d)\d)(\d{2})(\d{2})[- ]?(\d{4})(?!\d)(?!-\d)")


def _century(yy: int, serial: int) -> int:
    """Birth century from the seventh digit (the CPR office's table)."""
    seventh = serial // 1000
    if seventh <= 3:
        return 1900
    if seventh in (4, 9):
        return 2000 if yy <= 36 else 1900
    return 2000 if yy <= 57 else 1800


def _is_valid_date(dd: str, mm: str, yy: str, serial: str) -> bool:
    try:
        date(_century(int(yy), int(serial)) + int(yy), int(mm), int(dd))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Redaction:
    text: str
    cpr_numbers: tuple[str, ...]  # normalised DDMMYYSSSS, for the citizen key only


def redact(text: str) -> Redaction:
    found: list[str] = []

    def replace(match: re.Match[str]) -> str:
        dd, mm, yy, serial = match.groups()
        if not _is_valid_date(dd, mm, yy, serial):
            return match.group(0)
        found.append(dd + mm + yy + serial)
        return CPR_MARKER

    return Redaction(_CPR.sub(replace, text), tuple(found))


def citizen_key(cpr_number: str, salt: str) -> str:
    """A keyed hash: links repeat contacts without the number leaving intake."""
    return hmac.new(salt.encode(), cpr_number.encode(), hashlib.sha256).hexdigest()[:32]


def mask_bytes(raw: bytes) -> bytes:
    """The bytes with every CPR number in an ASCII-compatible encoding replaced by the marker.

    Latin-1 maps each byte to one character and back, so everything else stays byte for byte.
    """
    text = raw.decode("latin-1")
    redaction = redact(text)
    return redaction.text.encode("latin-1") if redaction.cpr_numbers else raw


def keyed_digest(value: str, salt: str) -> str:
    """An identifier that must not travel as it is (it holds a CPR number): keyed, not guessable."""
    return (
        "h:"
        + hmac.new(
            salt.encode(), value.encode("utf-8", "surrogatepass"), hashlib.sha256
        ).hexdigest()
    )
