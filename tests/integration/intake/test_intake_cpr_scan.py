"""A feed full of CPR numbers through the real pipeline; then every topic of the pipeline's
prefix is read from the beginning and no CPR number is found anywhere: not in inquiries,
decisions, queues, plans, outboxes, and not in dead letters either (their bytes are masked;
the untouched original stays in intake's store: docs/intake.md)."""

from __future__ import annotations

import base64
import json
import re
import uuid
from datetime import date
from email.message import EmailMessage
from typing import Any

import pytest

from shared.events import InquiryReceived
from shared.topics import INQUIRIES_RECEIVED, INQUIRIES_TRIAGED, REPLIES_PLANNED, raw_topic
from shared.vocabulary import Channel
from tests.integration.intake.conftest import IntakePipeline
from tests.unit.intake.samples import pdf_with_text

pytestmark = pytest.mark.kafka

# Each channel gets numbers of its own, so a leak names its channel.
NUMBERS = [
    "120385-1234", "0101001234", "311299-9999", "2902004321", "150772-3318", "0512894021",
    "230461-2244", "1709551177", "280290-4612", "0303030303", "101010-1010", "2212991985",
    "060606-6066", "1404801214", "190901-1919", "3001772048",
]  # fmt: skip
# A valid-date DDMMYY(-)SSSS standing alone: not inside a hex digest, a decimal or a longer number.
CPR_PATTERN = re.compile(r"(?<![0-9A-Za-z.-])(\d{2})(\d{2})(\d{2})-?(\d{4})(?![0-9A-Za-z])")


def _valid_date(dd: str, mm: str, yy: str) -> bool:
    for century in (1900, 2000, 1800):
        try:
            date(century + int(yy), int(mm), int(dd))
        except ValueError:
            continue
        return True
    return False


def _feed(marker: str) -> list[tuple[Channel, bytes, list[tuple[str, bytes]]]]:
    n = iter(NUMBERS)
    mail = EmailMessage()
    mail["From"] = f'"Karen {next(n)}" <karen@example.dk>'
    mail["Subject"] = f"Sundhedskort, cpr {next(n)}"
    mail["Message-ID"] = f"<{marker}.1@example.dk>"
    mail.set_content(f"Mit CPR-nr. er {next(n)}. ({marker})")
    mail.add_alternative(f"<p>Mit CPR-nr. er <b>{next(n)}</b>. ({marker})</p>", subtype="html")
    mail.add_attachment(b"scan", maintype="image", subtype="png", filename=f"cpr-{next(n)}.png")
    chat = {
        "session_id": f"{marker}-chat",
        "turns": [
            {"from": "agent", "text": "Hvad er dit cpr?"},
            {"from": "citizen", "text": f"Det er {next(n)} ({marker})"},
        ],
    }
    phone = {"call_id": f"{marker}-call", "note": f"Cpr {next(n)} ringer ({marker})",
             "caller": {"name": f"Borger {next(n)}"}}  # fmt: skip
    letter = (
        f"Poul Jensen\nVesterbrogade 12\n1620 København V\n\nKøbenhavn, 12. november 2026\n\n"
        f"Mit personnummer er {next(n)}. ({marker})\n"
    )
    pdf = pdf_with_text(["Ib Holm", "Ryesgade 7", "2100 København Ø", "",
                         f"CPR {next(n)} ({marker})"])  # fmt: skip
    plain_visit = f"Borger: Jens, cpr {next(n)}\n\nVil have nyt pas ({marker})."
    form = {"submission_id": f"{marker}-form", "subject": f"cpr {next(n)}",
            "text": f"Flytning ({marker})"}  # fmt: skip
    broken_json = f'{{"call_id": "{marker}-broken", "note": "cpr {next(n)}'
    binary_letter = b"\xff\xfe\x00" + f"cpr {next(n)} ({marker})".encode()
    return [
        (Channel.EMAIL, mail.as_bytes(), []),
        (Channel.CHAT, json.dumps(chat).encode(), []),
        (Channel.PHONE, json.dumps(phone).encode(), []),
        (Channel.LETTER, letter.encode(), [("scan-id", f"{marker}-scan".encode())]),
        (Channel.LETTER, pdf, [("scan-id", f"{marker}-pdf".encode())]),
        (Channel.IN_PERSON, plain_visit.encode(), [("visit-id", f"{marker}-visit".encode())]),
        (Channel.SELF_SERVICE, json.dumps(form).encode(), []),
        (Channel.PHONE, broken_json.encode(), [("call-id", f"cpr {next(n)}".encode())]),
        (Channel.LETTER, binary_letter, []),
    ]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


async def test_no_cpr_number_on_any_topic_after_a_feed_full_of_them(
    intake_pipeline: IntakePipeline,
) -> None:
    marker = uuid.uuid4().hex
    feed = _feed(marker)
    readable = 7
    for channel, body, headers in feed:
        await intake_pipeline.publish(raw_topic(channel), body, headers=headers)

    received = await intake_pipeline.collect(
        [INQUIRIES_RECEIVED],
        until=lambda rs: sum(marker.encode() in v for _, v in rs) >= readable,
    )
    ours = {
        InquiryReceived.model_validate_json(v).inquiry_id
        for _, v in received
        if marker.encode() in v
    }
    assert len(ours) == readable

    def all_through(records: list[tuple[str, bytes]]) -> bool:
        done: dict[str, set[Any]] = {INQUIRIES_TRIAGED: set(), REPLIES_PLANNED: set()}
        for topic, value in records:
            done[topic].add(json.loads(value).get("inquiry_id"))
        return all(ours <= {uuid.UUID(i) for i in ids if i} for ids in done.values())

    await intake_pipeline.collect([INQUIRIES_TRIAGED, REPLIES_PLANNED], until=all_through)
    assert await intake_pipeline.metric_reaches(
        "intake", "intake_raw_messages_total", len(feed)
    ) >= len(feed)

    topics = await intake_pipeline.all_topics()
    assert {INQUIRIES_RECEIVED, INQUIRIES_TRIAGED, REPLIES_PLANNED, "deadletter.intake"} <= set(
        topics
    )
    # The raw topics are intake's input: the adapters' bytes as the citizen sent them, read by
    # intake alone. Everything after intake is scanned.
    scanned = [t for t in topics if not t.startswith("intake.raw.")]
    records = await intake_pipeline.read_to_end(scanned)
    assert sum(marker.encode() in v for _, v in records) >= readable * 3

    forms = [n for number in NUMBERS for n in {number, number.replace("-", "")}]
    dead_letters: list[tuple[str, str]] = []
    for topic, value in records:
        texts = [value.decode("utf-8", "replace")]
        document = json.loads(value)
        texts += _strings(document)
        if topic.startswith("deadletter."):
            original = base64.b64decode(document["dead_letter"]["original"])
            texts.append(original.decode("latin-1"))
            if marker.encode() in original:
                dead_letters.append((topic, document["dead_letter"]["reason"]))
        for text in texts:
            leaked = [f for f in forms if f in text]
            assert not leaked, f"{leaked} on {topic}"
            for match in CPR_PATTERN.finditer(text):
                assert not _valid_date(*match.groups()[:3]), f"{match[0]} on {topic}"
    from_intake = [reason for topic, reason in dead_letters if topic == "deadletter.intake"]
    assert len(from_intake) == len(feed) - readable, dead_letters
