"""A failing handler is retried with back-off, then the batch is split until the records that
keep failing stand alone as dead letters; the rest of the batch is handled as usual."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from aiokafka import ConsumerRecord, TopicPartition
from prometheus_client import CollectorRegistry
from sqlalchemy.exc import OperationalError

from benchmarks.delivery import inquiry_received
from shared.bus import Outgoing, dead_letter, make_broker
from shared.delivery import (
    Attempts,
    Delivery,
    Handled,
    Records,
    failure_reason,
    first_offsets,
    handle_isolating_poison,
    next_offsets,
    still_ours,
)
from shared.events import DeadLettered
from shared.settings import ServiceSettings
from shared.topics import TopicNames
from tests.factories import consumed

ATTEMPTS = Attempts(limit=3, backoff_s=0.1, backoff_max_s=1.0)


class Handler:
    """Echoes each record's value; raises on any record whose value is in `poison`, or on the
    first `flaky` calls whatever they hold."""

    def __init__(self, poison: frozenset[bytes] = frozenset(), flaky: int = 0) -> None:
        self.poison = poison
        self.flaky = flaky
        self.calls: list[list[int]] = []

    async def __call__(self, records: Records) -> Handled:
        self.calls.append([r.offset for r in records])
        if self.flaky:
            self.flaky -= 1
            raise RuntimeError("passing fault")
        for r in records:
            if r.value in self.poison:
                raise ValueError(f"year 1 with an offset in {r.value!r}")
        return Handled(after_commit=[lambda: None] * len(records), outgoing=[], records=[])


def dead(record: ConsumerRecord[Any, Any], reason: str) -> Handled:
    return Handled(records=[{"offset": record.offset, "reason": reason, "value": record.value}])


async def run(
    handler: Handler, records: list[ConsumerRecord[Any, Any]]
) -> tuple[Handled, list[float]]:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    handled = await handle_isolating_poison(
        records, handler, stage="triage", dead_letter_of=dead, attempts=ATTEMPTS, sleep=sleep
    )
    return handled, slept


async def test_a_healthy_batch_is_handled_in_one_call_without_waiting() -> None:
    handler = Handler()
    handled, slept = await run(handler, [consumed(b"ok", offset=i) for i in range(10)])
    assert handler.calls == [list(range(10))]
    assert slept == []
    assert len(handled.after_commit) == 10


async def test_a_passing_fault_is_retried_with_growing_back_off_and_nothing_is_dead_lettered() -> (
    None
):
    handler = Handler(flaky=2)
    handled, slept = await run(handler, [consumed(b"ok", offset=i) for i in range(4)])
    assert handler.calls == [[0, 1, 2, 3]] * 3
    assert handled.records == []
    assert len(handled.after_commit) == 4
    assert len(slept) == 2
    assert 0.05 <= slept[0] <= 0.1
    assert 0.1 <= slept[1] <= 0.2


async def test_one_poison_record_is_dead_lettered_with_its_bytes_and_the_others_are_handled() -> (
    None
):
    handler = Handler(poison=frozenset({b"bad"}))
    records = [consumed(b"bad" if i == 5 else b"ok", offset=i) for i in range(16)]
    handled, slept = await run(handler, records)
    assert [d["offset"] for d in handled.records] == [5]
    assert handled.records[0]["value"] == b"bad"
    assert (
        "triage failed on this record 3 times (ValueError: year 1" in handled.records[0]["reason"]
    )
    # Every other record handled exactly once in the end.
    assert len(handled.after_commit) == 15
    # The batch's tries, then halves, then the lone record's own tries: bounded, never a loop.
    assert handler.calls[:3] == [list(range(16))] * 3
    assert handler.calls.count([5]) == 3
    assert len(handler.calls) < 3 + 2 * 4 + 3
    # Back-off between the batch's tries; the lone record's further tries follow at once.
    assert len(slept) == 2


async def test_several_poison_records_in_one_batch_are_each_dead_lettered() -> None:
    handler = Handler(poison=frozenset({b"bad"}))
    records = [consumed(b"bad" if i in (0, 7, 8) else b"ok", offset=i) for i in range(9)]
    handled, _ = await run(handler, records)
    assert [d["offset"] for d in handled.records] == [0, 7, 8]
    assert len(handled.after_commit) == 6


async def test_an_infrastructure_failure_is_never_dead_lettered() -> None:
    async def database_down(records: Records) -> Handled:
        raise OperationalError("insert", {}, ConnectionRefusedError("database is down"))

    with pytest.raises(OperationalError):
        await handle_isolating_poison(
            [consumed(b"ok", offset=0)],
            database_down,
            stage="reply",
            dead_letter_of=dead,
            attempts=ATTEMPTS,
        )


def test_back_off_doubles_up_to_its_ceiling() -> None:
    attempts = Attempts(limit=3, backoff_s=1.0, backoff_max_s=5.0)
    assert 0.5 <= attempts.delay(1) <= 1.0
    assert 2.0 <= attempts.delay(3) <= 4.0
    assert 2.5 <= attempts.delay(10) <= 5.0


def test_the_reason_names_the_stage_the_error_and_the_attempts() -> None:
    reason = failure_reason("intake", ValueError("year 0 is out of range\nmore"), 3)
    assert reason == "intake failed on this record 3 times (ValueError: year 0 is out of range)"


def test_offsets_resume_after_the_last_record_of_each_partition() -> None:
    records = [
        consumed(b"", offset=4, partition=0),
        consumed(b"", offset=7, partition=0),
        consumed(b"", offset=2, partition=1),
    ]
    assert {(tp.partition, o) for tp, o in next_offsets(records).items()} == {(0, 8), (1, 3)}
    assert {(tp.partition, o) for tp, o in first_offsets(records).items()} == {(0, 4), (1, 2)}


def test_a_dead_letter_keeps_the_original_bytes_for_replay() -> None:
    original = b'{"received_at": "0001-01-01T00:00:00+01:00"}'
    letter = dead_letter(
        "intake", consumed(original, offset=3), "why", TopicNames("p."), producer="intake"
    )
    assert isinstance(letter, Outgoing)
    assert isinstance(letter.event, DeadLettered)
    on_the_bus = json.loads(letter.event.model_dump_json())["dead_letter"]
    assert base64.b64decode(on_the_bus["original"]) == original
    assert on_the_bus["stage"] == "intake"
    assert letter.topic == "deadletter.intake"


async def test_an_event_too_large_for_a_kafka_record_is_its_records_fault(tmp_path: Path) -> None:
    """Refused by the producer at every commit, it would stall the partition: it is found while
    the record is handled, so the record is isolated and dead-lettered like any poison."""
    settings = ServiceSettings(state_dir=tmp_path, topic_prefix="big.", retry_backoff_ms=0)
    huge = inquiry_received("Meget lang tekst. " * 70_000)

    async def relay(records: Records) -> Handled:
        return Handled([Outgoing("out", huge, key="k")])

    delivery = Delivery(make_broker(settings, CollectorRegistry()), settings, relay, stage="triage")
    handled = await handle_isolating_poison(
        [consumed(b"{}", offset=0)],
        delivery._handle,
        stage="triage",
        dead_letter_of=delivery._dead_letter,
        attempts=ATTEMPTS,
    )
    [letter] = handled.outgoing
    assert isinstance(letter.event, DeadLettered)
    assert "larger than a Kafka record may be" in letter.event.dead_letter.reason
    assert handled.records[0]["topic"] == "big.deadletter.triage"


class Consumer:
    """The two questions `still_ours` asks an AIOKafkaConsumer."""

    def __init__(self, positions: dict[int, int]) -> None:
        self.positions = {TopicPartition("in", p): o for p, o in positions.items()}

    def assignment(self) -> set[TopicPartition]:
        return set(self.positions)

    async def position(self, tp: TopicPartition) -> int:
        return self.positions[tp]


async def test_records_of_a_partition_lost_or_rewound_in_a_rebalance_are_not_handled() -> None:
    records = [
        consumed(b"", offset=4, partition=0),
        consumed(b"", offset=5, partition=0),
        consumed(b"", offset=9, partition=1),
        consumed(b"", offset=2, partition=2),
    ]
    # Partition 0 still ours past the batch; 1 given back and rewound to 7; 2 taken away.
    kept = await still_ours(Consumer({0: 6, 1: 7}), records)
    assert [(r.partition, r.offset) for r in kept] == [(0, 4), (0, 5)]
