from __future__ import annotations

from datetime import date, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from shared.secrets import refuse_placeholder
from shared.settings import DownstreamSettings
from shared.vocabulary import Channel, Language, ReplyChannel

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

# Published response targets by arrival channel (docs/design.md): e-mail within 24 h, letters within
# 10 days, phone and desk at first contact (a callback within a working day), self-service at once.
# A whole day of a target is one business day, answered by the close of business; hours are
# counted inside opening hours (docs/reply.md, "Deadlines").
DEFAULT_RESPONSE_TARGETS: dict[Channel, timedelta] = {
    Channel.PHONE: timedelta(hours=8),
    Channel.EMAIL: timedelta(days=1),
    Channel.CHAT: timedelta(days=1),
    Channel.LETTER: timedelta(days=10),
    Channel.IN_PERSON: timedelta(hours=8),
    Channel.SELF_SERVICE: timedelta(days=1),
}


class Weekday(StrEnum):
    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @property
    def number(self) -> int:
        """Monday is 0, as `date.weekday()` counts."""
        return list(Weekday).index(self)


class OpeningHours(BaseModel):
    """One day's opening hours, written "08:00-16:00" in configuration."""

    opens: time
    closes: time

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            opens, _, closes = value.partition("-")
            return {"opens": opens.strip(), "closes": closes.strip()}
        return value

    @model_validator(mode="after")
    def _opens_before_closing(self) -> OpeningHours:
        if self.opens >= self.closes:
            raise ValueError(f"opening hours {self.opens}-{self.closes} close before they open")
        return self


DEFAULT_OPENING_HOURS: dict[Weekday, OpeningHours] = {
    day: OpeningHours(opens=time(8), closes=time(16))
    for day in (Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY)
} | {Weekday.FRIDAY: OpeningHours(opens=time(8), closes=time(15))}


class ReplySettings(DownstreamSettings):
    model_config = SettingsConfigDict(env_prefix="REPLY_", extra="ignore", populate_by_name=True)

    service_name: str = "reply"
    http_port: int = 9103
    municipality: str = "Københavns Kommune"

    # How long a closed plan (the inquiry as triaged, the reply, its actions) is kept
    # (`python -m services.reply purge`; docs/privacy.md). Open plans are never purged.
    plan_retention_days: float = Field(90, gt=0)

    # ---- deadlines
    timezone: str = "Europe/Copenhagen"
    response_targets: dict[Channel, timedelta] = Field(
        default_factory=lambda: dict(DEFAULT_RESPONSE_TARGETS),
        description="By arrival channel; a partial mapping overrides only the channels it names",
    )
    opening_hours: dict[Weekday, OpeningHours] = Field(
        default_factory=lambda: dict(DEFAULT_OPENING_HOURS),
        description='Weekdays the municipality answers on, e.g. {"monday": "08:00-16:00"}',
    )
    holiday_country: str = "DK"
    holiday_categories: tuple[str, ...] = ("public",)
    # Not public holidays by law, but the administrations are closed (names as the `holidays`
    # package gives them in en_US).
    also_closed_holidays: frozenset[str] = frozenset(
        {"Constitution Day", "Christmas Eve", "New Year's Eve"}
    )
    closed_dates: frozenset[date] = frozenset()

    # ---- templates and channels
    templates_dir: Path = TEMPLATES_DIR
    # Inquiries in another language are answered in this one.
    language_for_other: Literal[Language.DA, Language.EN] = Language.EN
    # A template missing for the reply's language is taken from the first of these that has it.
    template_fallback: tuple[Language, ...] = (Language.DA, Language.EN)
    # When the recommended reply channel lacks contact details: the cheapest of these that has
    # them (docs/design.md, costs: phone 1.0, e-mail 3.0, letter 4.0).
    contact_fallback: tuple[ReplyChannel, ...] = (
        ReplyChannel.PHONE,
        ReplyChannel.EMAIL,
        ReplyChannel.LETTER,
    )
    # A callback is announced by SMS on outbox.phone, so the citizen knows to expect the call.
    sms_callback_notice: bool = True

    # ---- e-mail over SMTP; without a host e-mail replies are planned but wait unsent
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_use_tls: bool = False
    smtp_start_tls: bool | None = Field(None, description="None: STARTTLS when offered")
    smtp_timeout_seconds: float = 30.0
    mail_from: str = "Københavns Kommune <borgerservice@kk.dk>"
    # The outbox (docs/reliability.md): attempts per e-mail, back-off between them (exponential,
    # with jitter, capped), how many e-mails one round takes, and how long an instance holds them.
    delivery_max_attempts: int = Field(10, ge=1)
    email_retry_initial_seconds: float = Field(30.0, gt=0)
    email_retry_max_seconds: float = Field(3600.0, gt=0)
    email_round_size: int = Field(50, ge=1)
    email_lease_seconds: float = Field(300.0, gt=0)

    # ---- the deadline watch: pending e-mails and overdue deadlines
    watch_interval_seconds: float = Field(30.0, gt=0)

    # ---- the caseworker command
    caseworker: str | None = Field(None, description="Who acts, when --caseworker is not given")
    claim_minutes: float = Field(
        30.0, gt=0, description="A claim no caseworker works on for this long is free again"
    )

    @field_validator("response_targets", mode="after")
    @classmethod
    def _every_channel_has_a_target(
        cls, value: dict[Channel, timedelta]
    ) -> dict[Channel, timedelta]:
        return {**DEFAULT_RESPONSE_TARGETS, **value}

    @field_validator("opening_hours", mode="after")
    @classmethod
    def _open_some_day(cls, value: dict[Weekday, OpeningHours]) -> dict[Weekday, OpeningHours]:
        if not value:
            raise ValueError("opening hours name no day: no deadline could ever be met")
        return value

    @model_validator(mode="after")
    def _lease_outlasts_a_send(self) -> ReplySettings:
        # Connecting (two timeouts) and one e-mail (one) must fit in a lease, or no e-mail could
        # ever be sent before another instance may take it over.
        if self.email_lease_seconds <= 3 * self.smtp_timeout_seconds:
            raise ValueError(
                f"REPLY_EMAIL_LEASE_SECONDS ({self.email_lease_seconds}) must exceed three times "
                f"REPLY_SMTP_TIMEOUT_SECONDS ({self.smtp_timeout_seconds})"
            )
        return self

    @model_validator(mode="after")
    def _mail_server_in_production(self) -> ReplySettings:
        if self.environment == "production" and not self.smtp_host:
            raise ValueError("REPLY_SMTP_HOST must be set in production: e-mail replies go by it")
        if self.environment != "development" and self.smtp_username:
            refuse_placeholder("REPLY_SMTP_PASSWORD", self.smtp_password or "")
        return self

    @property
    def claim_hold(self) -> timedelta:
        return timedelta(minutes=self.claim_minutes)
