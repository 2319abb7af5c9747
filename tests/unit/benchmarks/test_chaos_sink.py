"""The chaos run's mail server keeps when it accepted each message, so that an e-mail accepted
twice can be set beside the faults of the run."""

from __future__ import annotations

import time
from types import SimpleNamespace

from benchmarks.chaos.sink import SmtpSink


async def test_a_message_accepted_twice_is_listed_with_both_moments() -> None:
    sink = SmtpSink(port=0)
    since = time.monotonic()
    for message_id in ("<a@reply>", "<b@reply>", "<a@reply>"):
        envelope = SimpleNamespace(content=f"Message-ID: {message_id}\r\n\r\nbody".encode())
        assert await sink.handle_DATA(None, None, envelope) == "250 2.0.0 OK"

    repeated = sink.repeated(since)
    assert list(repeated) == ["<a@reply>"]
    assert len(repeated["<a@reply>"]) == 2
    assert all(0 <= t < 5 for t in repeated["<a@reply>"])
    assert sink.accepted == 3
