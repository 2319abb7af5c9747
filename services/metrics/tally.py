"""Counts the events of the bus on Prometheus metrics of one registry.

`Tally.count` sees each event once: the statistics store tells which events of a batch are new.
Every label is a bounded vocabulary (channel, complexity, department, queue, reply channel,
stage, a reason category); nothing personal and no free text ever becomes a label.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from aiokafka import ConsumerRecord
from prometheus_client import CollectorRegistry, Counter, Histogram
from pydantic import ValidationError

from services.metrics.counted import (
    COUNTED,
    CountedDeadLettered,
    CountedInquiryReceived,
    CountedInquiryTriaged,
    CountedReplyPlanned,
)
from shared.events import CaseworkerAction, Envelope, ReplyOverdue, ReplySent
from shared.topics import STAGES, TopicNames
from shared.vocabulary import (
    ALL_QUEUES,
    CaseworkerActionKind,
    Channel,
    ContactOutcome,
    ReplyChannel,
)

# Phone calls and visits end with an outcome; the rest are answered later by nature.
CONTACT_CHANNELS = (Channel.PHONE, Channel.IN_PERSON)
OTHER = "other"

# From a hundredth of a second (a quiet pipeline) to minutes (a backlog after an outage).
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)
CONFIDENCE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)


def read_events(
    records: Sequence[ConsumerRecord[Any, Any]], names: TopicNames
) -> tuple[list[Envelope], list[str]]:
    """The counted events of a batch, and the relative topics of records that could not be read.

    An unreadable event is not dead-lettered here: the stage that consumes it for its work
    dead-letters it already, and a second dead letter would count it twice.
    """
    events: list[Envelope] = []
    unreadable: list[str] = []
    for record in records:
        topic = names.relative(record.topic)
        schema = COUNTED.get(topic)
        if schema is None:
            continue
        try:
            events.append(schema.model_validate_json(record.value or b""))
        except ValidationError:
            unreadable.append(topic)
    return events, unreadable


class ReasonCategories:
    """A dead letter's free-text reason as one of a few configured categories."""

    def __init__(self, patterns: Mapping[str, str]) -> None:
        self._patterns = [(name, re.compile(p, re.IGNORECASE)) for name, p in patterns.items()]
        self.names = [*patterns, OTHER]

    def __call__(self, reason: str) -> str:
        return next((name for name, p in self._patterns if p.search(reason)), OTHER)


K = TypeVar("K")
V = TypeVar("V")


class Recent(Generic[K, V]):
    """A bounded memory: the oldest entry goes when a new one would exceed the bound."""

    def __init__(self, bound: int) -> None:
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._bound = bound

    def put(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        if len(self._entries) > self._bound:
            self._entries.popitem(last=False)

    def pop(self, key: K) -> V | None:
        return self._entries.pop(key, None)


@dataclass(frozen=True)
class _Decided:
    channel: Channel
    at: datetime


M = TypeVar("M", Counter, Histogram)


def _children(metric: M) -> Callable[..., M]:
    """The metric's child for some label values, found once: prometheus_client checks the values
    and takes a lock on every `labels` call (a third of counting an event), and every label here
    is a bounded vocabulary."""
    return functools.cache(metric.labels)


class Tally:
    def __init__(
        self,
        registry: CollectorRegistry,
        *,
        reason_categories: ReasonCategories,
        remember: int,
    ) -> None:
        self.received = _children(
            Counter(
                "inquiries_received",
                "Inquiries received by intake, by channel and language",
                ["channel", "language"],
                registry=registry,
            )
        )
        self.contact_outcomes = _children(
            Counter(
                "inquiry_contact_outcomes",
                "How phone calls and visits ended (settled_first_contact is first-contact resolution)",
                ["channel", "outcome"],
                registry=registry,
            )
        )
        self.triaged = _children(
            Counter(
                "inquiries_triaged",
                "Triage decisions, by arrival channel, complexity, department, queue and reply channel"
                " (complexity undetermined: the model abstained, manual triage)",
                ["channel", "complexity", "department", "queue", "reply_channel"],
                registry=registry,
            )
        )
        self.confidence = _children(
            Histogram(
                "triage_decision_confidence",
                "The classifier's confidence in its decision (0 to 1), by the complexity decided",
                ["complexity"],
                buckets=CONFIDENCE_BUCKETS,
                registry=registry,
            )
        )
        self.receipt_to_queue = _children(
            Histogram(
                "inquiry_receipt_to_queue_seconds",
                "Seconds from intake publishing the inquiry on inquiries.received to triage deciding"
                " and routing it to its queue (the occurred_at of both events; not the e-mail's Date"
                " header, which may be days old), by channel",
                ["channel"],
                buckets=LATENCY_BUCKETS,
                registry=registry,
            )
        )
        self.replies_planned = _children(
            Counter(
                "replies_planned",
                "Replies and acknowledgements planned, by reply channel and kind",
                ["reply_channel", "kind"],
                registry=registry,
            )
        )
        self.replies_sent = _children(
            Counter(
                "replies_sent",
                "Replies and acknowledgements that went out (by e-mail, a gateway or a caseworker),"
                " by reply channel and kind",
                ["reply_channel", "kind"],
                registry=registry,
            )
        )
        self.replies_overdue = _children(
            Counter(
                "replies_overdue",
                "Reply deadlines that passed without a reply, by reply channel",
                ["reply_channel"],
                registry=registry,
            )
        )
        self.caseworker_actions = _children(
            Counter(
                "caseworker_actions",
                "Caseworkers' actions on routed inquiries, by kind (the reply service turns a"
                " reply_sent action into a reply on replies.sent: replies_sent_total counts it)",
                ["action"],
                registry=registry,
            )
        )
        self.dead_letters = _children(
            Counter(
                "dead_letters",
                "Messages dead-lettered, by stage and a category of the reason",
                ["stage", "reason"],
                registry=registry,
            )
        )
        self.unreadable = _children(
            Counter(
                "metrics_unreadable_events",
                "Events the metrics service could not read, by topic",
                ["topic"],
                registry=registry,
            )
        )
        self._reason_category = reason_categories
        self._received_at: Recent[uuid.UUID, datetime] = Recent(remember)
        self._decided_before_received: Recent[uuid.UUID, _Decided] = Recent(remember)
        self._initialise(reason_categories.names)

    def _initialise(self, reason_names: Iterable[str]) -> None:
        """Series of bounded labels exist from the start, at zero: a rate over them is 0, not
        missing, and an alert sees the first dead letter as an increase."""
        for channel in CONTACT_CHANNELS:
            for outcome in ContactOutcome:
                self.contact_outcomes(channel.value, outcome.value)
        for reply_channel in ReplyChannel:
            self.replies_overdue(reply_channel.value)
            self.replies_sent(reply_channel.value, "reply")
        for action in CaseworkerActionKind:
            self.caseworker_actions(action.value)
        for stage in STAGES:
            for reason in reason_names:
                self.dead_letters(stage, reason)

    def count_unreadable(self, topics: Iterable[str]) -> None:
        for topic in topics:
            self.unreadable(topic if topic in COUNTED else OTHER).inc()

    def count(self, events: Iterable[Envelope]) -> None:
        for event in events:
            self._count(event)

    def _count(self, event: Envelope) -> None:
        match event:
            case CountedInquiryReceived(payload=inquiry):
                self.received(inquiry.channel.value, inquiry.language.value).inc()
                if inquiry.outcome and inquiry.channel in CONTACT_CHANNELS:
                    self.contact_outcomes(inquiry.channel.value, inquiry.outcome.value).inc()
                decided = self._decided_before_received.pop(event.event_id)
                if decided is None:
                    self._received_at.put(event.event_id, event.occurred_at)
                else:
                    self._observe_latency(decided.channel, event.occurred_at, decided.at)
            case CountedInquiryTriaged(inquiry=inquiry, decision=decision):
                queue = decision.queue if decision.queue in ALL_QUEUES else OTHER
                self.triaged(
                    inquiry.channel.value,
                    decision.complexity.value,
                    decision.department.value,
                    queue,
                    decision.reply_channel.value,
                ).inc()
                self.confidence(decision.complexity.value).observe(decision.confidence)
                self._join_receipt(event, inquiry.channel)
            case CountedReplyPlanned(plan=plan):
                self.replies_planned(plan.reply_channel.value, plan.kind).inc()
            case ReplySent(reply_channel=reply_channel, kind=kind):
                self.replies_sent(reply_channel.value, kind).inc()
            case ReplyOverdue(reply_channel=reply_channel):
                self.replies_overdue(reply_channel.value).inc()
            case CaseworkerAction(action=action):
                self.caseworker_actions(action.value).inc()
            case CountedDeadLettered(dead_letter=letter):
                stage = letter.stage if letter.stage in STAGES else OTHER
                self.dead_letters(stage, self._reason_category(letter.reason)).inc()

    def _join_receipt(self, triaged: CountedInquiryTriaged, channel: Channel) -> None:
        # Triage names the received event as its cause; the two topics are consumed side by
        # side, so the decision may be read first and wait for its receipt.
        if triaged.causation_id is None:
            return
        received_at = self._received_at.pop(triaged.causation_id)
        if received_at is None:
            self._decided_before_received.put(
                triaged.causation_id, _Decided(channel, triaged.occurred_at)
            )
        else:
            self._observe_latency(channel, received_at, triaged.occurred_at)

    def _observe_latency(
        self, channel: Channel, received_at: datetime, decided_at: datetime
    ) -> None:
        # Clocks of two hosts may disagree by a little; a negative latency is none.
        seconds = max((decided_at - received_at).total_seconds(), 0.0)
        self.receipt_to_queue(channel.value).observe(seconds)
