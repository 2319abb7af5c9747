"""The desk's own settings (DESK_...); it reads reply's as well (time zone, calendar, claims)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEMO_ACCOUNTS = Path(__file__).resolve().parent / "demo_accounts.yaml"
PLACEHOLDER_SECRET = "development-only-desk-session-secret"


class DeskSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DESK_", extra="ignore", populate_by_name=True)

    environment: Literal["development", "test", "production"] = Field(
        "development", validation_alias="ENVIRONMENT"
    )
    http_host: str = "127.0.0.1"
    http_port: int = 9105
    # How people sign on: local accounts (development) or a header set by the municipality's
    # single sign-on proxy in front of the desk (production).
    sign_on: Literal["local", "trusted-header"] = "local"
    accounts_file: Path = DEMO_ACCOUNTS
    user_header: str = "X-Remote-User"
    name_header: str = "X-Remote-Name"
    teams_header: str = Field(
        "X-Remote-Groups", description="Comma-separated team names the proxy vouches for"
    )
    trusted_proxies: frozenset[str] = Field(
        frozenset({"127.0.0.1"}), description="Only these addresses may set the headers"
    )
    session_secret: SecretStr = SecretStr(PLACEHOLDER_SECRET)
    language: Literal["da", "en"] = "da"
    # How often the queues overview asks for fresh figures.
    refresh_seconds: float = Field(5.0, gt=0)

    @model_validator(mode="after")
    def _safe_in_production(self) -> DeskSettings:
        if self.environment != "production":
            return self
        if self.session_secret.get_secret_value() == PLACEHOLDER_SECRET:
            raise ValueError("DESK_SESSION_SECRET must be set in production")
        if self.sign_on == "local" and self.accounts_file == DEMO_ACCOUNTS:
            raise ValueError(
                "the demo accounts are refused in production: set DESK_SIGN_ON=trusted-header "
                "behind the single sign-on proxy, or DESK_ACCOUNTS_FILE"
            )
        return self

    @property
    def secure_cookies(self) -> bool:
        return self.environment == "production"
