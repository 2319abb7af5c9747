"""What the gateway checks before it reads a request: a per-adapter rate (429 with Retry-After)
and the standard Idempotency-Key header (a retry gets the first answer, not a second inquiry)."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class RateLimits:
    """A token bucket per adapter: a minute's allowance as burst, refilled evenly."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.buckets: dict[str, tuple[float, float]] = {}  # adapter -> (tokens, at)

    def wait_for(self, adapter: str, per_minute: int) -> int:
        """0 if the request may go now (a token is taken), else whole seconds to wait."""
        now = self.clock()
        tokens, at = self.buckets.get(adapter, (float(per_minute), now))
        tokens = min(float(per_minute), tokens + (now - at) * per_minute / 60)
        if tokens >= 1:
            self.buckets[adapter] = (tokens - 1, now)
            return 0
        self.buckets[adapter] = (tokens, now)
        return max(1, math.ceil((1 - tokens) * 60 / per_minute))


class IdempotencyConflict(Exception):
    """The key is in use by a request still running (409) or was used for another body (422)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class _Entry:
    body_sha256: str
    answer: Any | None  # None while the first request runs
    at: float


class IdempotentAnswers:
    """The accepted answer per (adapter, Idempotency-Key), for `ttl_seconds`, bounded in size.

    Kept in the process: after a restart a retry is published again, and intake's own memory of
    the channel's ids (or the key, used as the id) keeps it from becoming a second inquiry."""

    def __init__(
        self,
        ttl_seconds: float,
        max_entries: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self.clock = clock
        self.entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()

    def begin(self, adapter: str, key: str, body_sha256: str) -> Any | None:
        """The first answer for a retry; None for a new request (then `finish` it)."""
        now = self.clock()
        entry = self.entries.get((adapter, key))
        if entry is not None and now - entry.at > self.ttl:
            entry = None
        if entry is None:
            self.entries[(adapter, key)] = _Entry(body_sha256, None, now)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)
            return None
        if entry.body_sha256 != body_sha256:
            raise IdempotencyConflict(422, "this Idempotency-Key was used for a different body")
        if entry.answer is None:
            raise IdempotencyConflict(409, "a request with this Idempotency-Key is still running")
        return entry.answer

    def finish(self, adapter: str, key: str, answer: Any | None) -> None:
        """Keep an accepted answer; forget the key when the request failed, so it can be retried."""
        if answer is None:
            self.entries.pop((adapter, key), None)
        elif (entry := self.entries.get((adapter, key))) is not None:
            entry.answer = answer
