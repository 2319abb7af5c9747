"""Counts the events of the bus once each, on Prometheus counters of one registry."""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from aiokafka import ConsumerRecord
from prometheus_client import CollectorRegistry, Counter
from pydantic import ValidationError

from shared.events import DeadLettered, Envelope, InquiryReceived, InquiryTriaged, ReplyPlanned
from shared.topics import (
    INQUIRIES_RECEIVED,
    INQUIRIES_TRIAGED,
    REPLIES_PLANNED,
    STAGES,
    TopicNames,
    deadletter_topic,
)

SCHEMAS: dict[str, type[Envelope]] = {
    INQUIRIES_RECEIVED: InquiryReceived,
    INQUIRIES_TRIAGED: InquiryTriaged,
    REPLIES_PLANNED: ReplyPlanned,
    **{deadletter_topic(stage): DeadLettered for stage in STAGES},
}


class Tally:
    def __init__(self, registry: CollectorRegistry, *, remember: int) -> None:
        self.received = Counter(
            "inquiries_received",
            "Inquiries received, by channel and language",
            ["channel", "language"],
            registry=registry,
        )
        self.triaged = Counter(
            "inquiries_triaged",
            "Inquiries triaged, by channel, complexity, department, queue and reply channel",
            ["channel", "complexity", "department", "queue", "reply_channel"],
            registry=registry,
        )
        self.replies_planned = Counter(
            "replies_planned",
            "Replies and acknowledgements planned, by reply channel and kind",
            ["reply_channel", "kind"],
            registry=registry,
        )
        self.dead_letters = Counter(
            "dead_letters", "Messages dead-lettered, by stage", ["stage"], registry=registry
        )
        self.unreadable = Counter(
            "metrics_unreadable_events",
            "Events the metrics service could not read, by topic",
            ["topic"],
            registry=registry,
        )
        self._seen: OrderedDict[uuid.UUID, None] = OrderedDict()
        self._remember = remember

    def _first_time(self, event_id: uuid.UUID) -> bool:
        if event_id in self._seen:
            return False
        self._seen[event_id] = None
        if len(self._seen) > self._remember:
            self._seen.popitem(last=False)
        return True

    def count(self, records: Sequence[ConsumerRecord[Any, Any]], names: TopicNames) -> None:
        for record in records:
            topic = names.relative(record.topic)
            schema = SCHEMAS.get(topic)
            if schema is None:
                continue
            try:
                event = schema.model_validate_json(record.value or b"")
            except ValidationError:
                # Counting must not stop on one bad event; the producer's stage dead-letters it.
                self.unreadable.labels(topic).inc()
                continue
            if self._first_time(event.event_id):
                self._count(event)

    def _count(self, event: Envelope) -> None:
        match event:
            case InquiryReceived(payload=inquiry):
                self.received.labels(inquiry.channel.value, inquiry.language.value).inc()
            case InquiryTriaged(inquiry=inquiry, decision=decision):
                self.triaged.labels(
                    inquiry.channel.value,
                    decision.complexity.value,
                    decision.department.value,
                    decision.queue,
                    decision.reply_channel.value,
                ).inc()
            case ReplyPlanned(plan=plan):
                self.replies_planned.labels(plan.reply_channel.value, plan.kind).inc()
            case DeadLettered(dead_letter=letter):
                self.dead_letters.labels(letter.stage).inc()
