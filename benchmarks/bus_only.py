"""The limit: the same raw messages through the bus alone, one hop (produce, consume) and four
hops (three relay processes in between, each a service minus its work; the last consumer stands
for metrics, the fourth service on the pipeline's longest path); and through the pipeline's own
traffic, stand-ins for the four services that read and send what the services do and nothing
else."""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from benchmarks.end_to_end import broker_pid, process_cpu
from benchmarks.inquiry_mix import Message
from benchmarks.load import at_end, producer, publish_all
from shared.bus import ensure_topics
from shared.settings import REPO_ROOT, ServiceSettings
from shared.topics import (
    INQUIRIES_RECEIVED,
    INQUIRIES_TRIAGED,
    METRICS_STAGE,
    REPLIES_PLANNED,
    REPLIES_SENT,
    TopicNames,
    all_topics,
    outbox_topic,
    queue_topic,
    raw_topic,
)
from shared.vocabulary import CONTACT_CENTRE_QUEUE, Channel, ReplyChannel


def _start_relay(bootstrap: str, sources: str, sinks: str, *options: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.relay", sources, sinks, *options],
        cwd=REPO_ROOT,
        env={**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    if process.stdout.readline().strip() != "ready":
        process.kill()
        raise RuntimeError(f"relay {sources} -> {sinks} did not start ({process.wait()})")
    return process


async def _consumer_at_end(bootstrap: str, topic: str) -> AIOKafkaConsumer:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        fetch_max_wait_ms=100,
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )
    await consumer.start()
    await at_end(consumer)
    return consumer


async def _through(
    bootstrap: str, first: str, consumer: AIOKafkaConsumer, messages: Sequence[Message]
) -> float:
    """Publish all as fast as the producer can; seconds until the last arrived."""
    sink = producer(bootstrap)
    await sink.start()
    try:
        started = time.perf_counter()
        futures = [await sink.send(first, m.body, headers=list(m.headers)) for m in messages]
        arrived = 0
        while arrived < len(messages):
            batches = await consumer.getmany(timeout_ms=200, max_records=5000)
            arrived += sum(len(records) for records in batches.values())
            if time.perf_counter() - started > 300:
                raise TimeoutError(f"bus only: {arrived} of {len(messages)} arrived in 300 s")
        elapsed = time.perf_counter() - started
        await asyncio.gather(*futures)
        return elapsed
    finally:
        await sink.stop()


async def bus_only_rate(
    bootstrap: str, messages: Sequence[Message], *, hops: int, partitions: int, warm_up: int = 500
) -> float:
    """Messages a second through `hops` hops of the bus, same partitions as the pipeline."""
    settings = ServiceSettings(
        kafka_bootstrap_servers=bootstrap,
        topic_prefix=f"bus{uuid.uuid4().hex[:8]}.",
        topic_partitions=partitions,
    )
    names = TopicNames(settings.topic_prefix)
    topics = [names(f"hop{i}") for i in range(hops)]
    await ensure_topics(settings, [names.relative(t) for t in topics])
    relays = [_start_relay(bootstrap, a, b) for a, b in itertools.pairwise(topics)]
    consumer = await _consumer_at_end(bootstrap, topics[-1])
    try:
        await _through(bootstrap, topics[0], consumer, messages[:warm_up])
        elapsed = await _through(bootstrap, topics[0], consumer, messages)
        return len(messages) / elapsed
    finally:
        await consumer.stop()
        _stop(relays)


def _stop(relays: Sequence[subprocess.Popen[str]]) -> None:
    for relay in relays:
        relay.terminate()
    for relay in relays:
        try:
            relay.wait(timeout=20)
        except subprocess.TimeoutExpired:
            relay.kill()
            relay.wait()


@dataclass(frozen=True)
class StandIn:
    """A service minus its work (benchmarks/relay.py): what it reads, and what it sends for
    every record read."""

    service: str
    sources: tuple[str, ...]
    sinks: tuple[tuple[str, float], ...]
    options: tuple[str, ...] = ()

    def arguments(self, names: TopicNames, group: str) -> list[str]:
        sinks = ",".join(f"{names(t)}={share}" for t, share in self.sinks) or "-"
        return [",".join(names(t) for t in self.sources), sinks, "--group", group, *self.options]


# The pipeline's own traffic: every topic a service reads, and as many messages for each record
# read as the service sent on the benchmark's mix (the topics' end offsets after a run of
# 15,249 raw messages: 0.972 inquiries received a raw message, the rest dead letters and a
# resend; a routed copy and a decision for each; for each decision 0.99 plans, 0.41
# acknowledgements sent, 0.41 outbox messages, 0.23 callback tasks). Every routed copy goes to
# one queue topic and every outbox message to one outbox, where the pipeline spreads them over
# eleven and three: fewer partitions to batch for. The stand-ins send about 2 % more than the
# services (5.04 against 4.93 a raw message: no dead letters, no dropped resends), which the
# report prints side by side in every run.
PIPELINE_TRAFFIC = (
    StandIn(
        "intake",
        tuple(raw_topic(c) for c in Channel),
        ((INQUIRIES_RECEIVED, 1.0),),
        ("--keyed",),
    ),
    StandIn(
        "triage",
        (INQUIRIES_RECEIVED,),
        ((queue_topic(CONTACT_CENTRE_QUEUE), 1.0), (INQUIRIES_TRIAGED, 1.0)),
    ),
    StandIn(
        "reply",
        (INQUIRIES_TRIAGED,),
        (
            (REPLIES_PLANNED, 0.99),
            (REPLIES_SENT, 0.41),
            (outbox_topic(ReplyChannel.PHONE), 0.41),
            (queue_topic(CONTACT_CENTRE_QUEUE), 0.23),
        ),
        ("--downstream",),
    ),
    StandIn(
        "metrics",
        tuple(t.name for t in all_topics() if METRICS_STAGE in t.consumers),
        (),
        ("--downstream",),
    ),
)


async def _settled(
    admin: AIOKafkaAdminClient,
    probe: AIOKafkaConsumer,
    groups: Sequence[tuple[str, list[str]]],
    partitions: int,
) -> bool:
    """Every group has committed every record of its topics. Checked in the pipeline's order,
    each group's topics' ends read after the group before it was found done, so nothing can be
    on its way to a group already checked."""
    for group, topics in groups:
        ends = await probe.end_offsets(
            [TopicPartition(t, p) for t in topics for p in range(partitions)]
        )
        committed = await admin.list_consumer_group_offsets(group)
        if any(end > (committed[tp].offset if tp in committed else 0) for tp, end in ends.items()):
            return False
    return True


async def records_on(
    probe: AIOKafkaConsumer, names: TopicNames, topics: Iterable[str], partitions: int
) -> dict[str, int]:
    """Records on each topic (relative names) so far."""
    written = dict.fromkeys(topics, 0)
    ends = await probe.end_offsets(
        [TopicPartition(names(t), p) for t in written for p in range(partitions)]
    )
    for tp, end in ends.items():
        written[names.relative(tp.topic)] += end
    return written


def per_message(before: dict[str, int], after: dict[str, int], messages: int) -> dict[str, float]:
    """Records written to each topic per raw message offered, between two counts."""
    return {
        t: round((after[t] - before[t]) / messages, 3)
        for t in sorted(after)
        if after[t] > before[t]
    }


def sent_per_message(traffic: dict[str, float]) -> float:
    """Of a per-message account, what the services (or their stand-ins) sent."""
    return round(sum(n for t, n in traffic.items() if not t.startswith("intake.raw.")), 2)


async def pipeline_traffic_rate(
    bootstrap: str, messages: Sequence[Message], *, partitions: int, warm_up: int = 500
) -> dict[str, Any]:
    """The raw messages through stand-ins for the four services that send and read what the
    services do (PIPELINE_TRAFFIC) and do nothing else: raw messages a second until every
    stand-in has committed everything, and each process's CPU per raw message."""
    settings = ServiceSettings(
        kafka_bootstrap_servers=bootstrap,
        topic_prefix=f"traffic{uuid.uuid4().hex[:8]}.",
        topic_partitions=partitions,
    )
    names = TopicNames(settings.topic_prefix)
    topics = {t for s in PIPELINE_TRAFFIC for t in (*s.sources, *(sink for sink, _ in s.sinks))}
    await ensure_topics(settings, topics)
    groups = [(names(f"{i}.{s.service}"), s) for i, s in enumerate(PIPELINE_TRAFFIC)]
    stand_ins = {
        s.service: _start_relay(bootstrap, *s.arguments(names, group)) for group, s in groups
    }
    watched = [(group, [names(t) for t in s.sources]) for group, s in groups]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    probe = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    sink = producer(bootstrap)
    await admin.start()
    await probe.start()
    await sink.start()
    try:

        async def through(batch: Sequence[Message]) -> float:
            started = time.perf_counter()
            await publish_all(sink, names, batch)
            while not await _settled(admin, probe, watched, partitions):
                if time.perf_counter() - started > 300:
                    raise TimeoutError(f"pipeline traffic: {len(batch)} not through in 300 s")
                await asyncio.sleep(0.05)
            return time.perf_counter() - started

        await through(messages[:warm_up])
        pids = {name: p.pid for name, p in stand_ins.items()}
        if (pid := broker_pid(bootstrap)) is not None:
            pids["broker"] = pid
        before = {name: process_cpu(pid) for name, pid in pids.items()}
        before["benchmark"] = time.process_time()
        written = await records_on(probe, names, topics, partitions)
        elapsed = await through(messages)
        after = {name: process_cpu(pid) for name, pid in pids.items()}
        after["benchmark"] = time.process_time()
        now_written = await records_on(probe, names, topics, partitions)
        return {
            "per_s": round(len(messages) / elapsed),
            "cpu_us_per_inquiry": {
                name: round(1e6 * (after[name] - before[name]) / len(messages)) for name in after
            },
            # What the stand-ins sent per raw message, topic by topic: the traffic carried.
            "messages_per_inquiry": per_message(written, now_written, len(messages)),
        }
    finally:
        await sink.stop()
        await probe.stop()
        await admin.close()
        _stop(list(stand_ins.values()))
