"""The stable offset fetch on the real broker: while a transaction commits a group's offsets, the
plain fetch (aiokafka's) still answers with the offsets before it, and the stable one waits; an
instance given a partition then starts after what the transaction committed."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.client import AIOKafkaClient
from faststream.kafka import KafkaBroker

from shared.delivery import Delivery, Handled, Records
from shared.settings import ServiceSettings
from shared.stable_offsets import stable_committed
from tests.factories import consumed
from tests.integration.conftest import create_topic

pytestmark = pytest.mark.kafka


async def test_offsets_a_transaction_commits_are_stable_only_once_it_ends(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic, group = f"{topic_prefix}inquiries", f"{topic_prefix}reply"
    await create_topic(kafka_bootstrap, topic, partitions=1)
    partition = TopicPartition(topic, 0)
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, transactional_id=f"{topic_prefix}reply.1"
    )
    client = AIOKafkaClient(bootstrap_servers=kafka_bootstrap)
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    await client.bootstrap()
    await admin.start()
    try:
        async with producer.transaction():
            await producer.send_offsets_to_transaction({partition: 3}, group)
        first = await stable_committed(client, group, [partition], timeout_s=10)

        await producer.begin_transaction()
        await producer.send_offsets_to_transaction({partition: 7}, group)
        plain_while_open = await admin.list_consumer_group_offsets(group, partitions=[partition])
        with pytest.raises(TimeoutError):
            await stable_committed(client, group, [partition], timeout_s=1)
        await producer.commit_transaction()
        after = await stable_committed(client, group, [partition], timeout_s=10)
        nothing = await stable_committed(client, f"{topic_prefix}other", [partition], timeout_s=10)
    finally:
        await admin.close()
        await client.close()
        await producer.stop()

    assert first == {partition: 3}
    assert plain_while_open[partition].offset == 3  # what a new owner would start from
    assert after == {partition: 7}
    assert nothing == {partition: None}


async def test_an_instance_given_a_partition_skips_what_its_predecessor_is_committing(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    """The partition changes hands while the previous owner's transaction completes: the new
    owner waits for it, then skips the records it covered instead of handling them again."""
    topic = f"{topic_prefix}inquiries"
    await create_topic(kafka_bootstrap, topic, partitions=1)
    partition = TopicPartition(topic, 0)
    settings = ServiceSettings(
        service_name="reply",
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=topic_prefix,
        instance_id="2",
    )

    async def handler(records: Records) -> Handled:
        return Handled()

    new_owner = Delivery(KafkaBroker(kafka_bootstrap), settings, handler, stage="reply")
    predecessor = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, transactional_id=f"{settings.group_id}.handler.1"
    )
    await predecessor.start()
    try:
        await predecessor.begin_transaction()
        await predecessor.send_offsets_to_transaction({partition: 2}, settings.group_id)
        given = asyncio.create_task(new_owner.learn_committed({partition}))
        await asyncio.sleep(1.0)
        waited = not given.done()
        await predecessor.commit_transaction()
        await asyncio.wait_for(given, timeout=10)
    finally:
        await new_owner.stop()
        await predecessor.stop()

    records = [consumed(topic=topic, offset=offset) for offset in range(4)]
    assert waited
    assert [r.offset for r in new_owner.not_committed(records)] == [2, 3]
