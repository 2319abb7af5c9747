"""The metrics service reads only what it counts: over the demo feed's inquiries, decisions, reply
plans and dead letters, every counted field reads as the event's full schema reads it; an event
whose counted fields cannot be read is still reported unreadable, by topic."""

from __future__ import annotations

import base64
import itertools
import json
import uuid
from typing import Any

import pytest
from aiokafka import ConsumerRecord
from prometheus_client import CollectorRegistry
from pydantic import BaseModel

from demo.feed import load_feed
from services.intake.normalise import Normalised, read_messages
from services.metrics.counted import COUNTED
from services.metrics.settings import DEFAULT_DEAD_LETTER_REASONS
from services.metrics.tally import ReasonCategories, Tally, read_events
from shared.events import (
    DeadLetter,
    DeadLettered,
    Decision,
    Envelope,
    InquiryReceived,
    InquiryTriaged,
    Reason,
    ReplyPlan,
    ReplyPlanned,
)
from shared.topics import (
    INQUIRIES_RECEIVED,
    INQUIRIES_TRIAGED,
    REPLIES_PLANNED,
    TopicNames,
    all_topics,
    deadletter_topic,
)
from shared.vocabulary import ALL_QUEUES, Complexity, Department, ReplyChannel
from tests.conftest import REPO
from tests.unit.metrics.events import on_the_bus

EXAMPLES = REPO / "shared" / "examples"
LABELS = REPO / "demo" / "feed" / "labels.jsonl"


def _counted_part(model: type[BaseModel]) -> dict[str, Any]:
    """The fields of `model` as an `include` for the full event's model_dump."""
    part: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        inner = field.annotation
        nested = isinstance(inner, type) and issubclass(inner, BaseModel)
        part[name] = _counted_part(inner) if nested else True  # type: ignore[arg-type]
    return part


def _feed_events() -> list[Envelope]:
    """Each readable inquiry of the demo feed as intake publishes it, triaged by its label (all
    seven departments, every reply channel in turn), its reply planned, and every malformed
    message of the feed as the dead letter intake makes of it."""
    labels = {
        row["file"]: row for row in map(json.loads, LABELS.read_text(encoding="utf-8").splitlines())
    }
    reply_channels = itertools.cycle(ReplyChannel)
    queues = itertools.cycle(ALL_QUEUES)
    kinds = itertools.cycle(("acknowledgement", "reply", "callback"))
    events: list[Envelope] = []
    for n, raw in enumerate(load_feed("counted")):
        path = f"{raw.path.parent.name}/{raw.path.name}"
        if raw.malformed:
            letter = DeadLetter(
                stage="intake",
                reason=f"{raw.channel.value} payload cannot be read",
                source_topic=f"intake.raw.{raw.channel.value}",
                original=base64.b64encode(raw.body),
            )
            events.append(
                DeadLettered.caused_by(
                    None, producer="intake", inquiry_id=None, discriminator=n, dead_letter=letter
                )
            )
            continue
        headers = {k: v.decode() for k, v in raw.headers}
        [read] = read_messages([(raw.channel, raw.body, headers)], salt="test")
        if not isinstance(read, Normalised):
            continue
        inquiry = read.inquiry
        received = InquiryReceived.caused_by(
            None, producer="intake", inquiry_id=uuid.uuid4(), payload=inquiry
        )
        label = labels.get(path, {"complexity": "undetermined", "department": "OKF"})
        decision = Decision(
            complexity=Complexity(label["complexity"]),
            department=Department(label["department"]),
            queue=next(queues),
            confidence=(n % 101) / 100,
            reply_channel=next(reply_channels),
            reasons=[Reason(about="complexity", text=inquiry.text[:80])],
            model_version="test",
        )
        triaged = InquiryTriaged.caused_by(
            received,
            producer="triage",
            inquiry_id=received.inquiry_id,
            inquiry=inquiry,
            decision=decision,
        )
        plan = ReplyPlan(
            plan_id=uuid.uuid4(),
            kind=next(kinds),  # type: ignore[arg-type]
            reply_channel=decision.reply_channel,
            language=inquiry.language,
            deadline=inquiry.received_at,
            deadline_text="by Friday 4 December",
            text=inquiry.text,
            reason="Rule 5",
        )
        planned = ReplyPlanned.caused_by(
            triaged,
            producer="reply",
            inquiry_id=received.inquiry_id,
            channel=inquiry.channel,
            plan=plan,
        )
        events += [received, triaged, planned]
    return events


def _examples() -> list[Envelope]:
    """The bus contract's example message of every counted topic's schema."""
    schemas = {spec.schema for spec in all_topics() if spec.name in COUNTED and spec.schema}
    return [
        schema.model_validate_json((EXAMPLES / f"{schema.EVENT_TYPE}.json").read_bytes())
        for schema in sorted(schemas, key=lambda s: s.EVENT_TYPE)
    ]


def test_every_counted_field_reads_as_the_full_schema_reads_it() -> None:
    events = _feed_events() + _examples()
    assert {type(e) for e in events} >= {InquiryReceived, InquiryTriaged, ReplyPlanned}
    records = [on_the_bus(e) for e in events]
    read, unreadable = read_events(records, TopicNames())
    assert unreadable == []
    assert len(read) == len(events)
    for full, counted in zip(events, read, strict=True):
        assert counted.model_dump() == full.model_dump(include=_counted_part(type(counted)))


def _record(topic: str, value: bytes) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(topic, 0, 0, 0, 0, None, value, None, 0, len(value), [])


@pytest.mark.parametrize(
    ("topic", "why"),
    [
        (INQUIRIES_RECEIVED, "not JSON"),
        (INQUIRIES_TRIAGED, "a channel outside the vocabulary"),
        (INQUIRIES_TRIAGED, "a confidence above 1"),
        (REPLIES_PLANNED, "no reply channel"),
        (deadletter_topic("reply"), "no reason"),
        (INQUIRIES_RECEIVED, "no event id"),
    ],
)
def test_an_event_whose_counted_fields_cannot_be_read_is_reported_unreadable(
    topic: str, why: str
) -> None:
    example = {
        INQUIRIES_RECEIVED: "inquiry.received",
        INQUIRIES_TRIAGED: "inquiry.triaged",
        REPLIES_PLANNED: "reply.planned",
        deadletter_topic("reply"): "deadletter",
    }[topic]
    document = json.loads((EXAMPLES / f"{example}.json").read_text(encoding="utf-8"))
    match why:
        case "a channel outside the vocabulary":
            document["inquiry"]["channel"] = "carrier pigeon"
        case "a confidence above 1":
            document["decision"]["confidence"] = 1.5
        case "no reply channel":
            del document["plan"]["reply_channel"]
        case "no reason":
            del document["dead_letter"]["reason"]
        case "no event id":
            del document["event_id"]
    value = b"{not json" if why == "not JSON" else json.dumps(document).encode()

    registry = CollectorRegistry()
    tally = Tally(
        registry, reason_categories=ReasonCategories(DEFAULT_DEAD_LETTER_REASONS), remember=10
    )
    events, unreadable = read_events([_record(topic, value)], TopicNames())
    tally.count(events)
    tally.count_unreadable(unreadable)
    assert events == []
    assert registry.get_sample_value("metrics_unreadable_events_total", {"topic": topic}) == 1
