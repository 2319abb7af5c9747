"""The property of tests/unit/intake/test_intake_properties.py on the real broker, with fewer
examples: what goes in on the raw topics comes out as inquiries, dead letters or ignored
messages, counted by the topics and by intake's own metric, and intake keeps running."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.topics import INQUIRIES_RECEIVED, deadletter_topic
from tests.integration.intake.conftest import IntakePipeline
from tests.unit.intake.test_intake_properties import raw_bodies

pytestmark = pytest.mark.kafka

CHANNEL_TOPICS = [
    "intake.raw.email",
    "intake.raw.phone",
    "intake.raw.chat",
    "intake.raw.letter",
    "intake.raw.in_person",
    "intake.raw.self_service",
]
METRIC = "intake_raw_messages_total"
IGNORED = ("duplicate", "auto_reply", "delivery_report")


async def _counts(pipeline: IntakePipeline) -> Counter[str]:
    records = await pipeline.read_to_end([INQUIRIES_RECEIVED, deadletter_topic("intake")])
    counts: Counter[str] = Counter(topic for topic, _ in records)
    for outcome in ("received", "dead_letter", *IGNORED):
        counts[outcome] = int(await pipeline.metric("intake", METRIC, outcome=outcome))
    counts["total"] = int(await pipeline.metric("intake", METRIC))
    return counts


def test_count_in_equals_out_through_the_topics_and_the_metric(
    intake_pipeline: IntakePipeline,
) -> None:
    @settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        st.lists(st.tuples(st.sampled_from(CHANNEL_TOPICS), raw_bodies), min_size=5, max_size=25)
    )
    def holds(messages: list[tuple[str, bytes]]) -> None:
        async def run() -> None:
            before = await _counts(intake_pipeline)
            for topic, body in messages:
                await intake_pipeline.publish(topic, body)
            await intake_pipeline.metric_reaches(
                "intake", METRIC, before["total"] + len(messages), timeout=60
            )
            after = await _counts(intake_pipeline)
            delta = Counter({k: after[k] - before[k] for k in after | before})
            assert delta["total"] == len(messages)
            assert delta[INQUIRIES_RECEIVED] == delta["received"]
            assert delta[deadletter_topic("intake")] == delta["dead_letter"]
            ignored = sum(delta[o] for o in IGNORED)
            assert delta["received"] + delta["dead_letter"] + ignored == len(messages)
            async with httpx.AsyncClient() as client:
                live = await client.get(intake_pipeline.url("intake", "/health/ready"))
            assert live.status_code == 200, "intake keeps running"

        asyncio.run(run())

    holds()
