"""`make status`'s account of the consumer groups, on the real broker: who holds which
partitions, and how many records a group has not committed."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared.groups import consumer_groups, report

pytestmark = pytest.mark.kafka


async def test_members_partitions_and_lag(kafka_bootstrap: str, topic_prefix: str) -> None:
    topic = f"{topic_prefix}work"
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        for n in range(5):
            await producer.send_and_wait(topic, b"x", partition=n % 2)  # 3 on 0, 2 on 1
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=f"{topic_prefix}triage",
        client_id="triage-2",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        while len(consumer.assignment()) < 2:
            await consumer.getmany(timeout_ms=200)
        # One record of partition 0 committed: lag 2 there, 2 on partition 1.
        await consumer.commit({TopicPartition(topic, 0): 1, TopicPartition(topic, 1): 0})
        await asyncio.sleep(0.2)
        groups = await consumer_groups(kafka_bootstrap, topic_prefix)
    finally:
        await consumer.stop()

    assert [g.name for g in groups] == [f"{topic_prefix}triage"]
    group = groups[0]
    assert group.state == "Stable"
    assert [(m.client_id, m.partitions) for m in group.members] == [
        ("triage-2", [TopicPartition(topic, 0), TopicPartition(topic, 1)])
    ]
    assert group.lag == {TopicPartition(topic, 0): 2, TopicPartition(topic, 1): 2}
    assert report(groups, topic_prefix) == (
        f"{topic_prefix}triage: Stable, 1 consumer(s), lag 4\n  triage-2     work[0,1]"
    )
