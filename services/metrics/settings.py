from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class MetricsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="METRICS_", extra="ignore", populate_by_name=True)

    service_name: str = "metrics"
    http_port: int = 9104
    # Event ids remembered to skip redeliveries; a redelivery comes within one rebalance.
    remembered_event_ids: int = 200_000
