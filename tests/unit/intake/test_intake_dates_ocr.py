"""OCR's letters for digits are read as digits, and letters that only look like them when
case is ignored ("ı", "İ") are not: no date, and no exception (found by the fuzz tier)."""

from __future__ import annotations

from datetime import date

from services.intake.channels.dates import find_dates


def test_ocr_letters_read_as_digits() -> None:
    assert find_dates("den l2. nov 2O26", default_year=2026) == [(4, date(2026, 11, 12))]


def test_letters_that_match_only_without_case_are_no_digits() -> None:
    assert find_dates("ı. november og İ1. nov 2ı26", default_year=2026) == []
