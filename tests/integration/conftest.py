"""The four services as real processes on the real broker, with topics of their own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from benchmarks.pipeline import Pipeline
from tests.integration.secure import secure_broker, secure_cluster, secure_pipeline

__all__ = ["Pipeline", "create_topic", "secure_broker", "secure_cluster", "secure_pipeline"]


async def create_topic(bootstrap: str, topic: str, partitions: int) -> None:
    """A plain topic on the test broker, for tests of Kafka itself rather than the pipeline's."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, partitions, replication_factor=1)])
    finally:
        await admin.close()


@pytest.fixture(scope="session")
def pipeline(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    running = Pipeline(
        kafka_bootstrap,
        prefix=f"it{uuid.uuid4().hex[:8]}.",
        state_dir=tmp_path_factory.mktemp("pipeline"),
    )
    running.start()
    try:
        yield running
    finally:
        running.stop()
