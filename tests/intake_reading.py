"""One raw message through intake's entry point, for tests that read messages one at a time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from services.intake.normalise import Failed, Ignored, Normalised, Refused, read_messages
from shared.vocabulary import Channel


def read_one(
    channel: Channel,
    raw: bytes,
    *,
    salt: str,
    headers: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> Normalised | Ignored | Refused:
    """What the message became; a bug of ours fails the test with its stack."""
    [result] = read_messages([(channel, raw, headers or {})], salt=salt, now=now)
    if isinstance(result, Failed):
        raise AssertionError(f"intake failed ({result.error}), at:\n{result.stack}")
    return result
