"""Intake's regular expressions take time in proportion to their input: a megabyte-long token
(the most the gateway accepts) is read in seconds, not in the half hour a pattern that
backtracks over the rest of a token from each of its characters would take.

The deadlines are generous bounds that fail instead of hanging, not speed measurements: a
linear pass over these inputs takes a fraction of them."""

from __future__ import annotations

import json
import re
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.intake import canonical, cpr, encoded
from services.intake.channels import dates, email, letter, notes
from services.intake.normalise import Normalised, Refused
from shared.vocabulary import Channel
from tests.intake_reading import read_one
from tests.unit.intake.deadline import finishes_within

SALT = "a-test-salt-of-some-length"
MEGABYTE = 1_000_000
PATTERN_INPUT = 100_000
# Each a run that made one of the patterns backtrack over the rest of it from every position.
ADVERSARIAL = {
    "word characters": "a",
    "underscores then a stop": "_",
    "dotted words": "a.",
    "digits": "1",
    "digits and spaces": "1 ",
    "postcode and town again and again": "1234 A",
    "at signs": "a@",
    "a domain without end": ".b",
    "line breaks": "\n",
    "spaces": " ",
    "dashes": "-",
    "an open angle bracket": "<a",
    "dates": "12.",
    "zero-width spaces between digits": "1\u200b",
}


def _token(unit: str, size: int) -> str:
    return unit * (size // len(unit)) + "!"


def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    modules: list[ModuleType] = [canonical, cpr, dates, email, encoded, letter, notes]
    return [
        (f"{m.__name__.rsplit('.', 1)[-1]}.{name}", value)
        for m in modules
        for name, value in vars(m).items()
        if isinstance(value, re.Pattern)
    ]


def test_the_sweep_finds_intakes_patterns() -> None:
    names = {name for name, _ in _patterns()}
    assert {"notes.EMAIL", "notes.PHONE", "letter._POSTCODE", "cpr._CPR"} <= names


@pytest.mark.parametrize(("name", "pattern"), _patterns(), ids=[n for n, _ in _patterns()])
def test_every_pattern_searches_a_long_adversarial_token_in_linear_time(
    name: str, pattern: re.Pattern[str]
) -> None:
    def search_all() -> None:
        for unit in ADVERSARIAL.values():
            token = _token(unit, PATTERN_INPUT)
            for text in (token, f"x {token} y@z.dk"):
                for _ in pattern.finditer(text):
                    pass

    finishes_within(30, search_all)


def _note(text: str) -> bytes:
    return text.encode()


def _letter(text: str) -> bytes:
    return f"Karen Jensen\nNørregade 1\n1165 København K\n\n{text}".encode()


def _json_note(text: str) -> bytes:
    return json.dumps({"call_id": "c-1", "note": text}).encode()


def _mail(text: str) -> bytes:
    return (
        "From: a@example.dk\r\nSubject: lang\r\nMessage-ID: <m1@example.dk>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text
    ).encode()


CARRIERS = {
    Channel.PHONE: _note,
    Channel.IN_PERSON: _json_note,
    Channel.LETTER: _letter,
    Channel.EMAIL: _mail,
}


@pytest.mark.parametrize("unit", ["_", "a.", "1234 A", "1 ", "1"], ids=str)
@pytest.mark.parametrize("channel", list(CARRIERS), ids=lambda c: c.value)
def test_a_megabyte_token_is_normalised_within_a_generous_bound(
    channel: Channel, unit: str
) -> None:
    raw = CARRIERS[channel](f"Tlf: 21 43 65 87\nDato: 1. nov 2026\n{_token(unit, MEGABYTE)}")

    def read() -> Normalised | Refused:
        result = read_one(channel, raw, salt=SALT)
        assert isinstance(result, Normalised | Refused)
        return result

    finishes_within(60, read)


# The postcode line as one pattern, as first written: the two linear steps must agree with it.
_PLAIN_POSTCODE = re.compile(r"(?<!\d)(?:DK-?)?\d{4}\s*,?\s+[A-ZÆØÅ][\wæøåÆØÅ .,-]*$")


@settings(max_examples=1_000, deadline=None)
@given(st.text(alphabet="1234 ,A\tæ.DK-!x", max_size=16))
def test_the_postcode_line_is_found_as_the_plain_pattern_finds_it(line: str) -> None:
    assert letter.is_postcode_line(line) == bool(_PLAIN_POSTCODE.search(line))
