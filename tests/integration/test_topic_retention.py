"""The project's topic setup: raw topics (CPR numbers in clear) keep their records 24 hours, the
rest longer; a broker that does not answer does not fail a service's start, and a topic the
cluster refuses to create does, with the cluster's reason."""

from __future__ import annotations

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.client import AIOKafkaClient
from aiokafka.errors import InvalidReplicationFactorError

from shared.bus import ensure_topics
from shared.settings import ServiceSettings
from shared.topics import INQUIRIES_RECEIVED, raw_topic
from shared.vocabulary import Channel

pytestmark = pytest.mark.kafka


async def _retention(bootstrap: str, topics: list[str]) -> dict[str, str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, t, None) for t in topics]
        )
    finally:
        await admin.close()
    found = {}
    for response in described:
        for _code, _message, _type, name, entries in response.resources:
            found[name] = next(e[1] for e in entries if e[0] == "retention.ms")
    return found


async def test_raw_topics_keep_records_a_day_by_default(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    settings = ServiceSettings(kafka_bootstrap_servers=kafka_bootstrap, topic_prefix=topic_prefix)
    await ensure_topics(settings, [raw_topic(Channel.EMAIL), INQUIRIES_RECEIVED])
    retention = await _retention(
        kafka_bootstrap,
        [topic_prefix + raw_topic(Channel.EMAIL), topic_prefix + INQUIRIES_RECEIVED],
    )
    assert retention == {
        topic_prefix + raw_topic(Channel.EMAIL): str(24 * 3600 * 1000),
        topic_prefix + INQUIRIES_RECEIVED: str(settings.topic_retention_ms),
    }


async def test_topics_are_set_up_while_a_broker_in_the_metadata_does_not_answer(
    kafka_bootstrap: str, topic_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A killed broker stays in the cluster's metadata for seconds, and the admin client asks a
    broker at random: the setup asks again. (A service restarted during a broker's death in a
    chaos run failed its start this way.)"""
    real_choice = AIOKafkaClient.get_random_node
    dead_asked: list[int] = []

    def a_dead_broker_first(self: AIOKafkaClient) -> int | None:
        if len(dead_asked) < 2:
            dead_asked.append(99)
            return 99  # in no metadata: never ready, as a dead broker
        return real_choice(self)

    monkeypatch.setattr(AIOKafkaClient, "get_random_node", a_dead_broker_first)
    settings = ServiceSettings(kafka_bootstrap_servers=kafka_bootstrap, topic_prefix=topic_prefix)
    await ensure_topics(settings, [raw_topic(Channel.LETTER)])
    monkeypatch.undo()
    assert dead_asked == [99, 99]
    assert await _retention(kafka_bootstrap, [topic_prefix + raw_topic(Channel.LETTER)])


async def test_a_topic_the_cluster_refuses_to_create_fails_the_setup_with_its_reason(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    """Three replicas asked of the single test broker: the answer's per-topic error is raised
    (aiokafka returns it without raising), not logged as created."""
    settings = ServiceSettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=topic_prefix,
        topic_replication_factor=3,
    )
    with pytest.raises(InvalidReplicationFactorError, match="was not created"):
        await ensure_topics(settings, [INQUIRIES_RECEIVED])
