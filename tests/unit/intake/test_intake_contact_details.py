"""A contact detail can never start a mail header downstream: intake puts each on one line and
keeps an e-mail address only when it is one address, and the shared schema refuses control
characters in them, so no service can build a header from an injected line."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from services.intake.normalise import Normalised
from shared.events import CitizenProfile
from shared.vocabulary import Channel
from tests.intake_reading import read_one

SALT = "a-test-salt-of-some-length"
INJECTED = "karen@example.dk\r\nBcc: everyone@example.com"


def _citizen(channel: Channel, raw: bytes) -> CitizenProfile:
    result = read_one(channel, raw, salt=SALT)
    assert isinstance(result, Normalised)
    return result.inquiry.citizen


def test_an_injected_address_in_a_web_form_is_dropped_and_the_inquiry_kept() -> None:
    form = {
        "submission_id": "f-inject",
        "subject": "Affald\r\nBcc: everyone@example.com",
        "text": "Skraldet er ikke hentet.",
        "citizen": {"name": "Karen\nHolm", "email": INJECTED, "address": "Vej 1\r\n1165 Kbh"},
    }
    result = read_one(Channel.SELF_SERVICE, json.dumps(form).encode(), salt=SALT)
    assert isinstance(result, Normalised)
    citizen = result.inquiry.citizen
    assert citizen.email is None
    assert citizen.name == "Karen Holm"
    assert citizen.address == "Vej 1 1165 Kbh"
    assert result.inquiry.subject == "Affald Bcc: everyone@example.com"


def test_an_injected_address_in_a_phone_notes_caller_is_dropped() -> None:
    note = {"call_id": "c-inject", "note": "Ringer om affald.", "caller": {"email": INJECTED}}
    assert _citizen(Channel.PHONE, json.dumps(note).encode()).email is None


def test_a_plain_note_with_more_than_an_address_on_its_mail_line_keeps_none() -> None:
    note = "E-mail: karen@example.dk Bcc: everyone@example.com\nRinger om affald."
    assert _citizen(Channel.PHONE, note.encode()).email is None


def test_an_encoded_line_break_in_the_senders_name_is_flattened() -> None:
    raw = (
        b"From: =?utf-8?q?Karen=0D=0ABcc=3A_x=40y=2Edk?= <karen@example.dk>\r\n"
        b"Subject: =?utf-8?q?Affald=0D=0ABcc=3A_x=40y=2Edk?=\r\nMessage-ID: <m-inject@x>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nSkraldet er ikke hentet.\r\n"
    )
    result = read_one(Channel.EMAIL, raw, salt=SALT)
    assert isinstance(result, Normalised)
    assert result.inquiry.citizen.email == "karen@example.dk"
    for header_material in (result.inquiry.citizen.name, result.inquiry.subject):
        assert header_material is not None
        assert not {"\r", "\n"} & set(header_material)


def test_a_plain_address_is_kept() -> None:
    form = {"submission_id": "f-ok", "text": "Hej", "citizen": {"email": "karen@example.dk"}}
    assert _citizen(Channel.SELF_SERVICE, json.dumps(form).encode()).email == "karen@example.dk"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", INJECTED),
        ("email", "karen@example.dk\nBcc: x@y.dk"),
        ("email", "karen@example.dk x@y.dk"),
        ("name", "Karen\r\nBcc: x@y.dk"),
        ("phone", "21 43 65 87\n"),
        ("address", "Vej 1\u2028Bcc: x@y.dk"),
        ("name", "Karen\x00"),
    ],
)
def test_the_shared_schema_refuses_control_characters_in_contact_details(
    field: str, value: str
) -> None:
    with pytest.raises(ValidationError):
        CitizenProfile.model_validate({field: value})
    with pytest.raises(ValidationError):
        CitizenProfile.model_validate_json(json.dumps({field: value}))


def test_lines_joined_into_one_are_masked_after_they_are_joined() -> None:
    form = {
        "submission_id": "f-joined",
        "subject": "cpr 120385\n\n\t1234",
        "text": "Hej",
        "citizen": {"name": "Karen 120385\t\t\t\t1234"},
    }
    result = read_one(Channel.SELF_SERVICE, json.dumps(form).encode(), salt=SALT)
    assert isinstance(result, Normalised)
    assert result.inquiry.subject == "cpr [CPR]"
    assert result.inquiry.citizen.name == "Karen [CPR]"
