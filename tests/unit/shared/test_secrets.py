"""Settings refuse empty and placeholder secrets outside development, and never echo one."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.intake.settings import IntakeSettings
from services.reply.settings import ReplySettings
from shared.secrets import refuse_placeholder


@pytest.mark.parametrize("value", ["", "change-me", "CHANGEME", " changeme ", "Password"])
def test_placeholders_are_refused_by_name(value: str) -> None:
    with pytest.raises(ValueError, match="SOME_SECRET") as refused:
        refuse_placeholder("SOME_SECRET", value)
    if value.strip():
        assert value.strip() not in str(refused.value)


def test_a_short_secret_is_refused_when_a_length_is_required() -> None:
    with pytest.raises(ValueError, match="at least 16"):
        refuse_placeholder("SOME_SECRET", "short-but-real", min_chars=16)
    refuse_placeholder("SOME_SECRET", "long-enough-and-real")


def test_intake_refuses_its_placeholder_salt_outside_development() -> None:
    IntakeSettings(environment="development")
    with pytest.raises(ValidationError, match="INTAKE_CPR_SALT"):
        IntakeSettings(environment="production")


def test_reply_refuses_an_smtp_login_without_a_real_password_outside_development() -> None:
    ReplySettings(environment="development", smtp_username="reply")
    for password in (None, "", "change-me"):
        with pytest.raises(ValidationError, match="REPLY_SMTP_PASSWORD"):
            ReplySettings(
                environment="test", smtp_host="mail", smtp_username="reply", smtp_password=password
            )
    secret = "a-real-mail-password-71"
    settings = ReplySettings(
        environment="test", smtp_host="mail", smtp_username="reply", smtp_password=secret
    )
    assert secret not in repr(settings)
