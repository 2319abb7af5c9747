from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings
from shared.vocabulary import Language, ReplyChannel

DATA_DIR = Path(__file__).resolve().parent / "data"

# Relative handling cost of answering by each channel (phone = 1.0), docs/design.md.
DEFAULT_REPLY_CHANNEL_COSTS: dict[ReplyChannel, float] = {
    ReplyChannel.SELF_SERVICE: 0.2,
    ReplyChannel.PHONE: 1.0,
    ReplyChannel.CHAT: 2.0,
    ReplyChannel.EMAIL: 3.0,
    ReplyChannel.DIGITAL_POST: 3.0,
    ReplyChannel.LETTER: 4.0,
    ReplyChannel.IN_PERSON: 5.0,
}


class TriageSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TRIAGE_", extra="ignore", populate_by_name=True)

    service_name: str = "triage"
    http_port: int = 9102
    catalogue_path: Path = DATA_DIR / "catalogue.yaml"
    # How long the words of triaged inquiries are kept for learning from caseworkers' reroutes
    # (`python -m services.triage purge`; docs/privacy.md).
    inquiry_retention_days: float = Field(180, gt=0)
    model_path: Path = DATA_DIR / "model.joblib"
    # A candidate model that runs beside the live one, its disagreements counted, before it is
    # promoted (copied to model_path). None: no shadow.
    shadow_model_path: Path | None = None
    # Below this decision confidence an inquiry is `undetermined` and goes to manual triage.
    # None: the threshold `make train` chose on the validation split (0.5 for keywords).
    abstain_below: float | None = Field(None, ge=0.0, le=1.0)
    reply_channel_costs: dict[ReplyChannel, float] = Field(
        default_factory=lambda: dict(DEFAULT_REPLY_CHANNEL_COSTS)
    )
    offered_reply_channels: frozenset[ReplyChannel] = frozenset(ReplyChannel)
    # The language of the reasons a caseworker reads: Danish, or English when asked.
    reason_language: Language = Language.DA
