from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from demo.feed import load_feed
from services.intake.cpr import (
    _CPR,
    _DASHES,
    _FIRST_TWO,
    _INVISIBLE,
    CPR_MARKER,
    citizen_key,
    redact,
)
from shared.settings import REPO_ROOT


@pytest.mark.parametrize(
    "number", ["120385-1234", "1203851234", "010100-4000", "311299-9999", "290200-4321"]
)
def test_cpr_numbers_with_a_valid_date_are_replaced(number: str) -> None:
    redacted = redact(f"Mit cpr er {number}, tak.")
    assert redacted.text == f"Mit cpr er {CPR_MARKER}, tak."
    assert redacted.cpr_numbers == (number.replace("-", ""),)


@pytest.mark.parametrize(
    "text",
    [
        "Ring på 2143 6587",  # a phone number
        "Sag 999999-1234",  # no such date
        "Beløb 310299-1234",  # 31 February
        "Ordrenummer 12038512345",  # eleven digits
        "Konto 1234-120385-1234",  # part of a longer number
    ],
)
def test_numbers_that_are_not_cpr_numbers_are_kept(text: str) -> None:
    assert redact(text).text == text


def test_citizen_key_is_stable_per_salt_and_does_not_contain_the_number() -> None:
    key = citizen_key("1203851234", "salt-a" * 4)
    assert key == citizen_key("1203851234", "salt-a" * 4)
    assert key != citizen_key("1203851234", "salt-b" * 4)
    assert "1203851234" not in key


# The pattern with its boundary checks written plainly before the first digit: the reference
# the faster one must match exactly.
_PLAIN_CPR = re.compile(
    _CPR.pattern.replace(_FIRST_TWO, rf"(?<!\d)(?<!\d[{_DASHES}])\d{_INVISIBLE}\d", 1)
)


def _real_texts() -> list[str]:
    feed = [raw.body.decode("utf-8", "replace") for raw in load_feed("cpr")]
    corpus = (REPO_ROOT / "training" / "corpus" / "inquiries.jsonl").read_text().splitlines()
    cpython = (REPO_ROOT / "tests" / "data" / "cpython_email").glob("*")
    return [*feed, *corpus, *(p.read_bytes().decode("latin-1") for p in cpython)]


def _matches(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], tuple[str, ...]]]:
    return [(m.span(), m.groups()) for m in pattern.finditer(text)]


def test_the_cpr_pattern_finds_what_the_plain_pattern_finds_in_real_texts() -> None:
    texts = _real_texts()
    assert _PLAIN_CPR.pattern != _CPR.pattern
    assert sum(1 for t in texts if _PLAIN_CPR.search(t)) > 10  # the comparison has cases
    for text in texts:
        assert _matches(_CPR, text) == _matches(_PLAIN_CPR, text)


@settings(max_examples=2_000, deadline=None)
@given(st.text(alphabet="0123456789- aæ\n–./\u00ad\u00a0", max_size=40))
def test_the_cpr_pattern_finds_what_the_plain_pattern_finds_in_any_digits(text: str) -> None:
    assert _matches(_CPR, text) == _matches(_PLAIN_CPR, text)
