"""`python -m benchmarks.relay SOURCES SINKS`: a service minus its work, for the bus-only runs.

A batch from its consumer group; for every record read, the messages the service would send,
sent without waiting; all acknowledgements awaited, then the commit. SOURCES is a
comma-separated list of topics; SINKS one of `topic` or `topic=share` (`replies.sent=0.4` sends
one for two records in five), or `-` for a consumer that sends nothing, as metrics does.

`--group` names the consumer group; `--keyed` gives a record without a key one, as intake keys
every inquiry by its thread, so that the producers downstream run their partitioner as the
services' do; `--downstream` fetches as reply and metrics do (`DownstreamSettings`). Prints
`ready` once it holds partitions of all its topics.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from benchmarks.load import holding
from shared.bus import PRODUCER_SETTINGS
from shared.settings import DownstreamSettings, ServiceSettings


class Shares:
    """How many messages each sink gets for the next record: `share` of one on average, spread
    evenly, the same count for the same records in every run."""

    def __init__(self, sinks: Sequence[tuple[str, float]]) -> None:
        self.sinks = sinks
        self.owed = [0.0] * len(sinks)

    def next_record(self) -> list[str]:
        due = []
        for i, (topic, share) in enumerate(self.sinks):
            self.owed[i] += share
            while self.owed[i] >= 1.0 - 1e-9:
                self.owed[i] -= 1.0
                due.append(topic)
        return due


def parse_sinks(text: str) -> list[tuple[str, float]]:
    if text == "-":
        return []
    sinks = []
    for part in text.split(","):
        topic, _, share = part.partition("=")
        sinks.append((topic, float(share) if share else 1.0))
    return sinks


async def relay(
    sources: list[str],
    sinks: list[tuple[str, float]],
    *,
    group: str,
    keyed: bool,
    downstream: bool,
) -> None:
    settings = (DownstreamSettings if downstream else ServiceSettings)(service_name="relay")
    consumer = AIOKafkaConsumer(
        *sources,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_min_bytes=settings.batch_min_bytes,
        fetch_max_wait_ms=settings.batch_max_wait_ms,
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, **PRODUCER_SETTINGS
    )
    shares = Shares(sinks)
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    await consumer.start()
    await producer.start()
    try:
        await holding(consumer, topics=len(sources))
        print("ready", flush=True)
        while not stopping.is_set():
            batches = await consumer.getmany(
                timeout_ms=settings.batch_timeout_ms, max_records=settings.batch_max_records
            )
            futures = []
            for records in batches.values():
                for r in records:
                    key = r.key or (
                        f"{r.topic}/{r.partition}/{r.offset}".encode() if keyed else None
                    )
                    for sink in shares.next_record():
                        futures.append(
                            await producer.send(sink, r.value, key=key, headers=list(r.headers))
                        )
            if futures:
                await asyncio.gather(*futures)
            if batches:
                await consumer.commit()
    finally:
        await producer.stop()
        await consumer.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.relay", description=__doc__)
    parser.add_argument("sources")
    parser.add_argument("sinks")
    parser.add_argument("--group")
    parser.add_argument("--keyed", action="store_true")
    parser.add_argument("--downstream", action="store_true")
    args = parser.parse_args()
    sources = args.sources.split(",")
    asyncio.run(
        relay(
            sources,
            parse_sinks(args.sinks),
            group=args.group or f"{sources[0]}.relay",
            keyed=args.keyed,
            downstream=args.downstream,
        )
    )


if __name__ == "__main__":
    main()
