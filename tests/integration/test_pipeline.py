"""The whole pipeline on the real broker: raw inquiries in, queues, decisions, plans and counts out."""

from __future__ import annotations

import json
import random
import string

import pytest

from shared.events import DeadLettered, InquiryRouted, InquiryTriaged, ReplyPlanned
from shared.topics import (
    INQUIRIES_TRIAGED,
    REPLIES_PLANNED,
    deadletter_topic,
    queue_topic,
    raw_topic,
)
from shared.vocabulary import ALL_QUEUES, Channel
from tests.integration.conftest import Pipeline

pytestmark = pytest.mark.kafka


def unique_tag() -> str:
    """Letters only: a run of digits in an id could read as a CPR number, which intake hashes."""
    return "".join(random.choices(string.ascii_lowercase, k=24))


def raw_inquiry(channel: Channel, tag: str) -> tuple[bytes, list[tuple[str, bytes]]]:
    """One realistic raw message per channel; `tag` makes its channel id unique."""
    if channel is Channel.EMAIL:
        return (
            f"From: Karen Holm <karen.holm@example.dk>\r\nTo: borgerservice@kk.dk\r\n"
            f"Subject: =?utf-8?q?Nyt_sundhedskort_-_flyttet?=\r\nMessage-ID: <{tag}@example.dk>\r\n"
            f"Date: Mon, 23 Nov 2026 09:12:00 +0100\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            f"Hej. Jeg er flyttet og mangler et nyt sundhedskort. Mit CPR-nr. er 120385-1234.\r\n"
            f"Hilsen Karen\r\n"
        ).encode(), []
    if channel is Channel.LETTER:
        letter = (
            "Poul Jensen\nVesterbrogade 12, 2. th\n1620 København V\n\n"
            "København, 12. november 2026\n\nJeg vil gerne klage over afgørelsen om min\n"
            "hjemmehjælp, som er sat ned fra to til én gang om ugen.\n\nMed venlig hilsen\nPoul Jensen\n"
        )
        return letter.encode(), [("scan-id", f"scan-{tag}".encode())]
    notes = {
        Channel.PHONE: {
            "call_id": tag,
            "caller": {"name": "Ali Hassan", "phone": "+45 21 43 65 87"},
            "note": "Borger ringer ang. tømning af skraldespand, den er ikke tømt i to uger.",
            "outcome": "message_taken",
        },
        Channel.IN_PERSON: {
            "visit_id": tag,
            "caller": {"name": "Maria Nowak"},
            "note": "Citizen at the desk wants to renew her passport, needs an appointment.",
            "outcome": "appointment_booked",
        },
        Channel.CHAT: {
            "session_id": tag,
            "citizen": {"name": "Sofie", "email": "sofie@example.dk"},
            "turns": [
                {"from": "agent", "text": "Hej, hvad kan jeg hjælpe med?"},
                {"from": "citizen", "text": "Hvordan søger jeg om plads i vuggestue til min søn?"},
            ],
        },
        Channel.SELF_SERVICE: {
            "submission_id": tag,
            "subject": "Parking permit",
            "text": "How do I apply for a resident parking permit for my new car?",
            "citizen": {"name": "John Smith", "email": "john@example.com"},
        },
    }
    return json.dumps(notes[channel]).encode(), []


def _carries(value: bytes, tags: dict[Channel, str]) -> bool:
    # Queues also carry reply's callback tasks for the same inquiries: count triage's own.
    return b'"producer":"triage"' in value and any(tag.encode() in value for tag in tags.values())


async def test_one_inquiry_per_channel_is_routed_triaged_planned_and_counted(
    pipeline: Pipeline,
) -> None:
    tags = {channel: f"{channel.value}-{unique_tag()}" for channel in Channel}
    counted_before = await pipeline.metric("metrics", "inquiries_received_total")
    for channel, tag in tags.items():
        body, headers = raw_inquiry(channel, tag)
        await pipeline.publish(raw_topic(channel), body, headers=headers)

    queues = {queue_topic(q) for q in ALL_QUEUES}

    def arrived(records: list[tuple[str, bytes]], topics: set[str]) -> int:
        return sum(t in topics and _carries(v, tags) for t, v in records)

    records = await pipeline.collect(
        [*queues, INQUIRIES_TRIAGED],
        until=lambda rs: arrived(rs, queues) == arrived(rs, {INQUIRIES_TRIAGED}) == len(tags),
    )
    routed = [
        (t, InquiryRouted.model_validate_json(v))
        for t, v in records
        if t in queues and _carries(v, tags)
    ]
    triaged = [
        InquiryTriaged.model_validate_json(v)
        for t, v in records
        if t == INQUIRIES_TRIAGED and _carries(v, tags)
    ]
    assert sorted(e.inquiry.channel for _, e in routed) == sorted(Channel)
    assert {e.inquiry_id for e in triaged} == {e.inquiry_id for _, e in routed}
    for topic, event in routed:
        assert topic == queue_topic(event.decision.queue), "routed to the queue it names"
        assert {r.about for r in event.decision.reasons} == {
            "complexity",
            "department",
            "queue",
            "reply_channel",
            # The reply-channel rule's inputs as the shipped model judged them.
            "written_decision",
            "self_service",
            "digitally_ready",
        }
        assert "120385-1234" not in event.inquiry.text
        assert event.decision.model_version

    inquiry_ids = {e.inquiry_id for e in triaged}
    plans = await pipeline.collect(
        [REPLIES_PLANNED],
        until=lambda rs: (
            inquiry_ids <= {ReplyPlanned.model_validate_json(v).inquiry_id for _, v in rs}
        ),
    )
    ours = [ReplyPlanned.model_validate_json(v) for _, v in plans]
    ours = [p for p in ours if p.inquiry_id in inquiry_ids]
    assert {p.inquiry_id for p in ours} == inquiry_ids
    by_inquiry = {e.inquiry_id: e for e in triaged}
    for planned in ours:
        inquiry = by_inquiry[planned.inquiry_id].inquiry
        recommended = by_inquiry[planned.inquiry_id].decision.reply_channel
        # Reply may fall back when it holds no contact details for the recommendation; it says so.
        assert planned.plan.reply_channel == recommended or (
            f"reply by {recommended.value}" in planned.plan.reason
        )
        assert planned.plan.deadline > inquiry.received_at

    wanted = counted_before + len(tags)
    assert await pipeline.metric_reaches("metrics", "inquiries_received_total", wanted) == wanted
    for channel in Channel:
        assert (
            await pipeline.metric_reaches(
                "metrics", "inquiries_triaged_total", 1, channel=channel.value
            )
            >= 1
        )


async def test_malformed_raw_message_is_dead_lettered_with_reason_and_original_bytes(
    pipeline: Pipeline,
) -> None:
    broken = b'{"call_id": "broken-' + unique_tag().encode() + b'", "note": '
    await pipeline.publish(raw_topic(Channel.PHONE), broken)
    records = await pipeline.collect(
        [deadletter_topic("intake")], until=lambda rs: any(broken == _original(v) for _, v in rs)
    )
    letters = [DeadLettered.model_validate_json(v) for _, v in records]
    ours = [d for d in letters if d.dead_letter.original == broken]
    assert len(ours) == 1
    letter = ours[0].dead_letter
    assert letter.stage == "intake"
    assert letter.source_topic == raw_topic(Channel.PHONE)
    assert "not valid JSON" in letter.reason


def _original(value: bytes) -> bytes:
    return DeadLettered.model_validate_json(value).dead_letter.original


async def test_duplicate_email_with_same_message_id_yields_one_inquiry(pipeline: Pipeline) -> None:
    tag = f"dup-{unique_tag()}"
    body, _ = raw_inquiry(Channel.EMAIL, tag)
    await pipeline.publish(raw_topic(Channel.EMAIL), body)
    await pipeline.publish(raw_topic(Channel.EMAIL), body)
    # A third, later copy after the first two were surely processed: the store, not the batch.
    first = await pipeline.collect(
        [INQUIRIES_TRIAGED], until=lambda rs: any(tag.encode() in v for _, v in rs)
    )
    assert any(tag.encode() in v for _, v in first)
    await pipeline.publish(raw_topic(Channel.EMAIL), body)
    marker = f"marker-{unique_tag()}"
    marker_body, _ = raw_inquiry(Channel.EMAIL, marker)
    await pipeline.publish(raw_topic(Channel.EMAIL), marker_body)
    records = await pipeline.collect(
        [INQUIRIES_TRIAGED], until=lambda rs: any(marker.encode() in v for _, v in rs)
    )
    assert sum(tag.encode() in v for _, v in records) == 1
    duplicates = await pipeline.metric_reaches(
        "intake", "intake_raw_messages_total", 2, outcome="duplicate"
    )
    assert duplicates == 2
