from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings
from shared.vocabulary import Channel

PLACEHOLDER_SALT = "change-me"
PLACEHOLDER_KEY = "change-me"
MIN_SECRET_CHARS = 16
DEVELOPMENT_SMTP_PORT = 2525


class GatewayAdapter(BaseModel):
    """One system that posts to the HTTP gateway: its own key, and the channels it may post."""

    key: SecretStr
    channels: list[Channel] = Field(default_factory=lambda: list(Channel))


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore", populate_by_name=True)

    service_name: str = "intake"
    http_port: int = 9101
    cpr_salt: str = PLACEHOLDER_SALT
    language_min_confidence: float = Field(0.5, ge=0.0, le=1.0)

    # HTTP gateway, POST /v1/intake/{channel}. INTAKE_GATEWAY_ADAPTERS is JSON, e.g.
    # {"scanner": {"key": "...", "channels": ["letter"]}}. The size limit is the broker's:
    # a record larger than the producer's max_request_size (1 MiB by default) cannot be sent.
    # No adapter configured: the gateway refuses every request.
    gateway_adapters: dict[str, GatewayAdapter] = Field(default_factory=dict)
    gateway_max_bytes: int = Field(1_000_000, gt=0)
    # Keys made with `python -m services.intake keys` are read again this often (no restart).
    gateway_keys_refresh_seconds: float = Field(2.0, ge=0)
    # Requests a minute per adapter, unless its key names its own rate; over it: 429.
    gateway_rate_per_minute: int = Field(600, gt=0)
    # How long a retry with the same Idempotency-Key gets the first answer back.
    gateway_idempotency_hours: float = Field(24.0, gt=0)

    # SMTP receiver for the municipality's addresses. Unset, it listens on 2525 in development
    # and is not started elsewhere, so that test and benchmark pipelines never share a port.
    smtp_host: str = "127.0.0.1"
    smtp_port: int | None = Field(None, ge=0)
    smtp_hostname: str = "intake.localhost"
    smtp_recipients: list[str] = Field(
        default_factory=lambda: ["borgerservice@kk.dk"],
        description="Addresses accepted; '@domain' accepts the whole domain",
    )
    smtp_max_bytes: int = Field(1_000_000, gt=0)
    # STARTTLS with this certificate chain and key (PEM); then required before MAIL, unless
    # smtp_require_starttls is false. Unset: plain SMTP, for a receiver behind the municipality's
    # own relay on a private network.
    smtp_tls_cert_file: Path | None = None
    smtp_tls_key_file: Path | None = None
    smtp_require_starttls: bool = True

    # How long intake's store keeps what it holds (`python -m services.intake purge`):
    # originals (attachments, unmasked dead letters) long enough to replay or hand over, channel
    # ids long enough to recognise a resent message.
    originals_retention_days: float = Field(30, gt=0)
    seen_retention_days: float = Field(30, gt=0)

    @property
    def smtp_listen_port(self) -> int | None:
        if self.smtp_port is None:
            return DEVELOPMENT_SMTP_PORT if self.environment == "development" else None
        return self.smtp_port

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> IntakeSettings:
        if self.environment == "development":
            return self
        # A known salt makes the citizen key a lookup table of CPR numbers.
        if self.cpr_salt == PLACEHOLDER_SALT or len(self.cpr_salt) < MIN_SECRET_CHARS:
            raise ValueError(
                f"INTAKE_CPR_SALT must be set to a secret of at least {MIN_SECRET_CHARS} "
                f"characters outside development (ENVIRONMENT={self.environment})"
            )
        for name, adapter in self.gateway_adapters.items():
            key = adapter.key.get_secret_value()
            if key == PLACEHOLDER_KEY or len(key) < MIN_SECRET_CHARS:
                raise ValueError(
                    f"INTAKE_GATEWAY_ADAPTERS: the key of adapter {name!r} must be a secret of "
                    f"at least {MIN_SECRET_CHARS} characters outside development"
                )
        return self
