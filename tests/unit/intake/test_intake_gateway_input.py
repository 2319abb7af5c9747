"""Bad input at the gateway gets a clear 4xx with a reason, never a 500; normalisation runs off
the event loop, so the health checks answer while a large letter is being read; and a bug of
ours surfaces as one, not as a refusal blamed on the sender."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from services.intake.channels.email import read_email
from shared.vocabulary import Channel
from tests.unit.intake.gateway_app import AUTHORISED, Published, gateway_app
from tests.unit.intake.samples import pdf_with_text


def _client(published: Published) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=gateway_app(published)), base_url="http://intake"
    )


def _intercom(created_at: int) -> bytes:
    return json.dumps(
        {
            "type": "notification_event",
            "topic": "conversation.user.created",
            "data": {
                "item": {
                    "id": "ic-1",
                    "created_at": created_at,
                    "source": {"body": "<p>Hej</p>", "author": {"type": "user"}},
                }
            },
        }
    ).encode()


BAD_INPUT = {
    "deeply nested JSON": (Channel.SELF_SERVICE, b"[" * 100_000 + b"]" * 100_000),
    "deeply nested JSON object": (Channel.PHONE, b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
    "a huge integer": (
        Channel.PHONE,
        b'{"call_id": "c", "note": "x", "duration_seconds": ' + b"9" * 5000 + b"}",
    ),
    "a huge integer in a list": (Channel.CHAT, b"[" + b"1" * 10_000 + b"]"),
    "a timestamp after the calendar": (Channel.CHAT, _intercom(10**15)),
    "a timestamp before the calendar": (Channel.CHAT, _intercom(-(10**15))),
    "a date at the calendar's edge in a time zone": (
        Channel.SELF_SERVICE,
        b'{"submission_id": "f", "text": "Hej", "submitted_at": "0001-01-01T00:00:00+05:00"}',
    ),
    "a date after the calendar's end in a time zone": (
        Channel.PHONE,
        b'{"call_id": "c", "note": "Hej", "received_at": "9999-12-31T23:59:59-05:00"}',
    ),
    "invalid UTF-8": (Channel.CHAT, b'{"session_id": "\xff\xfe"}'),
    "a NUL-filled note": (Channel.PHONE, b"\x00" * 1000),
}


@pytest.mark.parametrize(("channel", "body"), BAD_INPUT.values(), ids=list(BAD_INPUT))
async def test_bad_input_gets_a_clear_4xx_with_a_reason(channel: Channel, body: bytes) -> None:
    published = Published()
    async with _client(published) as client:
        response = await client.post(
            f"/v1/intake/{channel.value}", content=body, headers=AUTHORISED
        )
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"]
    assert published.messages == []


async def test_the_health_check_answers_while_a_large_letter_is_read() -> None:
    lines = ["Karen Jensen", "Nørregade 1", "1165 København K", ""]
    pdf = pdf_with_text(lines + [f"Linje {i} om min hjemmehjælp." for i in range(3000)])
    published = Published()
    answered_while_reading: list[int] = []
    async with _client(published) as client:
        letter = asyncio.create_task(
            client.post("/v1/intake/letter", content=pdf, headers=AUTHORISED)
        )
        await asyncio.sleep(0)  # the gateway takes the letter first
        while not letter.done() and len(answered_while_reading) < 3:
            health = await client.get("/health/live")
            if not published.messages:  # not yet read: still in the worker thread
                answered_while_reading.append(health.status_code)
        response = await letter
    assert response.status_code == 202, response.text
    # Read on the event loop, the letter would hold every health request until it was done.
    assert answered_while_reading == [200, 200, 200]


def test_a_bug_of_ours_in_the_email_reader_surfaces_and_is_not_a_refusal() -> None:
    mail = b"From: a@example.dk\r\nDate: Mon, 2 Nov 2026 10:00:00 +0100\r\nSubject: s\r\n\r\nHej"
    not_a_time = "2026-11-02"  # a caller's mistake: `now` must be a datetime
    with pytest.raises(TypeError):
        read_email(mail, not_a_time)  # type: ignore[arg-type]
