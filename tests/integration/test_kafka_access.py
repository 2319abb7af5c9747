"""The secured broker for real (kafkactl SECURE=1): SASL/SCRAM over TLS with the project's ACLs.
The pipeline runs end to end, each service as its own principal, and access outside the table
of shared/access.py is refused by the broker."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaError, TopicAuthorizationFailedError
from pydantic import SecretStr

from benchmarks.pipeline import SERVICES, Pipeline
from shared.bus import ensure_topics
from shared.events import InquiryTriaged
from shared.kafka_security import CredentialsRefused
from shared.topics import INQUIRIES_TRIAGED, queue_topic, raw_topic
from shared.vocabulary import Channel
from tests.conftest import run_module
from tests.integration.secure import SecureBroker
from tests.integration.test_pipeline import raw_inquiry, unique_tag

pytestmark = pytest.mark.kafka


async def triaged_as_demo(broker: SecureBroker, tag: str, timeout: float = 60.0) -> InquiryTriaged:
    """Read inquiries.triaged as the demo's principal until the tagged inquiry arrives."""
    consumer = AIOKafkaConsumer(
        broker.prefix + INQUIRIES_TRIAGED,
        **broker.options_of("demo"),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    event = InquiryTriaged.model_validate_json(record.value or b"")
                    if tag in event.inquiry.channel_message_id:
                        return event
    finally:
        await consumer.stop()
    raise AssertionError(f"inquiry {tag} was not triaged in {timeout} s")


async def send_as(broker: SecureBroker, principal: str, topic: str, body: bytes) -> None:
    producer = AIOKafkaProducer(**broker.options_of(principal), request_timeout_ms=10_000)
    await producer.start()
    try:
        await producer.send_and_wait(broker.prefix + topic, body)
    finally:
        await producer.stop()


async def read_as(broker: SecureBroker, principal: str, topic: str) -> None:
    """Read a topic as a member of the principal's own group."""
    consumer = AIOKafkaConsumer(
        broker.prefix + topic,
        **broker.options_of(principal),
        group_id=broker.prefix + principal,
        auto_offset_reset="earliest",
    )
    try:
        await consumer.start()
        await consumer.getmany(timeout_ms=3000)
    finally:
        await consumer.stop()


async def connect(options: dict[str, object]) -> None:
    """Start a producer with these options, and stop it."""
    producer = AIOKafkaProducer(**options, request_timeout_ms=5_000)
    try:
        await producer.start()
    finally:
        await producer.stop()


def test_the_pipeline_runs_end_to_end_each_service_as_its_own_principal(
    secure_broker: SecureBroker, secure_pipeline: Pipeline
) -> None:
    tag = unique_tag()
    body, _ = raw_inquiry(Channel.EMAIL, tag)
    # The e-mail adapter's principal may write its own raw topic.
    asyncio.run(send_as(secure_broker, "adapter-email", raw_topic(Channel.EMAIL), body))
    triaged = asyncio.run(triaged_as_demo(secure_broker, tag))
    assert triaged.inquiry.channel is Channel.EMAIL
    for service in SERVICES:
        log = (secure_pipeline.state_dir / f"{service}.log").read_text()
        assert f"Authenticated as {service} via SCRAM-SHA-512" in log


def test_an_adapter_cannot_write_to_a_queue_topic(
    secure_broker: SecureBroker, secure_pipeline: Pipeline
) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        asyncio.run(send_as(secure_broker, "adapter-chat", queue_topic("citizen-service"), b"{}"))
    # nor to another channel's raw topic
    with pytest.raises(TopicAuthorizationFailedError):
        asyncio.run(send_as(secure_broker, "adapter-chat", raw_topic(Channel.EMAIL), b"x"))


def test_metrics_cannot_read_the_raw_topics(
    secure_broker: SecureBroker, secure_pipeline: Pipeline
) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        asyncio.run(read_as(secure_broker, "metrics", raw_topic(Channel.EMAIL)))


def test_a_wrong_password_is_refused(
    secure_broker: SecureBroker, caplog: pytest.LogCaptureFixture
) -> None:
    options = secure_broker.options_of("triage")
    options["sasl_plain_password"] = "not-the-password"
    # aiokafka reports "unable to bootstrap" and logs the broker's reason.
    with pytest.raises(KafkaError):
        asyncio.run(connect(options))
    assert "SaslAuthenticationFailed" in caplog.text
    assert "not-the-password" not in caplog.text


def test_a_service_with_a_wrong_password_is_told_so_and_does_not_ask_again(
    secure_broker: SecureBroker, caplog: pytest.LogCaptureFixture
) -> None:
    settings = secure_broker.settings_of("triage").model_copy(
        update={
            "kafka_password": SecretStr("not-the-password"),
            "topic_prefix": secure_broker.prefix,
        }
    )
    with pytest.raises(CredentialsRefused, match="KAFKA_PASSWORD") as refusal:
        asyncio.run(ensure_topics(settings, [INQUIRIES_TRIAGED]))
    assert "SaslAuthenticationFailed" in str(refusal.value)
    assert "asking again" not in caplog.text
    assert "not-the-password" not in str(refusal.value) + caplog.text


def test_a_service_whose_password_is_refused_stops_and_says_why(
    secure_broker: SecureBroker, tmp_path: Path
) -> None:
    # As deployed on Kubernetes: the topics exist, so the first to meet the broker are the
    # service's transactional producers.
    env = {**secure_broker.env_of("triage"), "KAFKA_PASSWORD": "not-the-password"}
    pipeline = Pipeline(
        secure_broker.bootstrap,
        prefix=secure_broker.prefix,
        state_dir=tmp_path,
        settings={"LOG_LEVEL": "INFO", "TRIAGE_PROVISION_TOPICS": "false"},
        service_settings={"triage": env},
    )
    try:
        with pytest.raises(RuntimeError, match="triage exited"):
            pipeline.start("triage")
    finally:
        pipeline.stop()
    log = (tmp_path / "triage.log").read_text()
    assert "CredentialsRefused" in log
    assert "KAFKA_PASSWORD" in log
    assert "not-the-password" not in log


def test_the_queue_command_says_the_password_was_refused(
    secure_broker: SecureBroker, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        **secure_broker.env_of("reply"),
        "KAFKA_PASSWORD": "not-the-password",
        "KAFKA_BOOTSTRAP_SERVERS": secure_broker.bootstrap,
        "TOPIC_PREFIX": secure_broker.prefix,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'reply.db'}",
        "COLUMNS": "200",
    }
    assert run_module("services.reply", "migrate", env=env).returncode == 0
    listed = run_module("services.reply", "queue", "list", env=env)
    assert listed.returncode == 1
    assert "refused this service's credentials" in listed.stderr
    assert "not-the-password" not in listed.stdout + listed.stderr


def test_a_plain_connection_is_refused(secure_broker: SecureBroker) -> None:
    async def connect() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=secure_broker.bootstrap)
        try:
            await asyncio.wait_for(producer.start(), timeout=10)
        finally:
            await producer.stop()

    with pytest.raises((KafkaError, asyncio.TimeoutError)):
        asyncio.run(connect())
