from __future__ import annotations

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

PLACEHOLDER_SALT = "change-me"


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore", populate_by_name=True)

    service_name: str = "intake"
    http_port: int = 9101
    cpr_salt: str = PLACEHOLDER_SALT

    @model_validator(mode="after")
    def _refuse_placeholder_salt(self) -> IntakeSettings:
        # A known salt makes the citizen key a lookup table of CPR numbers.
        if self.environment == "production" and (
            self.cpr_salt == PLACEHOLDER_SALT or len(self.cpr_salt) < 16
        ):
            raise ValueError(
                "INTAKE_CPR_SALT must be set to a secret of at least 16 characters in production"
            )
        return self
