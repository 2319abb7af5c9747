"""`python -m benchmarks.relay SOURCE SINK`: one hop of the bus-only baseline. It does what a
service does minus the work: a batch from its consumer group, every record sent on without waiting,
all acknowledgements awaited, then the commit. Prints `ready` once it holds its partitions."""

from __future__ import annotations

import asyncio
import signal
import sys

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from benchmarks.load import holding
from shared.bus import PRODUCER_SETTINGS
from shared.settings import ServiceSettings


async def relay(source: str, sink: str) -> None:
    settings = ServiceSettings(service_name="relay")
    consumer = AIOKafkaConsumer(
        source,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=f"{source}.relay",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, **PRODUCER_SETTINGS
    )
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    await consumer.start()
    await producer.start()
    try:
        await holding(consumer)
        print("ready", flush=True)
        while not stopping.is_set():
            batches = await consumer.getmany(
                timeout_ms=settings.batch_timeout_ms, max_records=settings.batch_max_records
            )
            futures = [
                await producer.send(sink, r.value, key=r.key, headers=list(r.headers))
                for records in batches.values()
                for r in records
            ]
            if futures:
                await asyncio.gather(*futures)
                await consumer.commit()
    finally:
        await producer.stop()
        await consumer.stop()


if __name__ == "__main__":
    asyncio.run(relay(sys.argv[1], sys.argv[2]))
