"""A batch is read at once (its languages in one call): each message must become what it
becomes alone, and the batch must leave nothing behind for the garbage collector."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

import pytest
from aiokafka import ConsumerRecord

from demo.feed import RawInquiry, load_feed
from services.intake.handler import process_raw_batch
from services.intake.language import load_language_model
from services.intake.normalise import Read, Refused, read_messages
from shared.topics import TopicNames, raw_topic
from tests.intake_claims import ClaimsInMemory
from tests.intake_reading import read_one

NAMES = TopicNames("batch.")
SALT = "a-test-salt-of-some-length"
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def feed() -> list[RawInquiry]:
    return load_feed("batch")


def _headers(raw: RawInquiry) -> dict[str, str]:
    return {k: v.decode() for k, v in raw.headers}


def _alone(raw: RawInquiry) -> Read:
    return read_one(raw.channel, raw.body, salt=SALT, headers=_headers(raw), now=NOW)


def test_every_message_of_a_batch_becomes_what_it_becomes_alone(feed: list[RawInquiry]) -> None:
    messages = [(r.channel, r.body, _headers(r)) for r in feed]
    together = read_messages(messages, salt=SALT, now=NOW)
    assert any(isinstance(r, Refused) for r in together)  # the feed's malformed messages
    assert together == [_alone(raw) for raw in feed]


def test_a_batch_with_unreadable_messages_leaves_no_garbage_behind(
    feed: list[RawInquiry],
) -> None:
    """An error kept with its traceback holds the frames that read the batch, and so the whole
    batch, in a cycle that only a full collection frees: a service's memory and CPU grow."""
    records = [
        ConsumerRecord(NAMES(raw_topic(r.channel)), 0, n, 0, 0, None, r.body, None, 0, 0, r.headers)
        for n, r in enumerate(feed)
    ]
    load_language_model()
    gc.collect()
    gc.disable()
    try:
        batch = process_raw_batch(records, seen=ClaimsInMemory(), names=NAMES, salt=SALT)
        assert batch.outcomes.count(("letter", "dead_letter")) >= 1
        del batch
        assert gc.collect() == 0
    finally:
        gc.enable()
