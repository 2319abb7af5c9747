from __future__ import annotations

import pytest

from services.intake.cpr import CPR_MARKER, citizen_key, redact


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
