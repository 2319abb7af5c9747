"""The bus-only stand-ins' arithmetic: how many messages a sink gets for the records read."""

from __future__ import annotations

import itertools

from benchmarks.bus_only import per_message, sent_per_message
from benchmarks.relay import Shares, parse_sinks


def test_a_share_sends_that_many_messages_spread_evenly() -> None:
    shares = Shares([("planned", 0.99), ("sent", 0.41), ("received", 1.0)])
    sent = [shares.next_record() for _ in range(1000)]
    assert sum(s.count("planned") for s in sent) == 990
    assert sum(s.count("sent") for s in sent) == 410
    assert all(s.count("received") == 1 for s in sent)
    # Evenly: never two acknowledgements for two records in a row at 0.41.
    ticks = [s.count("sent") for s in sent]
    assert not any(a and b for a, b in itertools.pairwise(ticks))


def test_sinks_are_topics_with_an_optional_share_or_none() -> None:
    assert parse_sinks("replies.sent=0.4,inquiries.received") == [
        ("replies.sent", 0.4),
        ("inquiries.received", 1.0),
    ]
    assert parse_sinks("-") == []


def test_what_was_sent_per_raw_message_leaves_the_raw_messages_out() -> None:
    before = {"intake.raw.chat": 10, "inquiries.received": 10, "replies.sent": 0}
    after = {"intake.raw.chat": 30, "inquiries.received": 29, "replies.sent": 8}
    traffic = per_message(before, after, 20)
    assert traffic == {"inquiries.received": 0.95, "intake.raw.chat": 1.0, "replies.sent": 0.4}
    assert sent_per_message(traffic) == 1.35
