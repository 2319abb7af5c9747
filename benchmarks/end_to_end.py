"""The pipeline end to end: the four services as processes, raw inquiries in, their arrival on
the queue topics and the metrics service's counts out."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.inquiry_mix import InquiryMix, Message
from benchmarks.load import (
    Arrivals,
    expected,
    percentiles,
    producer,
    publish_all,
    publish_paced,
)
from benchmarks.pipeline import SERVICES, Pipeline
from benchmarks.report import load_average
from shared.groups import GroupLag
from shared.topics import TopicNames

# What the metrics service counts once per inquiry (or dead letter), by the design. The run is done
# when these have grown by the run's inquiries and every consumer group of the pipeline has read
# and committed everything: replies planned, counted, nothing left in flight.
# Seconds without progress after which a run is taken for stuck.
STALL = 90.0
COUNTED_PER_INQUIRY = ("inquiries_received_total", "inquiries_triaged_total")


@dataclass
class Running:
    pipeline: Pipeline
    arrivals: Arrivals
    names: TopicNames
    mix: InquiryMix
    lag: GroupLag
    cursor: int = 0  # the next message number: no id is ever offered twice

    def take(self, count: int) -> list[Message]:
        messages = self.mix.messages(self.cursor, count)
        self.cursor += count
        return messages

    async def counts(self) -> dict[str, float]:
        counted = {
            name: await self.pipeline.metric("metrics", name) for name in COUNTED_PER_INQUIRY
        }
        counted["dead_letters_total"] = await self.pipeline.metric(
            "metrics", "dead_letters_total", stage="intake"
        )
        return counted

    async def wait_done(
        self, messages: Sequence[Message], before: dict[str, float], *, stall: float = STALL
    ) -> tuple[float, float]:
        """When the last inquiry reached its queue, and when all were counted (perf_counter).
        Gives up when nothing moved for `stall` seconds: a slow pipeline is measured, a stuck
        one is reported."""
        numbers, dead = expected(messages)
        remaining = set(numbers)
        seen = 0
        moved = time.perf_counter()
        while remaining:
            self.arrivals.check()
            order = self.arrivals.order
            if len(order) > seen:
                remaining.difference_update(order[seen:])
                seen, moved = len(order), time.perf_counter()
            elif time.perf_counter() - moved > stall:
                lost = Counter(m.channel.value for m in messages if m.number in remaining)
                raise TimeoutError(
                    f"{len(remaining)} of {len(numbers)} inquiries not on a queue, none arrived "
                    f"for {stall:.0f} s (by channel: {dict(lost)}; see the services' logs)"
                )
            await asyncio.sleep(0.05)
        queued = max(self.arrivals.arrived[n] for n in numbers)
        wanted = {name: before[name] + len(numbers) for name in COUNTED_PER_INQUIRY}
        wanted["dead_letters_total"] = before["dead_letters_total"] + dead
        last: object = None
        moved = time.perf_counter()
        while True:
            now = await self.counts()
            short = {k: wanted[k] - now[k] for k in wanted if now[k] < wanted[k]}
            lag = {group: n for group, n in (await self.lag()).items() if n} if not short else {}
            if not short and not lag:
                return queued, time.perf_counter()
            if (short, lag) != last:
                last, moved = (short, lag), time.perf_counter()
            elif time.perf_counter() - moved > stall:
                raise TimeoutError(
                    f"for {stall:.0f} s the metrics service has been short of {short}, "
                    f"records not yet committed by the consumer groups: {lag}"
                )
            await asyncio.sleep(0.1)


@asynccontextmanager
async def running_pipeline(
    bootstrap: str,
    mix: InquiryMix,
    *,
    partitions: int,
    triage_instances: int = 1,
    settings: dict[str, str] | None = None,
) -> AsyncIterator[Running]:
    prefix = f"bench{uuid.uuid4().hex[:8]}."
    with tempfile.TemporaryDirectory(prefix="bench-") as state:
        pipeline = Pipeline(
            bootstrap,
            prefix=prefix,
            state_dir=Path(state),
            settings={"TOPIC_PARTITIONS": str(partitions), **(settings or {})},
        )
        arrivals = Arrivals(bootstrap, TopicNames(prefix), mix)
        lag = GroupLag(bootstrap, prefix)
        try:
            pipeline.start(*SERVICES, *(f"triage-{i}" for i in range(2, triage_instances + 1)))
            await arrivals.start()
            await lag.start()
            running = Running(pipeline, arrivals, TopicNames(prefix), mix, lag)
            # One copy of the feed first: consumer groups joined, caches and models warm.
            await offer(running, len(mix.feed), rate=None)
            yield running
        finally:
            await lag.stop()
            await arrivals.stop()
            pipeline.stop()


HANDLER_SECONDS = "faststream_received_processed_messages_duration_seconds_sum"
HANDLER_MESSAGES = "faststream_received_messages_total"


def process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def broker_pid(bootstrap: str) -> int | None:
    """The pid listening on the broker's port, when the broker runs on this machine."""
    host, _, port = bootstrap.split(",", maxsplit=1)[0].rpartition(":")
    if host not in ("127.0.0.1", "localhost"):
        return None
    try:
        listening = subprocess.run(
            ["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True, check=False
        ).stdout
    except OSError:
        return None
    found = re.search(r"pid=(\d+)", listening)
    return int(found.group(1)) if found else None


async def _accounts(running: Running) -> dict[str, dict[str, float]]:
    """CPU seconds of every process, and seconds and messages in each service's handlers
    (FastStream's Prometheus middleware, which every service's broker carries)."""
    pipeline = running.pipeline
    accounts = {
        instance: {
            "cpu": cpu,
            "handler_seconds": await pipeline.metric(instance, HANDLER_SECONDS),
            "messages": await pipeline.metric(instance, HANDLER_MESSAGES),
        }
        for instance, cpu in pipeline.cpu_seconds().items()
    }
    accounts["benchmark"] = {"cpu": time.process_time()}
    if (pid := broker_pid(pipeline.bootstrap)) is not None:
        accounts["broker"] = {"cpu": process_cpu(pid)}
    return accounts


def _spent(
    before: dict[str, dict[str, float]], after: dict[str, dict[str, float]], inquiries: int
) -> dict[str, dict[str, float]]:
    """Per process: CPU microseconds per inquiry, and for a service the time its handlers took
    per message read (waiting for the broker's acknowledgements included)."""
    spent: dict[str, dict[str, float]] = {}
    for name, now in after.items():
        was = before.get(name, {})
        row: dict[str, float] = {
            "cpu_us_per_inquiry": round(1e6 * (now["cpu"] - was.get("cpu", 0)) / inquiries)
        }
        if "messages" in now:
            messages = now["messages"] - was.get("messages", 0)
            seconds = now["handler_seconds"] - was.get("handler_seconds", 0)
            row["messages"] = int(messages)
            row["handler_us_per_message"] = round(1e6 * seconds / messages) if messages else 0
        spent[name] = row
    return spent


async def offer(running: Running, count: int, *, rate: float | None) -> dict[str, Any]:
    """Offer `count` inquiries (as fast as possible, or at `rate` a second) and wait for all."""
    messages = running.take(count)
    before = await running.counts()
    accounts = await _accounts(running)
    sink = producer(running.pipeline.bootstrap)
    await sink.start()
    load_before = load_average()
    try:
        started = time.perf_counter()
        if rate is None:
            sent = await publish_all(sink, running.names, messages)
        else:
            sent = await publish_paced(sink, running.names, messages, rate)
        published = time.perf_counter()
    finally:
        await sink.stop()
    queued, counted = await running.wait_done(messages, before)
    numbers, _ = expected(messages)
    latencies = [1000 * (running.arrivals.arrived[n] - sent[n]) for n in numbers]
    spent = _spent(accounts, await _accounts(running), count)
    return {
        "offered": count,
        "inquiries": len(numbers),
        "publish_seconds": round(published - started, 2),
        "queued_seconds": round(queued - started, 2),
        "counted_seconds": round(counted - started, 2),
        "latency_ms": percentiles(latencies),
        "processes": spent,
        # The higher of the two: the load this figure was measured under.
        "load": max(load_before, load_average()),
    }
