"""Phone and visit notes (JSON and pasted text), chats (our transcript and Intercom's webhook),
letters (OCR text and PDF), web forms: each becomes one inquiry, or is refused with a reason."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from services.intake.language import detect_language
from services.intake.normalise import Normalised, Refused
from shared.events import Inquiry
from shared.vocabulary import Channel, ContactOutcome, Language
from tests.intake_reading import read_one
from tests.unit.intake.samples import pdf_with_text

SALT = "a-test-salt-of-some-length"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def inquiry(channel: Channel, raw: bytes, **headers: str) -> Inquiry:
    result = read_one(channel, raw, salt=SALT, headers=headers, now=NOW)
    assert isinstance(result, Normalised)
    return result.inquiry


def test_structured_phone_note_carries_caller_agent_duration_and_outcome() -> None:
    note = {
        "call_id": "ph-1",
        "agent": "agent-12",
        "duration_seconds": 339,
        "caller": {"name": "Ingrid Thomsen", "phone": "+45 39 35 32 98"},
        "note": "Borger ringer ang. fornyelse af pas.",
        "outcome": "appointment_booked",
    }
    read = inquiry(Channel.PHONE, json.dumps(note).encode())
    assert (read.channel_message_id, read.agent, read.duration_seconds) == ("ph-1", "agent-12", 339)
    assert read.outcome is ContactOutcome.APPOINTMENT_BOOKED
    assert (read.citizen.name, read.citizen.phone) == ("Ingrid Thomsen", "+45 39 35 32 98")


def test_plain_text_phone_note_yields_what_can_be_taken_from_it() -> None:
    pasted = (
        "Opkald 24.11.2026 kl. 10.02\n"
        "Borger: Karl Mejer, tlf. 22 31 40 55\n"
        "Agent: agent-04\n"
        "Varighed: 4 min 30 sek\n"
        "Udfald: besked taget\n"
        "\n"
        "Vil høre om status på sin ansøgning om boligstøtte. Svar til karl.mejer@example.dk.\n"
    )
    read = inquiry(Channel.PHONE, pasted.encode(), **{"call-id": "desk-778"})
    assert read.channel_message_id == "desk-778"
    assert read.citizen.name == "Karl Mejer"
    assert read.citizen.phone == "22 31 40 55"
    assert read.citizen.email == "karl.mejer@example.dk"
    assert (read.agent, read.duration_seconds) == ("agent-04", 270)
    assert read.outcome is ContactOutcome.MESSAGE_TAKEN
    assert read.received_at == datetime(2026, 11, 24, 9, 2, tzinfo=UTC)  # 10.02 in Copenhagen
    assert "boligstøtte" in read.text
    assert "Agent:" not in read.text


def test_plain_text_visit_note_without_an_id_is_identified_by_its_bytes() -> None:
    pasted = b"Borger ved skranken vil bestille nyt sundhedskort. Booket tid 26/11."
    first = inquiry(Channel.IN_PERSON, pasted)
    assert first.channel_message_id == inquiry(Channel.IN_PERSON, pasted).channel_message_id
    assert first.channel_message_id.startswith("sha256:")
    assert first.received_at == NOW, "a date ahead of now is a booking, not the visit"


def test_a_note_that_looks_like_json_but_is_broken_is_refused_not_read_as_text() -> None:
    refused = read_one(Channel.PHONE, b'{"call_id": "x", "note": ', salt=SALT)
    assert isinstance(refused, Refused)
    assert "not valid JSON" in refused.reason


def test_binary_is_refused_on_every_text_channel() -> None:
    for channel in (Channel.PHONE, Channel.IN_PERSON, Channel.LETTER):
        assert isinstance(read_one(channel, b"\xff\xfe\x00\x01binary", salt=SALT), Refused)


def test_chat_transcript_is_one_inquiry_of_the_citizens_words() -> None:
    chat = {
        "session_id": "chat-1",
        "citizen": {"name": "Sofie"},
        "turns": [
            {"from": "agent", "text": "Hej, hvad kan jeg hjælpe med?"},
            {"from": "citizen", "text": "Hvordan søger jeg vuggestue?"},
            {"from": "agent", "text": "Det gør du på kk.dk."},
            {"from": "citizen", "text": "Tak!"},
        ],
    }
    read = inquiry(Channel.CHAT, json.dumps(chat).encode())
    assert read.text == "Hvordan søger jeg vuggestue?\nTak!"
    assert read.thread_key == "chat:chat-1"


def test_intercom_webhook_conversation_is_read_as_a_transcript() -> None:
    notification = {
        "type": "notification_event",
        "topic": "conversation.admin.closed",
        "id": "notif_1",
        "created_at": 1764000000,
        "data": {
            "type": "notification_event_data",
            "item": {
                "type": "conversation",
                "id": 4471,
                "created_at": 1763990000,
                "source": {
                    "type": "conversation",
                    "body": "<p>Hi, I need a <b>parking permit</b> for my new car.</p>",
                    "author": {"type": "user", "id": "u1", "name": "John Smith", "email": "j@x.dk"},
                },
                "conversation_parts": {
                    "type": "conversation_part.list",
                    "conversation_parts": [
                        {
                            "part_type": "comment",
                            "body": "<p>Which address?</p>",
                            "author": {"type": "admin", "id": "a1", "name": "Agent"},
                        },
                        {
                            "part_type": "note",
                            "body": "<p>internal: check the register</p>",
                            "author": {"type": "admin", "id": "a1"},
                        },
                        {
                            "part_type": "comment",
                            "body": "<p>Nørrebrogade 12, 2200</p>",
                            "author": {"type": "user", "id": "u1"},
                        },
                    ],
                    "total_count": 3,
                },
            },
        },
    }
    read = inquiry(Channel.CHAT, json.dumps(notification).encode())
    assert read.text == "Hi, I need a parking permit for my new car.\nNørrebrogade 12, 2200"
    assert read.channel_message_id == "intercom:4471"
    assert (read.citizen.name, read.citizen.email) == ("John Smith", "j@x.dk")
    assert read.received_at == datetime.fromtimestamp(1763990000, UTC)
    assert read.language is Language.EN


def test_ocr_letter_gives_sender_block_date_and_body_despite_noise() -> None:
    ocr = (
        "M0DTAGET\n19. NOV. 2026\nKøbenhavns Kommune - Scanning\n\n"
        "Kaj Henriksen\nBryggervangen 31, 1.th. ;\n2100 København Ø\n\n"
        "` København, 1O. november 2O26\n\nTil Borgerservice\n\n"
        "Jeg har tabt mit sygesikringskort og har ingen\ncomputer. Send et nyt med posten. »\n"
    )
    read = inquiry(Channel.LETTER, ocr.encode(), **{"scan-id": "scan-1"})
    assert read.citizen.name == "Kaj Henriksen"
    assert read.citizen.address == "Bryggervangen 31, 1.th, 2100 København Ø"
    assert read.letter_date == date(2026, 11, 10)
    assert read.text.startswith("Til Borgerservice")
    assert "ingen computer" in read.text
    assert "MODTAGET" not in read.text.upper()
    assert read.channel_message_id == "scan-1"


def test_pdf_letter_is_read_through_its_text_layer_and_kept_for_the_store() -> None:
    pdf = pdf_with_text(
        [
            "Poul Jensen",
            "Vesterbrogade 12",
            "1620 København V",
            "",
            "København, 12. november 2026",
            "",
            "Jeg vil klage over afgørelsen om min hjemmehjælp.",
        ]
    )
    result = read_one(Channel.LETTER, pdf, salt=SALT, now=NOW)
    assert isinstance(result, Normalised)
    assert result.inquiry.text == "Jeg vil klage over afgørelsen om min hjemmehjælp."
    assert result.inquiry.citizen.name == "Poul Jensen"
    assert [(a.content_type, a.size_bytes) for a in result.inquiry.attachments] == [
        ("application/pdf", len(pdf))
    ]
    assert [o.data for o in result.originals] == [pdf]


def test_pdf_without_a_text_layer_or_broken_is_refused_with_a_reason() -> None:
    blank = read_one(Channel.LETTER, pdf_with_text([]), salt=SALT)
    assert isinstance(blank, Refused)
    assert "no text layer" in blank.reason
    broken = read_one(Channel.LETTER, b"%PDF-1.7\n garbage", salt=SALT)
    assert isinstance(broken, Refused)
    assert "PDF cannot be read" in broken.reason


def test_a_pdf_with_far_more_text_than_a_letter_is_refused_before_it_is_read() -> None:
    """Its size, not its reading time, decides: reading 18,000 lines would take seconds."""
    lines = [
        f"Linje {i}: jeg skriver angående min boligstøtte og beder om svar." for i in range(18_000)
    ]
    huge = read_one(Channel.LETTER, pdf_with_text(lines), salt=SALT)
    assert isinstance(huge, Refused)
    assert "bytes of drawing instructions, more than a letter's" in huge.reason
    fifty_pages_worth = read_one(Channel.LETTER, pdf_with_text(lines[:3_000]), salt=SALT)
    assert not isinstance(fifty_pages_worth, Refused)


def test_web_form_is_read_with_its_subject_and_profile() -> None:
    form = {
        "submission_id": "web-1",
        "subject": "Parking",
        "text": "How do I get a permit?",
        "citizen": {"email": "a@b.dk", "has_pc": True, "uses_netbank": True},
    }
    read = inquiry(Channel.SELF_SERVICE, json.dumps(form).encode())
    assert (read.subject, read.citizen.has_pc) == ("Parking", True)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hej, hvornår bliver skraldet tømt på Ågade?", Language.DA),
        ("My bin on Nørrebrogade was not emptied on Monday, please help.", Language.EN),
        ("Guten Tag, ich brauche eine Wohnsitzbescheinigung.", Language.OTHER),
        ("Hei, jeg trenger hjelp med søknaden om bostøtte.", Language.OTHER),
        ("12345 67 89", Language.OTHER),
    ],
)
def test_language_is_danish_english_or_other(text: str, language: Language) -> None:
    assert detect_language(text) is language
