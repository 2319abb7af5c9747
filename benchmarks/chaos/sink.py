"""The citizens' mail server, played by a local SMTP sink (aiosmtpd): it keeps every accepted
message's Message-ID with the moments it was accepted, and for a while refuses (451) or stalls
before refusing."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from email.parser import BytesParser
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller

ACCEPT, REFUSE, STALL = "accept", "refuse", "stall"


class SmtpSink:
    """Accepts every message unless told to refuse or stall. A stalled message is refused after
    the stall, never accepted late: a message the server accepts after the client gave up is
    SMTP's own ambiguity (docs/reliability.md), not something the pipeline could count once."""

    def __init__(self, port: int, *, stall_seconds: float = 20.0) -> None:
        self.port = port
        self.stall_seconds = stall_seconds
        self.mode = ACCEPT
        # time.monotonic() of each acceptance, by Message-ID: a repeat is set beside the faults.
        self.accepted_at: dict[str, list[float]] = {}
        self.refused = 0
        self.stalled = 0
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    @property
    def delivered(self) -> Counter[str]:
        """How often each Message-ID was accepted."""
        with self._lock:
            return Counter({message_id: len(t) for message_id, t in self.accepted_at.items()})

    @property
    def accepted(self) -> int:
        with self._lock:
            return sum(len(t) for t in self.accepted_at.values())

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.mode == STALL:
            self.stalled += 1
            await asyncio.sleep(self.stall_seconds)
            return "451 4.4.2 Timed out (chaos: stalled)"
        if self.mode == REFUSE:
            self.refused += 1
            return "451 4.3.0 Try again later (chaos: refusing)"
        message = BytesParser(policy=default).parsebytes(envelope.content, headersonly=True)
        message_id = str(message.get("Message-ID", "")).strip()
        with self._lock:
            self.accepted_at.setdefault(message_id, []).append(time.monotonic())
        return "250 2.0.0 OK"

    def repeated(self, since: float) -> dict[str, list[float]]:
        """The Message-IDs accepted more than once, each with its acceptances in seconds after
        `since` (a time.monotonic())."""
        with self._lock:
            return {
                message_id: [round(t - since, 1) for t in times]
                for message_id, times in self.accepted_at.items()
                if len(times) > 1
            }
