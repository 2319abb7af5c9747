"""Dates as people write them in Danish and English notes and letters.

"12. november 2026", "12 Nov 2026", "12/11-2026", "12.11.26", "2026-11-12", "den 3/1", with
OCR's usual confusions (O for 0, l for 1) tolerated in the numbers.
"""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {
    # Danish and English names and their common abbreviations; "maj"/"may", "okt"/"oct".
    **dict.fromkeys(["januar", "january", "jan"], 1),
    **dict.fromkeys(["februar", "february", "feb"], 2),
    **dict.fromkeys(["marts", "march", "mar"], 3),
    **dict.fromkeys(["april", "apr"], 4),
    **dict.fromkeys(["maj", "may"], 5),
    **dict.fromkeys(["juni", "june", "jun"], 6),
    **dict.fromkeys(["juli", "july", "jul"], 7),
    **dict.fromkeys(["august", "aug"], 8),
    **dict.fromkeys(["september", "sept", "sep"], 9),
    **dict.fromkeys(["oktober", "october", "okt", "oct"], 10),
    **dict.fromkeys(["november", "nov"], 11),
    **dict.fromkeys(["december", "dec"], 12),
}
_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1"})
_D = r"[0-9OolI]"  # a digit, or a letter OCR reads for one

_NAMED = re.compile(
    rf"(?<![\w])(\d{{1,2}}|\d{_D}|{_D}\d)\.?\s+({'|'.join(sorted(_MONTHS, key=len, reverse=True))})\.?"
    rf"(?:\s+(\d{_D}{{3}}))?(?![\w])",
    re.IGNORECASE,
)
_NUMERIC = re.compile(
    r"(?<![\w./-])(\d{1,2})[./](\d{1,2})(?:[./-](\d{4}|\d{2})|\s(\d{4}))?(?![\w/]|\.\d)"
)
_CLOCK_BEFORE = re.compile(r"kl\.?\s*$", re.IGNORECASE)
_ISO = re.compile(r"(?<![\w-])(\d{4})-(\d{2})-(\d{2})(?![\w-])")


def _ocr_number(written: str) -> int | None:
    """The number OCR read, or none: matched without regard to case, "I" also finds "i", "ı"
    and "İ", which are no digits."""
    digits = written.translate(_OCR_DIGITS)
    return int(digits) if digits.isdecimal() else None


def _make(year: int | None, month: int, day: int, default_year: int) -> date | None:
    if year is not None and year < 100:
        year += 2000 if year < 70 else 1900
    try:
        return date(year or default_year, month, day)
    except ValueError:
        return None


def find_dates(text: str, *, default_year: int) -> list[tuple[int, date]]:
    """Every date in the text with its position, in the order they appear."""
    found: list[tuple[int, date]] = []
    for match in _ISO.finditer(text):
        d = _make(int(match[1]), int(match[2]), int(match[3]), default_year)
        if d:
            found.append((match.start(), d))
    for match in _NAMED.finditer(text):
        day = _ocr_number(match[1])
        year = _ocr_number(match[3]) if match[3] else None
        if day is None or (match[3] and year is None):
            continue
        d = _make(year, _MONTHS[match[2].lower()], day, default_year)
        if d:
            found.append((match.start(), d))
    for match in _NUMERIC.finditer(text):
        if _CLOCK_BEFORE.search(text, max(0, match.start() - 4), match.start()):
            continue  # "kl. 10.05" is a time of day, not the tenth of May
        written_year = match[3] or match[4]
        year = int(written_year) if written_year else None
        d = _make(year, int(match[2]), int(match[1]), default_year)
        if d:
            found.append((match.start(), d))
    return sorted(found, key=lambda found_at: found_at[0])
