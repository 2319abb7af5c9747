"""A batch of received inquiries in, a decision and a routed copy of each out; the shadow
model's disagreements; caseworkers' reroutes in, stored corrections out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiokafka import ConsumerRecord

from services.triage.classifier import Classifier
from services.triage.decide import decide_batch
from services.triage.settings import TriageSettings
from services.triage.store import CorrectionStore
from shared.bus import Outgoing, decode_events, first_seen
from shared.events import (
    CaseworkerAction,
    Decision,
    InquiryReceived,
    InquiryRouted,
    InquiryTriaged,
)
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
        key = event.payload.thread_key
        routed, triaged = (
            kind.caused_by(
                event,
                producer="triage",
                inquiry_id=event.inquiry_id,
                inquiry=event.payload,
                decision=decision,
            )
            for kind in (InquiryRouted, InquiryTriaged)
        )
        outgoing.append(Outgoing(queue_topic(decision.queue), routed, key=key))
        outgoing.append(Outgoing(INQUIRIES_TRIAGED, triaged, key=key))
    return outgoing, decisions


def shadow_disagreements(
    triaged: Sequence[InquiryTriaged], shadow: Classifier, settings: TriageSettings
) -> list[str]:
    """Decide the same inquiries with the candidate model; name each way it differs
    (complexity, department, queue) from the live decision. Nothing is routed by it."""
    candidate = decide_batch([t.inquiry for t in triaged], shadow, settings)
    differences = []
    for live, other in zip((t.decision for t in triaged), candidate, strict=True):
        differences += [
            about
            for about in ("complexity", "department", "queue")
            if getattr(live, about) != getattr(other, about)
        ]
    return differences


def record_corrections(
    records: Sequence[ConsumerRecord[Any, Any]], *, store: CorrectionStore, names: TopicNames
) -> tuple[list[Outgoing], int]:
    """Caseworkers' reroutes become stored corrections; unreadable actions dead letters."""
    actions, dead = decode_events(
        records, CaseworkerAction, stage=TRIAGE_STAGE, names=names, producer="triage"
    )
    return dead, store.record(first_seen(actions))
