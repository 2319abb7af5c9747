"""Triage on the real broker: a caseworker's reroute on caseworker.actions reaches triage's
correction store, joined to the words triage decided on; a shadow model decides beside it."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import create_engine

from benchmarks.delivery import inquiry_received
from services.triage.labelled import LabelledInquiry
from services.triage.settings import TriageSettings
from services.triage.store import CorrectionStore
from shared.events import CaseworkerAction
from shared.topics import CASEWORKER_ACTIONS, INQUIRIES_RECEIVED, INQUIRIES_TRIAGED
from shared.vocabulary import CaseworkerActionKind
from tests.integration.conftest import Pipeline

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def triage(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    running = Pipeline(
        kafka_bootstrap,
        prefix=f"tf{uuid.uuid4().hex[:8]}.",
        state_dir=tmp_path_factory.mktemp("triage"),
        # The shipped model as its own candidate: it decides everything, disagrees on nothing.
        settings={"TRIAGE_SHADOW_MODEL_PATH": str(TriageSettings().model_path)},
    )
    running.start("triage")
    try:
        yield running
    finally:
        running.stop()


async def labelled_in_store(path: Path, inquiry_id: uuid.UUID) -> LabelledInquiry | None:
    engine = create_engine(f"sqlite:///{path}")
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            found = [r for r in CorrectionStore(engine).labelled() if r.key == str(inquiry_id)]
            if found:
                return found[0]
            await asyncio.sleep(0.2)
        return None
    finally:
        engine.dispose()


async def test_a_reroute_on_caseworker_actions_becomes_a_stored_correction(
    triage: Pipeline,
) -> None:
    received = inquiry_received(
        "Hej. Min mor har fået afslag på en rollator, og det er vi uenige i."
    )
    inquiry_id = received.inquiry_id
    assert inquiry_id is not None
    await triage.publish(INQUIRIES_RECEIVED, received.model_dump_json().encode())
    triaged = await triage.collect(
        [INQUIRIES_TRIAGED], lambda records: any(str(inquiry_id).encode() in v for _, v in records)
    )
    assert any(str(inquiry_id).encode() in value for _, value in triaged)

    reroute = CaseworkerAction.caused_by(
        None,
        producer="caseworker",
        inquiry_id=inquiry_id,
        action=CaseworkerActionKind.REROUTE,
        caseworker="cw-12",
        queue="specialist.SUF",
        to_queue="specialist.SOF",
    )
    await triage.publish(CASEWORKER_ACTIONS, reroute.model_dump_json().encode())
    # Redelivered: still one correction.
    await triage.publish(CASEWORKER_ACTIONS, reroute.model_dump_json().encode())

    assert await triage.metric_reaches("triage", "triage_corrections_total", 1) == 1
    example = await labelled_in_store(triage.state_dir / f"{triage.prefix}triage.db", inquiry_id)
    assert example is not None
    assert (example.complexity, example.department) == ("specialist", "SOF")
    assert "rollator" in example.text
    assert example.corrected_by_event == str(reroute.event_id)
    # The candidate decided the same inquiry beside the live model, and agreed.
    assert await triage.metric_reaches("triage", "triage_shadow_decisions_total", 1) >= 1
    assert await triage.metric("triage", "triage_shadow_disagreements_total") == 0
