"""CPR numbers never leave intake in clear: not in text, subject, quotes, profile, attachment
names or ids; the citizen key links repeat contacts; the salt is refused at a placeholder."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from services.intake.cpr import CPR_MARKER, mask_bytes, redact
from services.intake.normalise import Normalised
from services.intake.settings import IntakeSettings
from shared.vocabulary import Channel
from tests.intake_reading import read_one
from tests.unit.intake.samples import email_message

SALT = "a-test-salt-of-some-length"
CPR = "120385-1234"


def test_cpr_in_every_field_of_an_email_is_masked_and_keys_the_citizen() -> None:
    message = email_message(
        f"Mit CPR er {CPR}.\n\nDen 1. nov. skrev Borgerservice:\n> Oplys CPR 1203851234",
        subject=f"CPR-{CPR}",
        sender=f'"Karen {CPR}" <karen@example.dk>',
        message_id=f"<{CPR}@example.dk>",
    )
    message.add_attachment(b"x", maintype="text", subtype="plain", filename=f"cpr {CPR}.txt")
    result = read_one(Channel.EMAIL, message.as_bytes(), salt=SALT)
    assert isinstance(result, Normalised)
    published = result.inquiry.model_dump_json()
    assert "120385" not in published
    assert "1203851234" not in published
    assert result.inquiry.text == f"Mit CPR er {CPR_MARKER}."
    assert result.inquiry.subject == f"CPR-{CPR_MARKER}"
    assert result.inquiry.channel_message_id.startswith("h:")
    assert result.inquiry.citizen_key is not None


def test_the_same_cpr_on_two_channels_gives_the_same_citizen_key() -> None:
    mail = read_one(Channel.EMAIL, email_message(f"Mit cpr: {CPR}").as_bytes(), salt=SALT)
    note = json.dumps({"call_id": "c1", "note": "Borger med cpr 1203851234 ringer."}).encode()
    call = read_one(Channel.PHONE, note, salt=SALT)
    assert isinstance(mail, Normalised)
    assert isinstance(call, Normalised)
    assert mail.inquiry.citizen_key == call.inquiry.citizen_key is not None
    other_salt = read_one(Channel.PHONE, note, salt="another-salt-entirely")
    assert isinstance(other_salt, Normalised)
    assert other_salt.inquiry.citizen_key != call.inquiry.citizen_key


def test_masked_bytes_keep_everything_but_the_cpr_numbers() -> None:
    raw = "Kære kommune, CPR 120385-1234 og 0101001234; konto 1234-120385-1234.".encode()
    assert mask_bytes(raw) == "Kære kommune, CPR [CPR] og [CPR]; konto 1234-120385-1234.".encode()
    assert mask_bytes(b"\xff\x00 no numbers") == b"\xff\x00 no numbers"


def test_cpr_written_after_a_dash_label_is_found() -> None:
    assert redact("CPR-120385-1234").text == f"CPR-{CPR_MARKER}"


def test_placeholder_salt_is_refused_outside_development() -> None:
    assert IntakeSettings(environment="development").cpr_salt == "change-me"
    for environment in ("test", "production"):
        with pytest.raises(ValidationError, match="INTAKE_CPR_SALT"):
            IntakeSettings(environment=environment)
        with pytest.raises(ValidationError, match="INTAKE_CPR_SALT"):
            IntakeSettings(environment=environment, cpr_salt="short")
        assert IntakeSettings(environment=environment, cpr_salt=SALT).cpr_salt == SALT


def test_placeholder_gateway_key_is_refused_outside_development() -> None:
    adapters = {"scanner": {"key": "change-me", "channels": ["letter"]}}
    with pytest.raises(ValidationError, match="scanner"):
        IntakeSettings(environment="production", cpr_salt=SALT, gateway_adapters=adapters)
