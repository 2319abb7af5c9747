"""Intake's subscriber on FastStream's in-memory broker: a phone note whose time cannot be written
back (year 1 with an offset, which once stalled the consumer for good) is refused with the reason
and becomes a dead letter with its CPR number masked, and the next note becomes an inquiry. A
handler that fails on a record every time is the poison path of shared/delivery.py, tested in
tests/unit/shared/test_delivery_attempts.py and on the broker in tests/integration/test_delivery.py."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from faststream import TestApp
from faststream.kafka import TestKafkaBroker

from services.intake.app import build_app
from services.intake.settings import IntakeSettings
from shared.schema import migrate


def note(call_id: str, received_at: str) -> bytes:
    return json.dumps(
        {
            "call_id": call_id,
            "received_at": received_at,
            "note": "Borger ringer om nyt pas, CPR 010203-1234. Skal rejse til sommer.",
        }
    ).encode()


async def test_a_note_that_cannot_be_serialised_is_dead_lettered_and_the_next_goes_on(
    tmp_path: Path,
) -> None:
    settings = IntakeSettings(
        provision_topics=False,
        kafka_transactions=False,
        topic_prefix="ip.",
        environment="test",  # no SMTP receiver on the development port
        state_dir=tmp_path,
        cpr_salt="a-test-salt-that-is-long-enough-for-intake",
        retry_backoff_ms=1,
        retry_backoff_max_ms=5,
    )
    migrate(settings)
    service = build_app(settings)
    dead: list[dict[str, object]] = []
    received: list[dict[str, object]] = []

    @service.broker.subscriber("ip.deadletter.intake")
    async def operators(event: dict[str, object]) -> None:
        dead.append(event)

    @service.broker.subscriber("ip.inquiries.received")
    async def triage(event: dict[str, object]) -> None:
        received.append(event)

    poison = note("ph-year-one", "0001-01-01T00:30:00+01:00")
    async with TestKafkaBroker(service.broker) as broker, TestApp(service.app):
        await broker.publish(poison, "ip.intake.raw.phone")
        await broker.publish(note("ph-fine", "2026-11-02T10:00:00+01:00"), "ip.intake.raw.phone")

    assert len(dead) == 1
    letter = dead[0]["dead_letter"]
    assert isinstance(letter, dict)
    assert letter["stage"] == "intake"
    assert "0001-01-01T00:30:00+01:00 lies outside the calendar" in letter["reason"]
    carried = base64.b64decode(letter["original"])
    assert b"010203-1234" not in carried
    assert carried == poison.replace(b"010203-1234", b"[CPR]")
    assert letter["original_sha256"], "the untouched bytes are kept in intake's originals store"
    assert [r["payload"]["channel_message_id"] for r in received] == ["ph-fine"]  # type: ignore[index]
