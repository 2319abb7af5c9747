"""An intake seen-id store in memory, for tests that read batches without a database: the
first record to claim a message id keeps it, as in `services.intake.store.SeenMessages`."""

from __future__ import annotations

from collections.abc import Sequence

from services.intake.store import Claim


class ClaimsInMemory:
    def __init__(self) -> None:
        self.claimants: dict[tuple[str, str], str] = {}

    def claim(self, claims: Sequence[Claim]) -> dict[tuple[str, str], str | None]:
        for c in claims:
            self.claimants.setdefault((c.channel, c.channel_message_id), c.record)
        return {
            (c.channel, c.channel_message_id): self.claimants[(c.channel, c.channel_message_id)]
            for c in claims
        }
