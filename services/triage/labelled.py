"""An inquiry with the labels an expert or a caseworker gave it: what triage learns from (the
corpus, caseworkers' corrections) and is measured on (the evaluation set, the demo feed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shared.events import CitizenProfile, Inquiry
from shared.vocabulary import Channel, Language


@dataclass(frozen=True)
class LabelledInquiry:
    """One inquiry's words with its complexity and department, and what else is labelled."""

    key: str  # a corpus line's id, or the corrected inquiry's
    channel: str
    language: str
    subject: str | None
    text: str
    complexity: str
    department: str
    origin: str = ""
    service: str = ""
    # The reply-channel rule's inputs and the expected reply channel, where labelled: the
    # corpus labels the first two (from its service, or the base text's tag), the evaluation
    # set all of them, for the citizen profile it attaches.
    written_decision: bool | None = None
    self_service: bool | None = None
    digitally_ready: bool | None = None
    reply_channel: str | None = None
    citizen: dict[str, Any] | None = None
    corrected_by_event: str | None = None  # the caseworker's reroute a correction came from

    def inquiry(self) -> Inquiry:
        return Inquiry(
            channel=Channel(self.channel),
            channel_message_id=self.key,
            received_at=datetime(2026, 1, 1, tzinfo=UTC),
            text=self.text,
            subject=self.subject,
            language=Language(self.language) if self.language in ("da", "en") else Language.OTHER,
            citizen=CitizenProfile.model_validate(self.citizen or {}),
            thread_key=self.key,
        )
