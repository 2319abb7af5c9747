"""Triage's wiring: settings, broker, the inquiry and caseworker-action subscribers, the model
(and a candidate in shadow) loaded once, the correction store and metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter

from services.triage.classifier import Classifier, load_classifier, load_shadow
from services.triage.handler import record_corrections, shadow_disagreements, triage_batch
from services.triage.settings import TriageSettings
from services.triage.store import CorrectionStore
from shared.bus import ensure_topics, make_broker
from shared.contracts import declare_publishers
from shared.delivery import Handled, Records, batch_subscriber
from shared.events import Decision, InquiryTriaged
from shared.schema import migrated_engine
from shared.service import ServiceProcess
from shared.topics import (
    CASEWORKER_ACTIONS,
    INQUIRIES_RECEIVED,
    INQUIRIES_TRIAGED,
    TRIAGE_STAGE,
    TopicNames,
    deadletter_topic,
    queue_topic,
)
from shared.vocabulary import ALL_QUEUES

# The records are validated by the handlers; the AsyncAPI document shows their schemas.


@dataclass
class TriageState:
    """What the lifespan loads once for the subscribers; unset before it runs."""

    classifier: Classifier = field(init=False)
    shadow: Classifier | None = field(init=False)
    store: CorrectionStore = field(init=False)


def build_app(settings: TriageSettings) -> ServiceProcess:
    registry = CollectorRegistry()
    decided = Counter(
        "triage_decisions",
        "Decisions made, by model version, complexity and queue",
        ["model_version", "complexity", "queue"],
        registry=registry,
    )
    shadow_decided = Counter(
        "triage_shadow_decisions",
        "Inquiries the candidate (shadow) model also decided",
        ["shadow_version"],
        registry=registry,
    )
    shadow_disagreed = Counter(
        "triage_shadow_disagreements",
        "Shadow decisions that differ from the live one, by what differs",
        ["shadow_version", "about"],
        registry=registry,
    )
    corrections = Counter(
        "triage_corrections", "Caseworkers' reroutes stored as corrections", registry=registry
    )
    names = TopicNames(settings.topic_prefix)
    broker = make_broker(settings, registry)
    declare_publishers(broker, names, TRIAGE_STAGE)
    state = TriageState()

    def count_decisions(decisions: list[Decision], triaged: list[InquiryTriaged]) -> None:
        for decision in decisions:
            decided.labels(decision.model_version, decision.complexity.value, decision.queue).inc()
        shadow = state.shadow
        if shadow is not None and triaged:
            shadow_decided.labels(shadow.version).inc(len(triaged))
            for about in shadow_disagreements(triaged, shadow, settings):
                shadow_disagreed.labels(shadow.version, about).inc()

    @batch_subscriber(broker, settings, INQUIRIES_RECEIVED, stage=TRIAGE_STAGE)
    async def on_inquiries_received(records: Records) -> Handled:
        outgoing, decisions = triage_batch(
            records, classifier=state.classifier, settings=settings, names=names
        )
        triaged = [o.event for o in outgoing if isinstance(o.event, InquiryTriaged)]

        def remember() -> None:
            # Kept once committed: a redone batch stores each inquiry once.
            state.store.remember_triaged(triaged)

        return Handled(outgoing, [remember, lambda: count_decisions(decisions, triaged)])

    # A consumer group of its own: reroutes are read at their own pace, apart from inquiries.
    actions_settings = settings.model_copy(
        update={"consumer_group": f"{settings.group_id}.actions"}
    )

    @batch_subscriber(broker, actions_settings, CASEWORKER_ACTIONS, stage=TRIAGE_STAGE)
    async def on_caseworker_actions(records: Records) -> Handled:
        # Stored at once, idempotent on the action's event id: a redone batch stores it once.
        dead, stored = record_corrections(records, store=state.store, names=names)
        return Handled(dead, [lambda: corrections.inc(stored)])

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        await ensure_topics(
            settings,
            [
                INQUIRIES_RECEIVED,
                INQUIRIES_TRIAGED,
                CASEWORKER_ACTIONS,
                deadletter_topic(TRIAGE_STAGE),
                *(queue_topic(q) for q in ALL_QUEUES),
            ],
        )
        state.classifier = load_classifier(settings)
        state.shadow = load_shadow(settings)
        state.store = CorrectionStore(migrated_engine(settings))
        yield
        state.store.engine.dispose()

    return ServiceProcess(broker, registry, lifespan=lifespan, title="triage")
