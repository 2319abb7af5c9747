"""Triage's two subscribers on FastStream's in-memory broker: received inquiries in, routed and
triaged out; caseworkers' actions in, corrections stored and unreadable ones dead-lettered."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from faststream import TestApp
from faststream.kafka import TestKafkaBroker

from services.triage.app import build_app
from services.triage.settings import TriageSettings
from services.triage.store import CorrectionStore
from shared.database import make_engine
from shared.events import CaseworkerAction, CitizenProfile, Inquiry, InquiryReceived
from shared.schema import migrate
from shared.vocabulary import CaseworkerActionKind, Channel, Language


def received(text: str, channel: Channel = Channel.PHONE) -> InquiryReceived:
    inquiry = Inquiry(
        channel=channel,
        channel_message_id=f"call-{uuid.uuid4()}",
        received_at=datetime.now(UTC),
        text=text,
        language=Language.DA,
        citizen=CitizenProfile(phone="+45 21 43 65 87"),
        thread_key="phone:call-1",
    )
    return InquiryReceived.caused_by(
        None, producer="intake", inquiry_id=uuid.uuid4(), payload=inquiry
    )  # type: ignore[return-value]


async def test_a_received_inquiry_is_routed_to_its_queue_and_triaged(tmp_path: Path) -> None:
    settings = TriageSettings(
        provision_topics=False, kafka_transactions=False, topic_prefix="h.", state_dir=tmp_path
    )
    migrate(settings)
    service = build_app(settings)
    routed: list[dict[str, object]] = []
    triaged: list[dict[str, object]] = []

    @service.broker.subscriber("h.queue.contact-centre", "h.queue.manual-triage")
    async def caseworker(event: dict[str, object]) -> None:
        routed.append(event)

    @service.broker.subscriber("h.inquiries.triaged")
    async def reply(event: dict[str, object]) -> None:
        triaged.append(event)

    event = received("Borger ringer, skal have nyt pas inden sommerferien")
    async with TestKafkaBroker(service.broker) as broker, TestApp(service.app):
        await broker.publish(event.model_dump_json().encode(), "h.inquiries.received")

    assert len(routed) == len(triaged) == 1
    assert triaged[0]["causation_id"] == str(event.event_id)
    decision = triaged[0]["decision"]
    assert isinstance(decision, dict)
    assert decision["reply_channel"] == "phone"
    assert routed[0]["event_id"] != triaged[0]["event_id"]


async def test_an_unreadable_event_is_dead_lettered_and_the_batch_goes_on(tmp_path: Path) -> None:
    settings = TriageSettings(
        provision_topics=False, kafka_transactions=False, topic_prefix="h2.", state_dir=tmp_path
    )
    migrate(settings)
    service = build_app(settings)
    dead: list[dict[str, object]] = []
    triaged: list[dict[str, object]] = []

    @service.broker.subscriber("h2.deadletter.triage")
    async def operators(event: dict[str, object]) -> None:
        dead.append(event)

    @service.broker.subscriber("h2.inquiries.triaged")
    async def reply(event: dict[str, object]) -> None:
        triaged.append(event)

    async with TestKafkaBroker(service.broker) as broker, TestApp(service.app):
        await broker.publish(b'{"event_type": "inquiry.received"}', "h2.inquiries.received")
        await broker.publish(
            received("Hvornår tømmes skraldespanden?").model_dump_json().encode(),
            "h2.inquiries.received",
        )

    assert len(dead) == 1
    letter = dead[0]["dead_letter"]
    assert isinstance(letter, dict)
    assert letter["stage"] == "triage"
    assert "not a valid inquiry.received event" in str(letter["reason"])
    assert len(triaged) == 1


async def test_a_reroute_is_stored_as_a_correction_and_an_unreadable_action_dead_lettered(
    tmp_path: Path,
) -> None:
    settings = TriageSettings(
        provision_topics=False, kafka_transactions=False, topic_prefix="h3.", state_dir=tmp_path
    )
    migrate(settings)
    service = build_app(settings)
    event = received("Jeg er uenig i afgørelsen om min hjemmehjælp")
    reroute = CaseworkerAction.caused_by(
        None,
        producer="caseworker",
        inquiry_id=event.inquiry_id,
        action=CaseworkerActionKind.REROUTE,
        caseworker="cw-3",
        queue="specialist.SOF",
        to_queue="specialist.SUF",
    )
    dead: list[dict[str, object]] = []

    @service.broker.subscriber("h3.deadletter.triage")
    async def operators(letter: dict[str, object]) -> None:
        dead.append(letter)

    async with TestKafkaBroker(service.broker) as broker, TestApp(service.app):
        await broker.publish(event.model_dump_json().encode(), "h3.inquiries.received")
        await broker.publish(reroute.model_dump_json().encode(), "h3.caseworker.actions")
        await broker.publish(b"not json", "h3.caseworker.actions")

    [example] = CorrectionStore(make_engine(settings)).labelled()
    assert (example.complexity, example.department) == ("specialist", "SUF")
    assert example.text == "Jeg er uenig i afgørelsen om min hjemmehjælp"
    [letter] = [d["dead_letter"] for d in dead]
    assert isinstance(letter, dict)
    assert letter["stage"] == "triage"
    assert "caseworker.action" in str(letter["reason"])
