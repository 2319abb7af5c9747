"""Intake's one entry point: each raw message of a batch becomes exactly one outcome, the
canonical inquiry (`Normalised`), not an inquiry (`Ignored`), refused for a reason a person can
read (`Refused`), or stopped by a bug of ours (`Failed`).

The channels' readers are in `channels/`; the cleaning and CPR masking every inquiry gets is in
`canonical.py`. The bytes of attachments (and of a PDF letter) come back beside the inquiry for
intake's own store: only their metadata goes on the bus.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TypeVar

from services.intake.canonical import Normalised, canonical_inquiry, keep_whole_if_cut, safe_id
from services.intake.channels import read_draft
from services.intake.channels.draft import Draft, Ignored, Unreadable
from services.intake.language import DEFAULT_MIN_CONFIDENCE, detect_languages
from shared.vocabulary import Channel

__all__ = ["Failed", "Ignored", "Normalised", "RawMessage", "Read", "Refused", "read_messages"]

T = TypeVar("T")

RawMessage = tuple[Channel, bytes, Mapping[str, str]]  # a channel's payload, its Kafka headers


@dataclass(frozen=True)
class Refused:
    """A message that cannot be an inquiry; the reason is for a person."""

    reason: str


@dataclass(frozen=True)
class Failed:
    """A message that a bug of ours stopped: the error's type and where it happened, not its
    message (which may quote the content)."""

    error: str
    stack: str


Read = Normalised | Ignored | Refused | Failed


def _attempt(step: Callable[[], T]) -> T | Refused | Failed:
    # Outcomes, not the exceptions: a kept exception's frames would hold the whole batch, in a
    # cycle that only the garbage collector's full collections free.
    try:
        return step()
    except Unreadable as error:
        return Refused(str(error))
    except Exception as error:
        return Failed(type(error).__name__, "".join(traceback.format_tb(error.__traceback__)))


def _draft(
    channel: Channel, raw: bytes, headers: Mapping[str, str], *, salt: str, now: datetime
) -> Draft | Ignored:
    draft = read_draft(channel, raw, headers, now)
    if isinstance(draft, Ignored):
        return Ignored(draft.channel, safe_id(draft.channel_message_id, salt), draft.why)
    keep_whole_if_cut(draft, channel, raw)
    return draft


def read_messages(
    messages: Sequence[RawMessage],
    *,
    salt: str,
    now: datetime | None = None,
    min_language_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> list[Read]:
    """What each message became, in order. The batch's languages are found in one call, a
    fraction of the cost of one each; `now` is the arrival time of messages without their own."""
    now = now or datetime.now(UTC)
    drafts = [
        _attempt(partial(_draft, channel, raw, headers, salt=salt, now=now))
        for channel, raw, headers in messages
    ]
    samples = [d.language_sample for d in drafts if isinstance(d, Draft)]
    languages = iter(detect_languages(samples, min_confidence=min_language_confidence))
    return [
        _attempt(partial(canonical_inquiry, channel, draft, salt=salt, language=next(languages)))
        if isinstance(draft, Draft)
        else draft
        for (channel, _, _), draft in zip(messages, drafts, strict=True)
    ]
