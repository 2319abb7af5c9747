"""A batch of received inquiries in; a decision and a routed copy of each out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiokafka import ConsumerRecord

from services.triage.classifier import Classifier
from services.triage.decide import decide_batch
from services.triage.settings import TriageSettings
from shared.bus import Outgoing, decode_events, first_seen
from shared.events import Decision, InquiryReceived, InquiryRouted, InquiryTriaged
from shared.topics import INQUIRIES_TRIAGED, TRIAGE_STAGE, TopicNames, queue_topic


def triage_batch(
    records: Sequence[ConsumerRecord[Any, Any]],
    *,
    classifier: Classifier,
    settings: TriageSettings,
    names: TopicNames,
) -> tuple[list[Outgoing], list[Decision]]:
    received, outgoing = decode_events(
        records, InquiryReceived, stage=TRIAGE_STAGE, names=names, producer="triage"
    )
    received = first_seen(received)
    decisions = decide_batch([r.payload for r in received], classifier, settings)
    for event, decision in zip(received, decisions, strict=True):
        inquiry, key = event.payload, event.payload.thread_key
        triaged = InquiryTriaged.caused_by(
            event,
            producer="triage",
            inquiry_id=event.inquiry_id,
            inquiry=inquiry,
            decision=decision,
        )
        routed = InquiryRouted.caused_by(
            event,
            producer="triage",
            inquiry_id=event.inquiry_id,
            inquiry=inquiry,
            decision=decision,
        )
        outgoing.append(Outgoing(queue_topic(decision.queue), routed, key=key))
        outgoing.append(Outgoing(INQUIRIES_TRIAGED, triaged, key=key))
    return outgoing, decisions
