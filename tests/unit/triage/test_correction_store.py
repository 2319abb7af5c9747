"""Caseworkers' reroutes become corrections joined to the words of the inquiry they correct,
on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlmodel import create_engine

from services.triage.store import CorrectionStore
from shared.events import (
    CaseworkerAction,
    Decision,
    Inquiry,
    InquiryTriaged,
    Reason,
)
from shared.vocabulary import (
    CaseworkerActionKind,
    Channel,
    Complexity,
    Department,
    Language,
    ReplyChannel,
)


def store_at(database_url: str) -> CorrectionStore:
    return CorrectionStore(
        create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    )


def triaged(inquiry_id: uuid.UUID, text: str, department: Department) -> InquiryTriaged:
    return InquiryTriaged.caused_by(  # type: ignore[return-value]
        None,
        producer="triage",
        inquiry_id=inquiry_id,
        inquiry=Inquiry(
            channel=Channel.EMAIL,
            channel_message_id=f"<{inquiry_id}@example.dk>",
            received_at=datetime(2026, 11, 23, tzinfo=UTC),
            text=text,
            language=Language.DA,
            thread_key=str(inquiry_id),
        ),
        decision=Decision(
            complexity=Complexity.SIMPLE,
            department=department,
            queue="contact-centre",
            confidence=0.8,
            reply_channel=ReplyChannel.EMAIL,
            reasons=[Reason(about="complexity", text="test")],
            model_version="tm-test",
        ),
    )


def reroute(inquiry_id: uuid.UUID, **change: object) -> CaseworkerAction:
    return CaseworkerAction.caused_by(  # type: ignore[return-value]
        None,
        producer="caseworker",
        inquiry_id=inquiry_id,
        discriminator=uuid.uuid4(),
        action=CaseworkerActionKind.REROUTE,
        caseworker="cw-7",
        queue="contact-centre",
        **change,
    )


def test_a_reroute_to_a_specialist_queue_is_a_label_for_the_inquirys_words(
    database_url: str,
) -> None:
    store = store_at(database_url)
    inquiry_id = uuid.uuid4()
    store.remember_triaged(
        [triaged(inquiry_id, "Jeg klager over afslaget på boligstøtte", Department.OKF)]
    )
    assert store.record([reroute(inquiry_id, to_queue="specialist.SOF")]) == 1
    [example] = store.labelled()
    assert (example.complexity, example.department) == ("specialist", "SOF")
    assert example.text == "Jeg klager over afslaget på boligstøtte"


def test_a_redelivered_reroute_is_stored_once(database_url: str) -> None:
    store = store_at(database_url)
    inquiry_id = uuid.uuid4()
    action = reroute(inquiry_id, to_queue="specialist.BIF")
    assert store.record([action]) == 1
    assert store.record([action, action]) == 0
    assert len(store.corrections()) == 1


def test_a_reroute_to_a_simple_queue_keeps_the_department_triage_gave(database_url: str) -> None:
    store = store_at(database_url)
    inquiry_id = uuid.uuid4()
    store.remember_triaged([triaged(inquiry_id, "Hvornår tømmes skraldet?", Department.TMF)])
    store.record([reroute(inquiry_id, to_queue="citizen-service")])
    [example] = store.labelled()
    assert (example.complexity, example.department) == ("simple", "TMF")


def test_a_reroute_to_manual_triage_or_another_action_is_no_label(database_url: str) -> None:
    store = store_at(database_url)
    inquiry_id = uuid.uuid4()
    claim = CaseworkerAction.caused_by(
        None,
        producer="caseworker",
        inquiry_id=inquiry_id,
        action=CaseworkerActionKind.CLAIM,
        caseworker="cw-7",
        queue="contact-centre",
    )
    assert store.record([reroute(inquiry_id, to_queue="manual-triage"), claim]) == 0  # type: ignore[list-item]


def test_the_latest_correction_of_an_inquiry_wins(database_url: str) -> None:
    store = store_at(database_url)
    inquiry_id = uuid.uuid4()
    store.remember_triaged([triaged(inquiry_id, "Min søn mistrives i skolen", Department.BUF)])
    first = reroute(inquiry_id, to_queue="specialist.SOF")
    second = reroute(inquiry_id, to_queue="specialist.BUF")
    second = second.model_copy(update={"occurred_at": datetime(2099, 1, 1, tzinfo=UTC)})
    store.record([first, second])
    [example] = store.labelled()
    assert example.department == "BUF"


def test_a_correction_whose_words_were_never_seen_waits_without_a_label(database_url: str) -> None:
    store = store_at(database_url)
    store.record([reroute(uuid.uuid4(), to_queue="specialist.KFF")])
    assert len(store.corrections()) == 1
    assert store.labelled() == []
