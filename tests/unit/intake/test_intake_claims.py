"""A message becomes an inquiry through exactly one raw record: the record that claimed its
channel id. Read again after an aborted commit, that record publishes again (its first attempt
never showed); any other copy of the message is a duplicate, in whatever batch or order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiokafka import ConsumerRecord

from services.intake.handler import DUPLICATE, RECEIVED, process_raw_batch
from services.intake.settings import IntakeSettings
from services.intake.store import SeenMessages
from shared.database import make_engine
from shared.topics import TopicNames, raw_topic
from shared.vocabulary import Channel
from tests.conftest import migrated
from tests.unit.intake.samples import email_message

NAMES = TopicNames("claims.")
SALT = "a-test-salt-of-some-length"
MAIL = email_message("Hvornår hentes storskrald?", message_id="<k-1@example.dk>").as_bytes()


def _record(partition: int, offset: int, body: bytes = MAIL) -> ConsumerRecord[Any, Any]:
    topic = NAMES(raw_topic(Channel.EMAIL))
    return ConsumerRecord(topic, partition, offset, 0, 0, None, body, None, 0, len(body), [])


@pytest.fixture
def seen(tmp_path: Path) -> SeenMessages:
    return SeenMessages(
        make_engine(IntakeSettings(database_url=migrated(f"sqlite:///{tmp_path}/i.db")))
    )


def _outcomes(seen: SeenMessages, *records: ConsumerRecord[Any, Any]) -> list[str]:
    batch = process_raw_batch(list(records), seen=seen, names=NAMES, salt=SALT)
    return [outcome for _, outcome in batch.outcomes]


def test_the_claiming_record_publishes_again_and_every_copy_is_a_duplicate(
    seen: SeenMessages,
) -> None:
    claimant, copy = _record(0, 5), _record(1, 9)
    assert _outcomes(seen, claimant) == [RECEIVED]
    assert _outcomes(seen, claimant) == [RECEIVED]  # its commit was aborted: read again
    assert _outcomes(seen, copy) == [DUPLICATE]
    # The claimant behind a copy in one batch (the copy's partition was fetched first).
    assert _outcomes(seen, copy, claimant) == [DUPLICATE, RECEIVED]


def test_copies_in_one_batch_become_one_inquiry(seen: SeenMessages) -> None:
    assert _outcomes(seen, _record(0, 1), _record(0, 2), _record(1, 1)) == [
        RECEIVED,
        DUPLICATE,
        DUPLICATE,
    ]


def test_both_copies_publish_the_same_inquiry_id(seen: SeenMessages) -> None:
    first = process_raw_batch([_record(0, 5)], seen=seen, names=NAMES, salt=SALT)
    again = process_raw_batch([_record(0, 5)], seen=seen, names=NAMES, salt=SALT)
    assert [o.event.inquiry_id for o in first.outgoing] == [
        o.event.inquiry_id for o in again.outgoing
    ]
