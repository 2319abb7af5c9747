"""Metrics' subscriber on FastStream's in-memory broker: an inquiry is counted once however often
it is delivered, and an event it cannot read is counted as unreadable, not dropped unseen."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from faststream import TestApp
from faststream.kafka import TestKafkaBroker

from services.metrics.app import build_app
from services.metrics.gauges import ConsumerLag
from services.metrics.settings import MetricsSettings
from shared.schema import migrate
from shared.vocabulary import Channel
from tests.unit.metrics.events import at, received, triaged


async def no_broker(self: ConsumerLag) -> None:
    """Lag is read from a real broker's consumer groups (the Kafka tier); here there is none."""


async def test_a_redelivered_inquiry_is_counted_once_and_an_unreadable_event_is_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for step in ("start", "stop", "poll"):
        monkeypatch.setattr(ConsumerLag, step, no_broker)
    settings = MetricsSettings(
        provision_topics=False, kafka_transactions=False, topic_prefix="mh.", state_dir=tmp_path
    )
    migrate(settings)
    service = build_app(settings)
    call = received(Channel.PHONE, at("2026-12-04T10:00:00+01:00"))
    decided = triaged(call, at("2026-12-04T10:00:01+01:00"))
    async with asyncio.timeout(60):
        async with TestKafkaBroker(service.broker) as broker, TestApp(service.app):
            for event, topic in ((call, "inquiries.received"), (decided, "inquiries.triaged")):
                await broker.publish(event.model_dump_json().encode(), f"mh.{topic}")
            await broker.publish(call.model_dump_json().encode(), "mh.inquiries.received")
            await broker.publish(b'{"event_type": "inquiry.triaged"}', "mh.inquiries.triaged")

    def sample(name: str, **labels: str) -> float | None:
        return service.registry.get_sample_value(name, labels)

    assert sample("inquiries_received_total", channel="phone", language="da") == 1
    triaged_labels = {"channel": "phone", "complexity": "simple", "department": "OKF"}
    triaged_labels |= {"queue": "contact-centre", "reply_channel": "email"}
    assert sample("inquiries_triaged_total", **triaged_labels) == 1
    assert sample("metrics_unreadable_events_total", topic="inquiries.triaged") == 1
