"""Offering load to the pipeline and watching it come out: raw inquiries published as fast as
the producer can or at a fixed rate, and their arrival on the queue topics."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from benchmarks.inquiry_mix import InquiryMix, Message, Outcome
from shared.topics import INTAKE_STAGE, TopicNames, deadletter_topic, queue_topic, raw_topic
from shared.vocabulary import ALL_QUEUES

# The producer the channel adapters would use: acknowledged by the broker, batched a little.
PRODUCER_SETTINGS = {"acks": "all", "linger_ms": 5, "max_batch_size": 256 * 1024}


def producer(bootstrap: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(bootstrap_servers=bootstrap, **PRODUCER_SETTINGS)


async def publish_all(
    sink: AIOKafkaProducer, names: TopicNames, messages: Sequence[Message]
) -> dict[int, float]:
    """As fast as the producer can; returns each message's publish time (perf_counter)."""
    sent: dict[int, float] = {}
    futures = []
    for m in messages:
        sent.setdefault(m.number, time.perf_counter())
        futures.append(
            await sink.send(names(raw_topic(m.channel)), m.body, headers=list(m.headers))
        )
    await asyncio.gather(*futures)
    return sent


async def publish_paced(
    sink: AIOKafkaProducer, names: TopicNames, messages: Sequence[Message], rate: float
) -> dict[int, float]:
    """At `rate` messages a second. A message's publish time is when it was due, not when the
    harness got round to it, so a harness that falls behind cannot hide latency."""
    sent: dict[int, float] = {}
    futures = []
    start = time.perf_counter()
    for i, m in enumerate(messages):
        due = start + i / rate
        if (wait := due - time.perf_counter()) > 0:
            await asyncio.sleep(wait)
        sent.setdefault(m.number, due)
        futures.append(
            await sink.send(names(raw_topic(m.channel)), m.body, headers=list(m.headers))
        )
    await asyncio.gather(*futures)
    return sent


async def holding(consumer: AIOKafkaConsumer, *, topics: int = 1, timeout: float = 60.0) -> None:
    """Wait until the consumer holds partitions of `topics` of its topics."""
    deadline = time.monotonic() + timeout
    while len({tp.topic for tp in consumer.assignment()}) < topics:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no partitions of {consumer.subscription()} in {timeout} s")
        await asyncio.sleep(0.05)


async def at_end(consumer: AIOKafkaConsumer, *, topics: int = 1, timeout: float = 60.0) -> None:
    """Wait until the consumer holds partitions of all its topics, then move it to their end."""
    await holding(consumer, topics=topics, timeout=timeout)
    partitions = list(consumer.assignment())
    await consumer.seek_to_end(*partitions)
    for tp in partitions:
        await consumer.position(tp)


@dataclass
class Arrivals:
    """A consumer of every queue topic and of intake's dead letters, from their current end,
    outside any consumer group: it sees this benchmark's inquiries as a caseworker tool would."""

    bootstrap: str
    names: TopicNames
    mix: InquiryMix
    arrived: dict[int, float] = field(default_factory=dict)
    order: list[int] = field(default_factory=list)  # message numbers, first arrivals in order
    dead_letters: int = 0
    _consumer: AIOKafkaConsumer | None = None
    _task: asyncio.Task[None] | None = None

    async def start(self, timeout: float = 60.0) -> None:
        topics = [self.names(queue_topic(q)) for q in ALL_QUEUES]
        topics.append(self.names(deadletter_topic(INTAKE_STAGE)))
        consumer = AIOKafkaConsumer(
            *topics,
            bootstrap_servers=self.bootstrap,
            enable_auto_commit=False,
            isolation_level="read_committed",
            auto_offset_reset="latest",
            fetch_max_wait_ms=100,
            max_partition_fetch_bytes=4 * 1024 * 1024,
        )
        await consumer.start()
        try:
            await at_end(consumer, topics=len(topics), timeout=timeout)
        except TimeoutError:
            await consumer.stop()
            raise
        self._consumer = consumer
        self._task = asyncio.create_task(self._read(consumer))

    async def _read(self, consumer: AIOKafkaConsumer) -> None:
        dead_topic = self.names(deadletter_topic(INTAKE_STAGE))
        while True:
            batches = await consumer.getmany(timeout_ms=200, max_records=5000)
            now = time.perf_counter()
            for tp, records in batches.items():
                if tp.topic == dead_topic:
                    self.dead_letters += len(records)
                    continue
                for record in records:
                    number = self.mix.number_in(record.value or b"")
                    if number is not None and number not in self.arrived:
                        self.arrived[number] = now
                        self.order.append(number)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._consumer:
            await self._consumer.stop()

    def check(self) -> None:
        if self._task and self._task.done() and not self._task.cancelled():
            self._task.result()  # the reader failed: raise its error here


def expected(messages: Sequence[Message]) -> tuple[set[int], int]:
    """The message numbers that must arrive on a queue, and the number of dead letters."""
    inquiries = {m.number for m in messages if m.outcome is Outcome.INQUIRY}
    dead = sum(m.outcome is Outcome.DEAD_LETTER for m in messages)
    return inquiries, dead


def percentiles(values_ms: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values_ms)
    if not ordered:
        return {}

    def at(q: float) -> float:  # nearest rank
        return round(ordered[max(0, math.ceil(q * len(ordered)) - 1)], 1)

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": round(ordered[-1], 1)}
