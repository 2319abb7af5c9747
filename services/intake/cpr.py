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
# How people (and their software) write the number. Invisible characters (a soft hyphen, a
# zero-width space, a word joiner) may sit between any two digits; the date and the serial
# number may be parted by a dash of any kind, "/", ".", spaces of any kind (" - " too) or a line
# break, or any one other sign that is neither a letter, a digit nor a space ("120385⁄1234");
# a written-out date ("12.03.85-1234", "12-03-85-1234") uses one separator twice and a
# dash before the serial number, so that a date followed by an amount ("12.03.85 1500") is not a
# CPR number. `\d` is any decimal digit, Arabic-Indic and full-width ones too.
_INVISIBLE = "[\u00ad\u180e\u200b-\u200d\u2060\ufeff]*"
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"
_SPACES = " \t\u00a0\u2007\u2009\u202f"
# A separator decoded in the wrong character set: replacement characters, "?" for what a
# character set lacks, undecodable bytes, a NUL, or the Latin-1 or Windows-1252 reading of a
# UTF-8 dash, no-break space or soft hyphen ("â€“", "Â\xa0").
_MISREAD = (
    "\ufffd\u00e2\u00c2\u20ac\x80-\x9f\u201a-\u201e\u2018\u2019\u2020-\u2022"
    "\u2026\u2030\u02c6\u02dc\u2122\u00a0\u00ad?\x00\udc80-\udcff"
)
_TWO = rf"\d{_INVISIBLE}\d"
# Not inside a longer number ("4512038512345", "2020-120385-1234"), but "CPR-120385-1234" counts:
# no digit, and no digit-and-dash, just before the first digit. Those checks come after that
# digit, not before it, so that the pattern starts with a digit and the search skips the text
# between digits in C instead of trying the checks at every character (the same matches:
# tests/unit/intake/test_intake_cpr.py).
_FIRST_TWO = rf"\d(?<!\d\d)(?<!\d[{_DASHES}]\d){_INVISIBLE}\d"
_GAP = (
    rf"{_INVISIBLE}(?:[{_SPACES}]{{0,3}}(?:[{_DASHES}/.]|[^\w\s])[{_SPACES}]{{0,3}}|[{_SPACES}]{{1,3}}"
    rf"|[{_SPACES}]{{0,3}}\r?\n[{_SPACES}]{{0,3}}|[{_MISREAD}]{{1,3}}|){_INVISIBLE}"
)
_CPR = re.compile(
    rf"({_FIRST_TWO}){_INVISIBLE}"
    rf"(?:({_TWO}){_INVISIBLE}({_TWO}){_GAP}"
    rf"|([.{_DASHES}/{_SPACES}]){_INVISIBLE}({_TWO}){_INVISIBLE}\4{_INVISIBLE}({_TWO}){_INVISIBLE}"
    rf"[{_DASHES}]{_INVISIBLE})"
    rf"(\d{_INVISIBLE}\d{_INVISIBLE}\d{_INVISIBLE}\d)(?!{_INVISIBLE}\d)(?![{_DASHES}]\d)"
)
_SEPARATOR_GROUP = 3  # the written-out date's separator, not a digit of the number
_NOT_A_DIGIT = re.compile(r"\D")


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
        digits = _NOT_A_DIGIT.sub(
            "", "".join(g for i, g in enumerate(match.groups()) if i != _SEPARATOR_GROUP and g)
        )
        number = "".join(str(int(d)) for d in digits)  # ASCII: one citizen key however written
        dd, mm, yy, serial = number[:2], number[2:4], number[4:6], number[6:]
        if not _is_valid_date(dd, mm, yy, serial):
            return match.group(0)
        found.append(number)
        return CPR_MARKER

    return Redaction(_CPR.sub(replace, text), tuple(found))


def citizen_key(cpr_number: str, salt: str) -> str:
    """A keyed hash: links repeat contacts without the number leaving intake."""
    return hmac.new(salt.encode(), cpr_number.encode(), hashlib.sha256).hexdigest()[:32]


def mask_bytes(raw: bytes) -> bytes:
    """The bytes with every CPR number written in UTF-8 or an ASCII-compatible single-byte
    encoding replaced by the marker; everything else stays byte for byte (UTF-8 with escaped
    undecodable bytes, then Latin-1, each map bytes to text and back exactly). Numbers inside
    an encoding (base64, quoted-printable) are not found here: see `encoded.holds_cpr`."""
    masked = raw
    for codec, errors in (("utf-8", "surrogateescape"), ("latin-1", "strict")):
        redaction = redact(masked.decode(codec, errors))
        if redaction.cpr_numbers:
            masked = redaction.text.encode(codec, errors)
    return masked


def keyed_digest(value: str, salt: str) -> str:
    """An identifier that must not travel as it is (it holds a CPR number): keyed, not guessable."""
    return (
        "h:"
        + hmac.new(
            salt.encode(), value.encode("utf-8", "surrogatepass"), hashlib.sha256
        ).hexdigest()
    )
