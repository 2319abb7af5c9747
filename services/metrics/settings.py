from __future__ import annotations

import math

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from services.metrics.mix import NATIONAL_TARGET, MixGroup
from shared.settings import DownstreamSettings

# A dead letter's reason is free text for a person; a label must be a bounded category.
# First match wins (case-insensitive regular expressions over the reason); no match is "other".
DEFAULT_DEAD_LETTER_REASONS: dict[str, str] = {
    "invalid_json": r"not valid JSON",
    "invalid_format": r"does not match its format|not a valid \S+ event",
    "unreadable_email": r"e-mail cannot be read|RFC 5322|header cannot be decoded|message is empty",
    "no_text": r"no readable text|has no text|no words from the citizen",
    "invalid_encoding": r"not UTF-8",
    "unknown_topic": r"is not a channel's raw topic",
    "processing_failed": r"failed on this message",
}


class MetricsSettings(DownstreamSettings):
    model_config = SettingsConfigDict(env_prefix="METRICS_", extra="ignore", populate_by_name=True)

    service_name: str = "metrics"
    http_port: int = 9104
    # Days are counted in the municipality's own calendar.
    timezone: str = "Europe/Copenhagen"
    # The channel mix the strategy aims at, as shares of all inquiries (docs/design.md).
    channel_mix_target: dict[MixGroup, float] = Field(default_factory=lambda: dict(NATIONAL_TARGET))
    # The channel-mix gauge covers this many days of the persisted statistics, today included.
    channel_mix_window_days: int = Field(28, ge=1)
    dead_letter_reasons: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_DEAD_LETTER_REASONS)
    )
    # Consumer groups whose lag is measured (names without the topic prefix).
    lag_groups: list[str] = Field(default_factory=lambda: ["intake", "triage", "reply", "metrics"])
    # How often consumer lag and the channel-mix gauge are refreshed.
    poll_seconds: float = Field(10.0, gt=0)
    # Counted event ids are kept longer than the topics' retention (7 days by default): a
    # redelivery can never be older than that.
    counted_ids_retention_days: int = Field(14, ge=1)
    # Inquiries remembered to join a decision to its receipt (latency) and a sent reply to its
    # planned channel; both events of a pair arrive within seconds of each other.
    remembered_inquiries: int = Field(100_000, ge=1)

    @field_validator("channel_mix_target")
    @classmethod
    def _target_is_a_whole(cls, target: dict[MixGroup, float]) -> dict[MixGroup, float]:
        if not math.isclose(sum(target.values()), 1.0, abs_tol=0.005):
            raise ValueError("the channel-mix target's shares must add up to 1")
        return {g: target.get(g, 0.0) for g in MixGroup}
