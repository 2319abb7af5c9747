"""No secret and no CPR number in any log line, metric or error message of a run: the pipeline
on the secured broker, fed CPR numbers on the bus and through the HTTP gateway (accepted,
refused and unreadable), with every log of the run and every service's /metrics searched."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from benchmarks.pipeline import SERVICES, Pipeline
from shared.events import DeadLettered
from shared.topics import INTAKE_STAGE, deadletter_topic, raw_topic
from shared.vocabulary import Channel
from tests.integration.secure import CPR_SALT, GATEWAY_KEY, SecureBroker
from tests.integration.test_kafka_access import send_as, triaged_as_demo
from tests.integration.test_pipeline import raw_inquiry, unique_tag

pytestmark = pytest.mark.kafka

# Planted CPR numbers, each in the spellings a leak could take.
PLANTED = {"120385-1234", "070761-4285", "311299-4321", "010203-0405"}
CPR_SPELLINGS = {s for cpr in PLANTED for s in (cpr, cpr.replace("-", ""))}


def phone_note(tag: str, cpr: str) -> bytes:
    return json.dumps(
        {
            "call_id": tag,
            "caller": {"name": "Ali Hassan", "phone": "+45 21 43 65 87"},
            "note": f"Borger med CPR {cpr} ringer om boligstøtte, vil gerne ringes op.",
            "outcome": "message_taken",
        }
    ).encode()


async def dead_letters_as_operator(broker: SecureBroker, wanted: int) -> list[DeadLettered]:
    consumer = AIOKafkaConsumer(
        broker.prefix + deadletter_topic(INTAKE_STAGE),
        **broker.options_of("operator"),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    letters: list[DeadLettered] = []
    try:
        deadline = time.monotonic() + 60
        while len(letters) < wanted and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                letters += [DeadLettered.model_validate_json(r.value or b"") for r in records]
    finally:
        await consumer.stop()
    return letters


def test_no_secret_or_cpr_number_in_logs_metrics_or_errors(
    secure_broker: SecureBroker, secure_pipeline: Pipeline
) -> None:
    email_tag, phone_tag, portal_tag = unique_tag(), unique_tag(), unique_tag()
    email, _ = raw_inquiry(Channel.EMAIL, email_tag)  # carries 120385-1234
    asyncio.run(send_as(secure_broker, "adapter-email", raw_topic(Channel.EMAIL), email))
    asyncio.run(
        send_as(
            secure_broker,
            "adapter-phone",
            raw_topic(Channel.PHONE),
            phone_note(phone_tag, "070761-4285"),
        )
    )
    # Unreadable on purpose: intake masks the number in the bytes it dead-letters, and the
    # reason must not quote it either.
    broken = b'{"call_id": "x", "note": "CPR 311299-4321 ring tilbage'
    asyncio.run(send_as(secure_broker, "adapter-phone", raw_topic(Channel.PHONE), broken))

    gateway = secure_pipeline.url("intake", "/v1/intake/phone")
    bearer = {"Authorization": f"Bearer {GATEWAY_KEY}"}
    answers = [
        httpx.post(gateway, content=phone_note(portal_tag, "010203-0405"), headers=bearer),
        httpx.post(gateway, content=phone_note("x", "010203-0405"), headers={"X-API-Key": "no"}),
        httpx.post(gateway, content=b'{"note": "CPR 010203-0405"', headers=bearer),
    ]
    assert [a.status_code for a in answers] == [202, 401, 422]

    for tag in (email_tag, phone_tag, portal_tag):
        asyncio.run(triaged_as_demo(secure_broker, tag))
    letters = asyncio.run(dead_letters_as_operator(secure_broker, wanted=1))
    assert letters, "the unreadable note was dead-lettered"
    received = asyncio.run(secure_pipeline.metric_reaches("metrics", "inquiries_received_total", 3))
    assert received >= 3

    secrets = {CPR_SALT, GATEWAY_KEY, *secure_broker.passwords().values()}
    haystacks = {
        **{f"{s}.log": (secure_pipeline.state_dir / f"{s}.log").read_text() for s in SERVICES},
        "broker log": secure_broker.log_file.read_text(errors="replace"),
        **{f"{s} /metrics": httpx.get(secure_pipeline.url(s, "/metrics")).text for s in SERVICES},
        **{f"gateway answer {a.status_code}": a.text for a in answers},
        **{
            f"dead letter {i}": d.model_dump_json() + d.dead_letter.original.decode("latin-1")
            for i, d in enumerate(letters)
        },
    }
    # The haystacks are real: the run logged, counted and refused what was sent.
    assert "Authenticated as intake" in haystacks["intake.log"]
    assert "intake_gateway_requests_total" in haystacks["intake /metrics"]
    assert any(b"ring tilbage" in d.dead_letter.original for d in letters)
    for where, text in haystacks.items():
        for needle in CPR_SPELLINGS:
            assert needle not in text, f"a CPR number in the {where}"
        for secret in secrets:
            assert secret not in text, f"a secret in the {where}"
