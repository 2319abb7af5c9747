"""The adapters over real sockets: an HTTP client against the gateway, smtplib against the SMTP
receiver, and what they accepted checked on the real broker."""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import uuid
from email.message import EmailMessage

import httpx
import pytest

from shared.events import InquiryReceived
from shared.topics import INQUIRIES_RECEIVED, raw_topic
from shared.vocabulary import Channel, ContactOutcome
from tests.integration.intake.conftest import (
    DESK_KEY,
    INTERCOM_SECRET,
    MUNICIPAL_ADDRESS,
    SCANNER_KEY,
    IntakePipeline,
)
from tests.unit.intake.samples import pdf_with_text

pytestmark = pytest.mark.kafka


async def received(pipeline: IntakePipeline, marker: str) -> list[InquiryReceived]:
    records = await pipeline.collect(
        [INQUIRIES_RECEIVED], until=lambda rs: any(marker.encode() in v for _, v in rs)
    )
    return [InquiryReceived.model_validate_json(v) for _, v in records if marker.encode() in v]


async def test_gateway_accepts_a_pasted_phone_note_and_tracks_it_to_its_inquiry(
    intake_pipeline: IntakePipeline,
) -> None:
    marker = uuid.uuid4().hex
    note = (
        f"Borger: Ali Hassan, tlf. 21 43 65 87\nUdfald: viderestillet\n\n"
        f"Skraldespanden er ikke tømt i to uger ({marker})."
    )
    async with httpx.AsyncClient(base_url=intake_pipeline.url("intake", "")) as client:
        response = await client.post(
            "/v1/intake/phone",
            content=note.encode(),
            headers={"Authorization": f"Bearer {DESK_KEY}", "X-Call-Id": f"call-{marker}"},
        )
    assert response.status_code == 202, response.text
    tracking_id = response.json()["tracking_id"]
    [event] = await received(intake_pipeline, marker)
    assert str(event.inquiry_id) == tracking_id
    assert event.payload.channel_message_id == f"call-{marker}"
    assert event.payload.citizen.phone == "21 43 65 87"
    assert event.payload.outcome is ContactOutcome.TRANSFERRED


async def test_gateway_takes_a_pdf_letter_from_the_scanner(intake_pipeline: IntakePipeline) -> None:
    marker = uuid.uuid4().hex
    pdf = pdf_with_text(
        [
            "Poul Jensen",
            "Vesterbrogade 12",
            "1620 København V",
            "",
            f"Jeg klager over min hjemmehjælp ({marker}).",
        ]
    )
    async with httpx.AsyncClient(base_url=intake_pipeline.url("intake", "")) as client:
        response = await client.post(
            "/v1/intake/letter",
            content=pdf,
            headers={"X-API-Key": SCANNER_KEY, "X-Scan-Id": f"scan-{marker}"},
        )
    assert response.status_code == 202, response.text
    [event] = await received(intake_pipeline, marker)
    assert event.payload.citizen.name == "Poul Jensen"
    assert [a.content_type for a in event.payload.attachments] == ["application/pdf"]
    assert b"%PDF" not in event.model_dump_json().encode(), "the bytes stay in intake's store"


async def test_gateway_takes_intercoms_signed_webhook_as_a_chat(
    intake_pipeline: IntakePipeline,
) -> None:
    marker = uuid.uuid4().hex
    body = json.dumps(
        {
            "type": "notification_event",
            "topic": "conversation.admin.closed",
            "data": {
                "item": {
                    "id": f"ic-{marker}",
                    "source": {
                        "body": f"<p>How do I register my address? ({marker})</p>",
                        "author": {"type": "user", "email": "new@example.com"},
                    },
                }
            },
        }
    ).encode()
    signature = "sha1=" + hmac.new(INTERCOM_SECRET.encode(), body, hashlib.sha1).hexdigest()
    async with httpx.AsyncClient(base_url=intake_pipeline.url("intake", "")) as client:
        forged = await client.post(
            "/v1/intake/chat", content=body, headers={"X-Hub-Signature": "sha1=" + "0" * 40}
        )
        signed = await client.post(
            "/v1/intake/chat", content=body, headers={"X-Hub-Signature": signature}
        )
    assert forged.status_code == 401
    assert signed.status_code == 202, signed.text
    [event] = await received(intake_pipeline, marker)
    assert event.payload.channel_message_id == f"intercom:ic-{marker}"
    assert event.payload.citizen.email == "new@example.com"


async def test_gateway_refuses_bad_requests_with_a_clear_4xx(
    intake_pipeline: IntakePipeline,
) -> None:
    desk = {"Authorization": f"Bearer {DESK_KEY}"}
    async with httpx.AsyncClient(base_url=intake_pipeline.url("intake", "")) as client:
        cases = [
            (await client.post("/v1/intake/chat", content=b"{}"), 401, "API key"),
            (
                await client.post("/v1/intake/chat", content=b"{}", headers={"X-API-Key": "nope"}),
                401,
                "API key",
            ),
            (await client.post("/v1/intake/letter", content=b"Brev", headers=desk), 403, "letter"),
            (await client.post("/v1/intake/chat", content=b"", headers=desk), 400, "empty"),
            (
                await client.post("/v1/intake/chat", content=b'{"session_id": ', headers=desk),
                422,
                "not valid JSON",
            ),
            (
                await client.post("/v1/intake/chat", content=b"x" * 200_001, headers=desk),
                413,
                "larger than",
            ),
            (await client.get("/v1/intake/chat", headers=desk), 405, "POST"),
        ]
    for response, status, words in cases:
        assert response.status_code == status, response.text
        assert words in response.json()["error"]


def _mail(marker: str, to: str = MUNICIPAL_ADDRESS) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Sofie Holm <sofie@example.dk>"
    message["To"] = to
    message["Subject"] = "Vuggestue"
    message["Message-ID"] = f"<{marker}@example.dk>"
    message.set_content(f"Hvordan søger jeg vuggestue til min søn? ({marker})")
    return message


async def test_smtp_receiver_publishes_mail_for_municipal_addresses(
    intake_pipeline: IntakePipeline,
) -> None:
    marker = uuid.uuid4().hex
    message = _mail(marker)
    with intake_pipeline.smtp() as smtp:
        refused = smtp.send_message(message)
    assert refused == {}
    raw = await intake_pipeline.collect(
        [raw_topic(Channel.EMAIL)], until=lambda rs: any(marker.encode() in v for _, v in rs)
    )
    assert [v for _, v in raw if marker.encode() in v] == [
        message.as_bytes().replace(b"\n", b"\r\n")
    ]
    [event] = await received(intake_pipeline, marker)
    assert event.payload.channel_message_id == f"<{marker}@example.dk>"
    assert event.payload.citizen.email == "sofie@example.dk"
    assert (
        await intake_pipeline.metric("intake", "intake_smtp_messages_total", outcome="accepted")
        >= 1
    )


async def test_smtp_receiver_refuses_strangers_and_oversized_mail(
    intake_pipeline: IntakePipeline,
) -> None:
    with intake_pipeline.smtp() as smtp, pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        smtp.send_message(_mail(uuid.uuid4().hex, to="someone@elsewhere.example"))
    assert refused.value.recipients["someone@elsewhere.example"][0] == 550

    big = _mail(uuid.uuid4().hex, to="pas@borger.kk.dk")  # the whole domain is ours
    big.add_attachment(b"x" * 300_000, maintype="application", subtype="octet-stream")
    with (
        intake_pipeline.smtp() as smtp,
        pytest.raises((smtplib.SMTPDataError, smtplib.SMTPSenderRefused)) as too_big,
    ):
        smtp.send_message(big)
    assert too_big.value.smtp_code == 552
