"""`python -m benchmarks.delivery --bootstrap HOST:PORT`: what a transaction per batch costs.

One relay stage through `shared.delivery` (the code every service's subscribers run): N inquiry
events on a topic of three partitions, each relayed to another topic, once with transactions
(the default: outputs and offsets in one transaction per batch) and once without (publish,
confirm, commit: at least once). Prints inquiries a second and the relay's CPU per inquiry for
each, and the ratio of the rates. A quick
A/B of the mechanism alone, not of the pipeline (that is `make bench`).
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry

from shared.bus import Outgoing, ensure_topics, make_broker
from shared.delivery import Handled, Records, batch_subscriber, transactions
from shared.events import CitizenProfile, Inquiry, InquiryReceived
from shared.settings import ServiceSettings
from shared.topics import TRIAGE_STAGE, deadletter_topic
from shared.vocabulary import Channel, Language


def inquiry_received(text: str, thread_key: str | None = None) -> InquiryReceived:
    inquiry_id = uuid.uuid4()
    return InquiryReceived.caused_by(
        None,
        producer="intake",
        inquiry_id=inquiry_id,
        payload=Inquiry(
            channel=Channel.EMAIL,
            channel_message_id=f"<{inquiry_id}@example.dk>",
            received_at=datetime.now(UTC),
            text=text,
            language=Language.DA,
            citizen=CitizenProfile(email="borger@example.dk"),
            thread_key=thread_key or f"email:{inquiry_id}",
        ),
    )


def relay_broker(
    settings: ServiceSettings, relayed: Callable[[int], None] = lambda count: None
) -> KafkaBroker:
    """A stage in miniature: inquiry events of `in` relayed to `out` through shared.delivery,
    as every service's subscribers are; `relayed` hears of each committed batch."""
    broker = make_broker(settings, CollectorRegistry())

    @batch_subscriber(broker, settings, "in", stage=TRIAGE_STAGE)
    async def relay_inquiries(records: Records) -> Handled:
        events = [InquiryReceived.model_validate_json(r.value) for r in records]
        outgoing = [Outgoing("out", e, key=e.payload.thread_key) for e in events]
        return Handled(outgoing, [lambda: relayed(len(events))])

    return broker


async def relay_rate(bootstrap: str, count: int, *, transactional: bool) -> tuple[float, float]:
    """Events relayed a second, and this process's CPU microseconds an event."""
    settings = ServiceSettings(
        service_name="relay",
        kafka_bootstrap_servers=bootstrap,
        topic_prefix=f"dbench{uuid.uuid4().hex[:8]}.",
        kafka_transactions=transactional,
        topic_partitions=3,
    )
    await ensure_topics(settings, ["in", "out", deadletter_topic(TRIAGE_STAGE)])
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await producer.start()
    try:
        text = "Hej. Jeg har et spørgsmål om min ansøgning og hvornår jeg får svar. " * 4
        for _ in range(count):
            event = inquiry_received(text)
            await producer.send(f"{settings.topic_prefix}in", event.model_dump_json().encode())
        await producer.flush()
    finally:
        await producer.stop()

    total = 0
    done = asyncio.Event()

    def relayed(batch: int) -> None:
        nonlocal total
        total += batch
        if total >= count:
            done.set()

    broker = relay_broker(settings, relayed)
    async with transactions(broker, lambda: None):
        started, cpu = time.perf_counter(), time.process_time()
        await broker.start()
        try:
            await asyncio.wait_for(done.wait(), timeout=600)
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu
        finally:
            await broker.stop()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_topics([f"{settings.topic_prefix}{t}" for t in ("in", "out")])
    finally:
        await admin.close()
    return count / elapsed, cpu / count * 1e6


async def main(bootstrap: str, count: int, rounds: int) -> None:
    for _ in range(rounds):
        plain, plain_cpu = await relay_rate(bootstrap, count, transactional=False)
        transactional, transactional_cpu = await relay_rate(bootstrap, count, transactional=True)
        print(
            f"{count} inquiries: at least once {plain:,.0f}/s {plain_cpu:.0f} us CPU each, "
            f"transactions {transactional:,.0f}/s {transactional_cpu:.0f} us CPU each "
            f"({transactional / plain:.2f}x the rate)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("-n", "--count", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=2)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.bootstrap, arguments.count, arguments.rounds))
