from __future__ import annotations

from datetime import timedelta

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings
from shared.vocabulary import Channel

# Published response targets by arrival channel (DESIGN.md): e-mail within 24 h, letters within
# 10 days, phone and desk at first contact (a callback the same day), self-service immediately.
DEFAULT_RESPONSE_TARGETS: dict[Channel, timedelta] = {
    Channel.PHONE: timedelta(hours=8),
    Channel.EMAIL: timedelta(hours=24),
    Channel.CHAT: timedelta(hours=24),
    Channel.LETTER: timedelta(days=10),
    Channel.IN_PERSON: timedelta(hours=8),
    Channel.SELF_SERVICE: timedelta(hours=24),
}


class ReplySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REPLY_", extra="ignore", populate_by_name=True)

    service_name: str = "reply"
    http_port: int = 9103
    timezone: str = "Europe/Copenhagen"
    response_targets: dict[Channel, timedelta] = Field(
        default_factory=lambda: dict(DEFAULT_RESPONSE_TARGETS)
    )
