"""Effectively once on the real broker: a batch's outputs and offsets commit together or not at
all, a restarted instance fences the one it replaces, and a poison record is dead-lettered with
its bytes while the records after it go on (shared/delivery.py, docs/reliability.md)."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any, Literal

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, KafkaError

from benchmarks.delivery import inquiry_received, relay_broker
from shared.bus import ensure_topics
from shared.delivery import transactions
from shared.events import InquiryReceived
from shared.settings import ServiceSettings
from shared.topics import (
    INQUIRIES_RECEIVED,
    INQUIRIES_TRIAGED,
    TRIAGE_STAGE,
    deadletter_topic,
    queue_topic,
)
from shared.vocabulary import ALL_QUEUES
from tests.integration.conftest import Pipeline

pytestmark = pytest.mark.kafka

DEADLETTER = deadletter_topic(TRIAGE_STAGE)


def received(text: str) -> InquiryReceived:
    return inquiry_received(text, thread_key="email:one-conversation")


def unserialisable(event: InquiryReceived) -> bytes:
    """Valid JSON of a valid event that cannot be written back: a timestamp at year 1 with an
    offset reads fine and overflows when serialised (the issue's stalled consumer)."""
    body = json.loads(event.model_dump_json())
    body["payload"]["received_at"] = "0001-01-01T00:30:00+01:00"
    return json.dumps(body).encode()


async def produce(bootstrap: str, topic: str, values: list[bytes], key: bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for value in values:
            await producer.send(topic, value, key=key)
        await producer.flush()
    finally:
        await producer.stop()


async def read_topic(
    bootstrap: str,
    *topics: str,
    isolation: Literal["read_committed", "read_uncommitted"] = "read_committed",
    at_least: int = 0,
    quiet_s: float = 1.5,
    timeout: float = 60.0,
) -> list[bytes]:
    """Every record of the topics from the start, once `at_least` are there and none came for a
    while."""
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        isolation_level=isolation,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    values: list[bytes] = []
    try:
        deadline = time.monotonic() + timeout
        last_new = time.monotonic()
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for part in batch.values():
                values += [r.value for r in part]
                last_new = time.monotonic()
            if len(values) >= at_least and time.monotonic() - last_new > quiet_s:
                break
    finally:
        await consumer.stop()
    return values


def inquiry_ids(values: list[bytes]) -> list[str]:
    return [json.loads(v)["inquiry_id"] for v in values]


# ---- a stage in miniature: records of `in` relayed to `out` through shared.delivery ----------


def relay_settings(bootstrap: str, prefix: str) -> ServiceSettings:
    return ServiceSettings(
        service_name="relay",
        kafka_bootstrap_servers=bootstrap,
        topic_prefix=prefix,
        topic_partitions=1,
        instance_id="1",
        handler_attempts=2,
        retry_backoff_ms=10,
        retry_backoff_max_ms=200,
        batch_max_wait_ms=50,
    )


@asynccontextmanager
async def relay(settings: ServiceSettings, fenced: list[str]) -> AsyncIterator[None]:
    broker = relay_broker(settings)
    await ensure_topics(settings, ["in", "out", DEADLETTER])
    async with transactions(broker, lambda: fenced.append(settings.instance_id)):
        await broker.start()
        try:
            yield
        finally:
            await broker.stop()


async def to_relay(bootstrap: str, prefix: str, events: list[InquiryReceived]) -> None:
    """The events on the relay's `in` topic, one partition key for all: one batch's order."""
    await produce(bootstrap, f"{prefix}in", [e.model_dump_json().encode() for e in events], b"k")


async def until(condition: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def test_an_aborted_transaction_is_never_seen_and_its_batch_is_redone_once(
    kafka_bootstrap: str, topic_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first commit fails after its outputs reached the log: they show to a reader of
    uncommitted data only, and the redone batch puts each inquiry on `out` exactly once."""
    settings = relay_settings(kafka_bootstrap, topic_prefix)
    real_send_offsets = AIOKafkaProducer.send_offsets_to_transaction
    failed: list[bool] = []

    async def fail_once_after_sending(self: AIOKafkaProducer, *args: Any, **kwargs: Any) -> Any:
        if not failed:
            failed.append(True)
            await self.flush()  # the outputs are in the log, inside the open transaction
            raise KafkaError("the coordinator went away (injected)")
        return await real_send_offsets(self, *args, **kwargs)

    monkeypatch.setattr(AIOKafkaProducer, "send_offsets_to_transaction", fail_once_after_sending)
    events = [received(f"Spørgsmål nummer {i}") for i in range(20)]
    async with relay(settings, fenced=[]):
        await to_relay(kafka_bootstrap, topic_prefix, events)
        committed = await read_topic(kafka_bootstrap, f"{topic_prefix}out", at_least=20)
    everything = await read_topic(
        kafka_bootstrap, f"{topic_prefix}out", isolation="read_uncommitted", at_least=21
    )
    assert failed == [True]
    assert sorted(inquiry_ids(committed)) == sorted(str(e.inquiry_id) for e in events)
    # The aborted attempt did write records: a reader of uncommitted data sees them twice.
    assert len(everything) > len(committed)


async def test_a_commit_whose_answer_was_lost_is_not_redone(
    kafka_bootstrap: str, topic_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The transaction commits, but its answer never comes and the group coordinator cannot be
    asked either (its broker died): the batch is read again, and its records are found committed
    and not handled a second time."""
    settings = relay_settings(kafka_bootstrap, topic_prefix)
    real_commit = AIOKafkaProducer.commit_transaction
    lost: list[bool] = []

    async def commit_then_lose_the_answer(self: AIOKafkaProducer) -> None:
        await real_commit(self)
        if not lost:
            lost.append(True)
            raise KafkaConnectionError("the answer to EndTxn was lost (injected)")

    async def unanswered(self: AIOKafkaConsumer, tp: Any) -> Any:
        raise KafkaConnectionError("the group coordinator is gone (injected)")

    monkeypatch.setattr(AIOKafkaProducer, "commit_transaction", commit_then_lose_the_answer)
    monkeypatch.setattr(AIOKafkaConsumer, "committed", unanswered)
    first = [received(f"Før {i}") for i in range(10)]
    then = [received(f"Efter {i}") for i in range(5)]
    async with relay(settings, fenced=[]):
        await to_relay(kafka_bootstrap, topic_prefix, first)
        await until(lambda: bool(lost))
        await to_relay(kafka_bootstrap, topic_prefix, then)
        out = await read_topic(kafka_bootstrap, f"{topic_prefix}out", at_least=15)
    assert lost == [True]
    assert sorted(inquiry_ids(out)) == sorted(str(e.inquiry_id) for e in first + then)


async def test_a_transaction_aborted_for_its_age_is_redone_by_the_same_instance(
    kafka_bootstrap: str, topic_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transaction held open past its timeout (a broker died under it) is aborted by its
    coordinator, which bumps the producer's epoch: the commit is refused as if fenced. No newer
    instance exists, so the instance does not stop: a new producer redoes the batch, once."""
    settings = relay_settings(kafka_bootstrap, topic_prefix).model_copy(
        update={"transaction_timeout_ms": 1000}
    )
    real_commit = AIOKafkaProducer.commit_transaction
    refused: list[str] = []

    async def commit_after_the_timeout(self: AIOKafkaProducer) -> None:
        if refused:
            return await real_commit(self)
        # The broker looks for expired transactions every 10 s by default.
        await asyncio.sleep(15)
        try:
            await real_commit(self)
        except KafkaError as error:
            refused.append(type(error).__name__)
            raise

    monkeypatch.setattr(AIOKafkaProducer, "commit_transaction", commit_after_the_timeout)
    events = [received(f"Langsom {i}") for i in range(5)]
    fenced: list[str] = []
    async with relay(settings, fenced):
        await to_relay(kafka_bootstrap, topic_prefix, events)
        out = await read_topic(kafka_bootstrap, f"{topic_prefix}out", at_least=5)
    assert refused in (["ProducerFenced"], ["InvalidProducerEpoch"])
    assert fenced == []
    assert sorted(inquiry_ids(out)) == sorted(str(e.inquiry_id) for e in events)


async def test_a_restarted_instance_fences_its_predecessor(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    """Instance 1 keeps running after its replacement (same transactional id) started: its
    next commit is refused, it reports itself fenced, and nothing it made then shows; the
    replacement does that batch, once."""
    settings = relay_settings(kafka_bootstrap, topic_prefix)
    first, second = [received("før"), received("før igen")], [received("efter")]
    fenced: list[str] = []
    async with relay(settings, fenced):
        await to_relay(kafka_bootstrap, topic_prefix, first)
        await read_topic(kafka_bootstrap, f"{topic_prefix}out", at_least=2)
        # The replacement registers the same transactional id (its consumer not yet started).
        replacement = relay_broker(settings)
        async with transactions(replacement, lambda: fenced.append("replacement")):
            await to_relay(kafka_bootstrap, topic_prefix, second)
            await until(lambda: fenced == ["1"])
    async with relay(settings, fenced):
        out = await read_topic(kafka_bootstrap, f"{topic_prefix}out", at_least=3)
    assert fenced == ["1"]
    assert sorted(inquiry_ids(out)) == sorted(str(e.inquiry_id) for e in first + second)


# ---- the real triage service ------------------------------------------------------------------


@pytest.fixture(scope="module")
def triage(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    running = Pipeline(
        kafka_bootstrap,
        prefix=f"dl{uuid.uuid4().hex[:8]}.",
        state_dir=tmp_path_factory.mktemp("delivery"),
        settings={"RETRY_BACKOFF_MS": "20", "TOPIC_PARTITIONS": "1"},
    )
    running.start("triage")
    try:
        yield running
    finally:
        running.stop()


async def test_a_poison_record_is_dead_lettered_with_its_bytes_and_the_partition_moves_on(
    triage: Pipeline,
) -> None:
    before, poisoned, after = received("Nyt pas"), received("Pas igen"), received("Affald")
    poison = unserialisable(poisoned)
    await produce(
        triage.bootstrap,
        triage.topic(INQUIRIES_RECEIVED),
        [before.model_dump_json().encode(), poison, after.model_dump_json().encode()],
        key=b"phone:call-1",
    )
    dead = await read_topic(triage.bootstrap, triage.topic(DEADLETTER), at_least=1)
    triaged = await read_topic(triage.bootstrap, triage.topic(INQUIRIES_TRIAGED), at_least=2)

    assert len(dead) == 1
    letter = json.loads(dead[0])["dead_letter"]
    assert letter["stage"] == "triage"
    assert base64.b64decode(letter["original"]) == poison
    assert letter["source_topic"] == INQUIRIES_RECEIVED
    assert "failed on this record 3 times" in letter["reason"]
    assert "OverflowError" in letter["reason"] or "Serializ" in letter["reason"]
    assert sorted(inquiry_ids(triaged)) == sorted([str(before.inquiry_id), str(after.inquiry_id)])


async def test_a_kill_of_triage_in_full_flow_puts_no_inquiry_twice_on_a_queue(
    triage: Pipeline,
) -> None:
    """The issue's measurement in small: SIGKILL triage while inquiries flow, start it again;
    every inquiry is on exactly one queue once, and triaged once."""
    count = 3000
    events = [
        inquiry_received(f"Spørgsmål {i} om affald og pas", thread_key=f"email:kill-{i}")
        for i in range(count)
    ]
    producer = AIOKafkaProducer(bootstrap_servers=triage.bootstrap, linger_ms=5)
    await producer.start()
    try:
        for event in events:
            await producer.send(
                triage.topic(INQUIRIES_RECEIVED),
                event.model_dump_json().encode(),
                key=event.payload.thread_key.encode(),
            )
        await producer.flush()
    finally:
        await producer.stop()
    queues = [triage.topic(queue_topic(q)) for q in ALL_QUEUES]
    await read_topic(triage.bootstrap, *queues, at_least=400, quiet_s=0, timeout=120)
    process = triage.processes.pop("triage")
    process.kill()
    process.wait()
    triage.start("triage")

    expected = sorted({str(e.inquiry_id) for e in events})
    routed = inquiry_ids(await read_topic(triage.bootstrap, *queues, at_least=count, timeout=180))
    decided = inquiry_ids(
        await read_topic(triage.bootstrap, triage.topic(INQUIRIES_TRIAGED), at_least=count)
    )
    mine = set(expected)
    routed = [i for i in routed if i in mine]
    decided = [i for i in decided if i in mine]
    assert sorted(routed) == expected, "each inquiry on a queue exactly once"
    assert sorted(decided) == expected, "each inquiry triaged exactly once"
