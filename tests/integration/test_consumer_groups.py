"""`make status`'s account of the consumer groups, on the real broker: who holds which
partitions, and how many records a group has not committed."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from shared.groups import consumer_groups, report
from tests.integration.conftest import create_topic

pytestmark = pytest.mark.kafka


async def until_end_offset(consumer: AIOKafkaConsumer, partition: TopicPartition, end: int) -> None:
    """The broker writes a transaction's marker after the producer's commit returns."""
    for _ in range(100):
        if (await consumer.end_offsets([partition]))[partition] >= end:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{partition} never reached offset {end}")


async def test_members_partitions_and_lag(kafka_bootstrap: str, topic_prefix: str) -> None:
    topic = f"{topic_prefix}work"
    await create_topic(kafka_bootstrap, topic, partitions=2)
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


async def test_a_transactions_commit_marker_is_no_lag(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    """A group that committed past a transaction's last record is done, though the marker that
    ends the transaction leaves the end offset one further; a record after it is lag again."""
    topic = f"{topic_prefix}queue"
    await create_topic(kafka_bootstrap, topic, partitions=1)
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, transactional_id=f"{topic_prefix}producer"
    )
    await producer.start()
    try:
        async with producer.transaction():
            for _ in range(3):
                await producer.send(topic, b"x", partition=0)
        consumer = AIOKafkaConsumer(
            bootstrap_servers=kafka_bootstrap,
            group_id=f"{topic_prefix}reply",
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            partition = TopicPartition(topic, 0)
            consumer.assign([partition])
            await until_end_offset(consumer, partition, 4)  # 3 records and the marker
            await consumer.commit({partition: 3})
            lag_after_the_transaction = (await consumer_groups(kafka_bootstrap, topic_prefix))[
                0
            ].lag
            async with producer.transaction():
                await producer.send(topic, b"x", partition=0)
            await until_end_offset(consumer, partition, 6)
            lag_after_another = (await consumer_groups(kafka_bootstrap, topic_prefix))[0].lag
        finally:
            await consumer.stop()
    finally:
        await producer.stop()

    assert lag_after_the_transaction == {partition: 0}
    assert lag_after_another == {partition: 1}
