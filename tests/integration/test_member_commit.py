"""Offsets committed as a group member, on the real broker: an instance the group has moved on
from cannot commit offsets in its transaction any more (aiokafka's own commit still could), and
the current member can."""

from __future__ import annotations

import asyncio
import gc
import logging

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.client import AIOKafkaClient

from shared.member_commit import GroupMember, MemberProducer, NotGroupMember, group_member
from shared.stable_offsets import stable_committed
from tests.integration.conftest import create_topic

pytestmark = pytest.mark.kafka


async def joined(bootstrap: str, topic: str, group: str) -> tuple[AIOKafkaConsumer, GroupMember]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    async with asyncio.timeout(30):
        while not consumer.assignment() or (member := group_member(consumer)) is None:
            await consumer.getmany(timeout_ms=200)
    return consumer, member


async def test_a_member_the_group_moved_on_from_cannot_commit_offsets(
    kafka_bootstrap: str, topic_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    topic, group = f"{topic_prefix}inquiries", f"{topic_prefix}triage"
    await create_topic(kafka_bootstrap, topic, partitions=1)
    partition = TopicPartition(topic, 0)
    first, first_member = await joined(kafka_bootstrap, topic, group)
    await first.stop()  # it leaves; a zombie would still hold what it read
    second, second_member = await joined(kafka_bootstrap, topic, group)

    producer = MemberProducer(
        bootstrap_servers=kafka_bootstrap, transactional_id=f"{topic_prefix}triage.1"
    )
    plain = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, transactional_id=f"{topic_prefix}triage.2"
    )
    client = AIOKafkaClient(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    await plain.start()
    await client.bootstrap()
    try:
        with pytest.raises(NotGroupMember, match=r"UNKNOWN_MEMBER_ID|ILLEGAL_GENERATION"):
            async with producer.transaction():
                await producer.commit_offsets({partition: 5}, group, first_member)
        with caplog.at_level(logging.ERROR, logger="asyncio"):
            gc.collect()  # an unread failed future would be reported now
        after_refusal = await stable_committed(client, group, [partition], timeout_s=10)

        # aiokafka's own commit names no member, and the coordinator takes it from anyone.
        async with plain.transaction():
            await plain.send_offsets_to_transaction({partition: 6}, group)
        after_plain = await stable_committed(client, group, [partition], timeout_s=10)

        # The producer is usable again after the aborted transaction.
        async with producer.transaction():
            await producer.commit_offsets({partition: 7}, group, second_member)
        after_member = await stable_committed(client, group, [partition], timeout_s=10)
    finally:
        await client.close()
        await plain.stop()
        await producer.stop()
        await second.stop()

    assert "never retrieved" not in caplog.text  # the refusal is reported once, to the caller
    assert first_member.member_id != second_member.member_id
    assert second_member.generation_id > first_member.generation_id
    assert after_refusal == {partition: None}
    assert after_plain == {partition: 6}
    assert after_member == {partition: 7}
