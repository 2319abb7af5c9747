"""Where a partition given to an instance starts: after the stable committed offsets, and not at
all while they cannot be learnt (the consumer's own fetch may predate a completing transaction)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiokafka import ConsumerRecord, TopicPartition
from prometheus_client import CollectorRegistry

import shared.delivery
from shared.bus import make_broker
from shared.delivery import Delivery, Handled, OffsetsNotKnown, Records
from shared.settings import ServiceSettings

PARTITION = TopicPartition("in", 0)


def record(offset: int) -> ConsumerRecord[Any, Any]:
    return ConsumerRecord("in", 0, offset, 0, 0, None, b"", None, 0, 0, ())


class Coordinator:
    """The group coordinator as the stable offset fetch meets it: unreachable, then answering."""

    def __init__(self) -> None:
        self.answer: dict[TopicPartition, int | None] | None = None
        self.asked = 0

    async def __call__(self, client: Any, group: str, partitions: Any, *, timeout_s: float) -> Any:
        self.asked += 1
        if self.answer is None:
            raise TimeoutError(f"offsets of group {group} not stable after {timeout_s} s")
        return self.answer


@pytest.fixture
def coordinator(monkeypatch: pytest.MonkeyPatch) -> Coordinator:
    coordinator = Coordinator()
    monkeypatch.setattr(shared.delivery, "stable_committed", coordinator)
    return coordinator


def delivery(tmp_path: Path) -> Delivery:
    settings = ServiceSettings(state_dir=tmp_path, kafka_transactions=True)

    async def handler(records: Records) -> Handled:
        return Handled()

    made = Delivery(make_broker(settings, CollectorRegistry()), settings, handler, stage="reply")
    made._offsets_client = object()  # no broker: the fetch is faked
    made._producer = object()  # and the transactional producer taken as started
    return made


async def test_records_wait_while_their_partitions_committed_offsets_are_unknown(
    tmp_path: Path, coordinator: Coordinator
) -> None:
    given = delivery(tmp_path)
    await given.learn_committed({PARTITION})  # on assignment: no answer
    with pytest.raises(OffsetsNotKnown):
        await given.ensure_known([record(3), record(4)])
    coordinator.answer = {PARTITION: 4}
    await given.ensure_known([record(3), record(4)])
    assert [r.offset for r in given.not_committed([record(3), record(4), record(5)])] == [4, 5]
    asked = coordinator.asked
    await given.ensure_known([record(6)])  # known now: not asked again
    assert coordinator.asked == asked


async def test_partitions_learnt_on_assignment_are_not_asked_again(
    tmp_path: Path, coordinator: Coordinator
) -> None:
    coordinator.answer = {PARTITION: None}
    given = delivery(tmp_path)
    await given.learn_committed({PARTITION})
    await given.ensure_known([record(0)])
    assert coordinator.asked == 1
    assert [r.offset for r in given.not_committed([record(0)])] == [0]
