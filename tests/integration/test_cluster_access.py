"""The secured three-broker cluster for real (deploy/kafka/cluster SECURE=1): every node takes
SASL/SCRAM over TLS and the project's ACLs, granted once. The services' own principals create
their topics with replication 3 and min ISR 2 and write and read them through all three brokers;
access outside shared/access.py's table is refused, and so is a wrong password on every node.
The cluster starts once for this module: about 40 s on the 2-core machine."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaError, TopicAuthorizationFailedError

from shared.bus import ensure_topics
from shared.kafka_security import client_options
from shared.settings import ServiceSettings
from shared.topics import INQUIRIES_RECEIVED, queue_topic, raw_topic
from shared.vocabulary import Channel
from tests.integration.secure import SecureBroker
from tests.integration.test_kafka_access import connect, read_as, send_as

pytestmark = pytest.mark.kafka

QUEUE = queue_topic("citizen-service")
RECORDS = 30


def cluster_settings(cluster: SecureBroker, principal: str) -> ServiceSettings:
    """A principal's settings as a service on the cluster runs with them (docs/reliability.md)."""
    return cluster.settings_of(principal).model_copy(
        update={
            "topic_prefix": cluster.prefix,
            "topic_replication_factor": 3,
            "topic_min_insync_replicas": 2,
            "provision_topics": True,
        }
    )


@pytest.fixture(scope="module")
def cluster(secure_cluster: SecureBroker) -> SecureBroker:
    """The cluster with the topics the tests use, each created by the service that owns it
    through the project's topic setup (intake: received and raw; triage: a queue)."""

    async def create() -> None:
        await ensure_topics(
            cluster_settings(secure_cluster, "intake"),
            [INQUIRIES_RECEIVED, raw_topic(Channel.EMAIL)],
        )
        await ensure_topics(cluster_settings(secure_cluster, "triage"), [QUEUE])

    asyncio.run(create())
    return secure_cluster


async def describe(cluster: SecureBroker, topic: str) -> tuple[list[dict[str, Any]], str]:
    """A topic's partitions (leader, replicas, in-sync replicas) and its min.insync.replicas, as
    the admin sees them."""
    admin = AIOKafkaAdminClient(**cluster.options_of("admin"))
    await admin.start()
    try:
        (described,) = await admin.describe_topics([topic])
        (response,) = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topic, None)]
        )
    finally:
        await admin.close()
    ((*_, entries),) = response.resources
    min_isr = next(entry[1] for entry in entries if entry[0] == "min.insync.replicas")
    return described["partitions"], min_isr


async def produce_to_every_partition(cluster: SecureBroker, principal: str, topic: str) -> None:
    producer = AIOKafkaProducer(
        **cluster.options_of(principal), acks="all", enable_idempotence=True
    )
    await producer.start()
    try:
        sent = [
            await producer.send(topic, f"record {i}".encode(), partition=i % 3)
            for i in range(RECORDS)
        ]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


async def consume_in_group(cluster: SecureBroker, principal: str, topic: str, group: str) -> int:
    """Read the topic to its end as a member of `group`, commit, and count what was read."""
    consumer = AIOKafkaConsumer(
        topic,
        **cluster.options_of(principal),
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    read = 0
    try:
        async with asyncio.timeout(90):
            while read < RECORDS:
                batches = await consumer.getmany(timeout_ms=1000)
                read += sum(len(records) for records in batches.values())
        await consumer.commit()
    finally:
        await consumer.stop()
    return read


async def committed(cluster: SecureBroker, group: str) -> dict[TopicPartition, int]:
    admin = AIOKafkaAdminClient(**cluster.options_of("admin"))
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return {tp: meta.offset for tp, meta in offsets.items()}


async def test_services_write_and_read_their_topics_through_all_three_brokers(
    cluster: SecureBroker,
) -> None:
    topic = cluster.prefix + INQUIRIES_RECEIVED
    partitions, min_isr = await describe(cluster, topic)
    # The project's topic setup, run by intake's principal: three copies, two needed for a write.
    assert min_isr == "2"
    assert len(partitions) == 3
    assert all(sorted(p["replicas"]) == [1, 2, 3] for p in partitions)
    # One partition led by each broker: intake's writes and triage's reads go to all three.
    assert sorted(p["leader"] for p in partitions) == [1, 2, 3]

    # acks=all with min ISR 2: each write is acknowledged only once another broker holds it too,
    # so the brokers' replication over their own authenticated listener works.
    await produce_to_every_partition(cluster, "intake", topic)
    group = cluster.prefix + "triage"
    assert await consume_in_group(cluster, "triage", topic, group) == RECORDS
    assert await committed(cluster, group) == {
        TopicPartition(topic, p): RECORDS // 3 for p in range(3)
    }
    partitions, _ = await describe(cluster, topic)
    assert all(len(p["isr"]) >= 2 for p in partitions)


async def test_metrics_cannot_read_the_raw_topics(cluster: SecureBroker) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        await read_as(cluster, "metrics", raw_topic(Channel.EMAIL))


async def test_an_adapter_cannot_write_to_a_queue_topic(cluster: SecureBroker) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        await send_as(cluster, "adapter-chat", QUEUE, b"{}")
    # while triage, which routes to the queues, may
    await send_as(cluster, "triage", QUEUE, b"{}")


@pytest.mark.parametrize("node", [1, 2, 3])
async def test_a_wrong_password_is_refused_by_every_node(
    cluster: SecureBroker, node: int, caplog: pytest.LogCaptureFixture
) -> None:
    """Each node alone as the bootstrap: every broker checks the password itself."""
    settings = cluster.settings_of("triage").model_copy(
        update={"kafka_bootstrap_servers": cluster.bootstrap.split(",")[node - 1]}
    )
    options = client_options(settings)
    options["sasl_plain_password"] = "not-the-password"
    # aiokafka reports "unable to bootstrap" and logs the broker's reason.
    with pytest.raises(KafkaError):
        await connect(options)
    assert "SaslAuthenticationFailed" in caplog.text
    assert "not-the-password" not in caplog.text
