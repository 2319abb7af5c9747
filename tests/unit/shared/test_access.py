"""The ACL table: derived from the topic table, least privilege, and the settings a secured
client needs."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from aiokafka.errors import KafkaConnectionError, SaslAuthenticationFailed
from pydantic import ValidationError

from shared.access import (
    DEMO,
    HOSTED_ADAPTERS,
    Operation,
    Pattern,
    Resource,
    adapter_principal,
    grants,
    may,
    principals,
)
from shared.kafka_security import (
    CredentialsRefused,
    broker_security,
    client_options,
    credentials_checked,
)
from shared.provision import make_credentials
from shared.settings import ServiceSettings
from shared.topics import STAGES, all_topics, queue_topic, raw_topic
from shared.vocabulary import ALL_QUEUES, Channel

RULES = grants("p.")


def test_metrics_may_describe_but_never_read_the_raw_topics() -> None:
    for channel in Channel:
        assert not may(RULES, "metrics", Operation.READ, f"p.{raw_topic(channel)}")
        assert may(RULES, "metrics", Operation.DESCRIBE, f"p.{raw_topic(channel)}")


def test_an_adapter_writes_its_own_raw_topic_and_nothing_else() -> None:
    for channel in Channel:
        mine = [r for r in RULES if r.principal == adapter_principal(channel)]
        assert {(r.operation, r.name) for r in mine} == {
            (Operation.WRITE, f"p.{raw_topic(channel)}"),
            (Operation.DESCRIBE, f"p.{raw_topic(channel)}"),
        }


def test_only_adapters_intake_and_the_demo_write_raw_topics_and_none_reads_them_but_intake() -> (
    None
):
    for channel in Channel:
        topic = f"p.{raw_topic(channel)}"
        writers = {p for p in principals() if may(RULES, p, Operation.WRITE, topic)}
        readers = {p for p in principals() if may(RULES, p, Operation.READ, topic)}
        assert writers == {adapter_principal(channel), HOSTED_ADAPTERS, DEMO}
        assert readers == {"intake"}


def test_every_topic_has_its_producers_and_consumers_granted() -> None:
    for spec in all_topics():
        topic = f"p.{spec.name}"
        for stage in STAGES:
            if stage in spec.producers:
                assert may(RULES, stage, Operation.WRITE, topic)
            if stage in spec.consumers:
                assert may(RULES, stage, Operation.READ, topic)


def test_queue_topics_are_written_by_triage_and_reply_only() -> None:
    for queue in ALL_QUEUES:
        topic = f"p.{queue_topic(queue)}"
        writers = {p for p in principals() if may(RULES, p, Operation.WRITE, topic)}
        assert writers == {"triage", "reply"}


def test_each_service_has_its_groups_and_transactional_id_prefix() -> None:
    for service in STAGES:
        assert any(
            r.principal == service
            and r.resource is Resource.TRANSACTIONAL_ID
            and r.pattern is Pattern.PREFIXED
            and r.name == f"p.{service}."
            and r.operation is Operation.WRITE
            for r in RULES
        )
        assert any(
            r.principal == service
            and r.resource is Resource.GROUP
            and r.name == f"p.{service}"
            and r.operation is Operation.READ
            for r in RULES
        )
    assert {r.principal for r in RULES if r.resource is Resource.TRANSACTIONAL_ID} == set(STAGES)


def test_no_rule_is_a_wildcard() -> None:
    assert all(r.name not in ("", "*", "p.") for r in RULES)
    assert all(
        r.pattern is Pattern.LITERAL for r in RULES if r.resource is not Resource.TRANSACTIONAL_ID
    )


def test_credentials_are_made_once_and_private(tmp_path: Path) -> None:
    first = make_credentials(tmp_path)
    assert make_credentials(tmp_path) == first
    assert set(first) >= {"admin", "controller", *principals()}
    assert (tmp_path / "passwords.json").stat().st_mode & 0o077 == 0
    env = (tmp_path / "clients" / "metrics.env").read_text()
    assert "KAFKA_USERNAME=metrics\n" in env
    assert f"KAFKA_PASSWORD={first['metrics']}\n" in env
    assert "controller" not in (tmp_path / "scram-credentials").read_text()


def test_a_plain_broker_needs_no_credentials() -> None:
    settings = ServiceSettings()
    assert broker_security(settings) is None
    assert client_options(settings) == {"bootstrap_servers": settings.kafka_bootstrap_servers}


def test_sasl_without_credentials_is_refused_without_showing_them(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="KAFKA_USERNAME"):
        ServiceSettings(kafka_security_protocol="SASL_SSL")
    with pytest.raises(ValidationError, match="KAFKA_PASSWORD"):
        ServiceSettings(kafka_security_protocol="SASL_SSL", kafka_username="triage")
    with pytest.raises(ValidationError, match="KAFKA_CA_FILE") as refused:
        ServiceSettings(
            kafka_security_protocol="SASL_SSL",
            kafka_username="triage",
            kafka_password="a-real-password-0",
            kafka_ca_file=tmp_path / "missing.pem",
        )
    assert "a-real-password-0" not in str(refused.value)


def test_a_refusal_of_the_credentials_that_aiokafka_only_logs_is_raised_as_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def connect(refused: bool) -> None:
        with credentials_checked():
            if refused:
                logging.getLogger("aiokafka.client").error(
                    'Unable connect to "%s:%s": %s',
                    "127.0.0.1",
                    9093,
                    SaslAuthenticationFailed("Authentication failed during authentication"),
                )
            raise KafkaConnectionError("Unable to bootstrap from [('127.0.0.1', 9093)]")

    with pytest.raises(CredentialsRefused, match="KAFKA_PASSWORD") as refusal:
        asyncio.run(connect(refused=True))
    assert "Authentication failed" in str(refusal.value)
    assert not refusal.value.retriable
    # A command line that silences aiokafka still hears of the refusal, and prints nothing more.
    silenced = logging.getLogger("aiokafka")
    level = silenced.level
    silenced.setLevel(logging.CRITICAL)
    try:
        caplog.clear()
        with pytest.raises(CredentialsRefused):
            asyncio.run(connect(refused=True))
        assert "Unable connect" not in caplog.text
        assert silenced.level == logging.CRITICAL
        assert silenced.propagate
    finally:
        silenced.setLevel(level)
    # A broker that cannot be reached is not a refusal: its error passes through, retriable.
    with pytest.raises(KafkaConnectionError) as unreachable:
        asyncio.run(connect(refused=False))
    assert not isinstance(unreachable.value, CredentialsRefused)
    assert unreachable.value.retriable
