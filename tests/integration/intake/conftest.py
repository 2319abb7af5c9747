"""A pipeline of its own for intake's tests: its own topic prefix (the CPR scan reads every
topic of it), the SMTP receiver on a free port and two gateway adapters with keys of their own."""

from __future__ import annotations

import json
import smtplib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from tests.conftest import free_port
from tests.integration.conftest import Pipeline

SALT = "intake-integration-salt-not-a-secret"
SCANNER_KEY = "scanner-key-0123456789abcdef"
DESK_KEY = "desk-key-0123456789abcdef0123"
INTERCOM_SECRET = "intercom-client-secret-0123456789"
MUNICIPAL_ADDRESS = "borgerservice@kk.dk"


@dataclass
class IntakePipeline(Pipeline):
    intake_settings: dict[str, str] = field(default_factory=dict)
    smtp_port: int = field(default_factory=free_port)

    def env(self, *instance: Any) -> dict[str, str]:
        return {
            **super().env(*instance),
            "INTAKE_CPR_SALT": SALT,
            "INTAKE_SMTP_PORT": str(self.smtp_port),
            "INTAKE_SMTP_RECIPIENTS": json.dumps([MUNICIPAL_ADDRESS, "@borger.kk.dk"]),
            "INTAKE_SMTP_MAX_BYTES": "200000",
            "INTAKE_GATEWAY_MAX_BYTES": "200000",
            "INTAKE_GATEWAY_ADAPTERS": json.dumps(
                {
                    "scanner": {"key": SCANNER_KEY, "channels": ["letter"]},
                    "desk": {"key": DESK_KEY, "channels": ["phone", "in_person", "email", "chat"]},
                    "intercom": {"key": INTERCOM_SECRET, "channels": ["chat"]},
                }
            ),
            **self.intake_settings,
        }

    def smtp(self) -> smtplib.SMTP:
        return smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=30)

    async def read_to_end(self, topics: list[str]) -> list[tuple[str, bytes]]:
        """Every record the topics hold now, each partition read up to its end offset."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            described = await admin.describe_topics([self.topic(t) for t in topics])
        finally:
            await admin.close()
        partitions = [
            TopicPartition(d["topic"], p["partition"]) for d in described for p in d["partitions"]
        ]
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            enable_auto_commit=False,
            isolation_level="read_committed",
        )
        await consumer.start()
        records: list[tuple[str, bytes]] = []
        try:
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            ends = await consumer.end_offsets(partitions)
            pending = {tp for tp in partitions if ends[tp] > 0}
            while pending:
                for tp, batch in (await consumer.getmany(*pending, timeout_ms=500)).items():
                    records += [(tp.topic[len(self.prefix) :], r.value) for r in batch]
                # The position, not the last record: transaction markers take offsets too.
                pending = {tp for tp in pending if await consumer.position(tp) < ends[tp]}
        finally:
            await consumer.stop()
        return records

    async def all_topics(self) -> list[str]:
        """Every topic of this pipeline's prefix, relative names."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            names = await admin.list_topics()
        finally:
            await admin.close()
        return sorted(n[len(self.prefix) :] for n in names if n.startswith(self.prefix))


@pytest.fixture(scope="package")
def intake_pipeline(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[IntakePipeline]:
    running = IntakePipeline(
        kafka_bootstrap,
        prefix=f"in{uuid.uuid4().hex[:8]}.",
        state_dir=tmp_path_factory.mktemp("intake-pipeline"),
    )
    running.start()
    try:
        yield running
    finally:
        running.stop()
