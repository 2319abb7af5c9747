"""The limit: the same raw messages through the bus alone, one hop (produce, consume) and four
hops (three relay processes in between, each a service minus its work; the last consumer stands
for metrics, the fourth service on the pipeline's longest path)."""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer

from benchmarks.inquiry_mix import Message
from benchmarks.load import at_end, producer
from shared.bus import ensure_topics
from shared.settings import REPO_ROOT, ServiceSettings
from shared.topics import TopicNames


def _start_relay(bootstrap: str, source: str, sink: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.relay", source, sink],
        cwd=REPO_ROOT,
        env={**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    if process.stdout.readline().strip() != "ready":
        process.kill()
        raise RuntimeError(f"relay {source} -> {sink} did not start ({process.wait()})")
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
        for relay in relays:
            relay.terminate()
        for relay in relays:
            try:
                relay.wait(timeout=20)
            except subprocess.TimeoutExpired:
                relay.kill()
                relay.wait()
