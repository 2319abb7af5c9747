from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from services.reply.business_hours import BusinessCalendar
from services.reply.handler import PlannedBatch, plan_batch
from services.reply.settings import TEMPLATES_DIR, ReplySettings
from services.reply.templates import ReplyTemplates, TemplateProblem
from shared.events import (
    DeadLettered,
    InquiryRouted,
    InquiryTriaged,
    OutboxMessage,
    ReplyPlan,
    ReplyPlanned,
    ReplySent,
)
from shared.topics import TopicNames
from shared.vocabulary import Channel, Language, ReplyChannel
from tests.unit.reply.inquiries import local, record, triaged

SETTINGS = ReplySettings()


@pytest.fixture(scope="module")
def calendar() -> BusinessCalendar:
    return BusinessCalendar.from_settings(SETTINGS)


def plan(
    calendar: BusinessCalendar, *values: bytes | InquiryTriaged, templates_dir: Path = TEMPLATES_DIR
) -> PlannedBatch:
    templates = ReplyTemplates.load(templates_dir, SETTINGS.template_fallback)
    return plan_batch(
        [record(v, offset=i) for i, v in enumerate(values)],
        settings=SETTINGS,
        calendar=calendar,
        templates=templates,
        names=TopicNames(),
    )


def only_plan(batch: PlannedBatch) -> ReplyPlan:
    assert len(batch.plans) == 1, [o.topic for o in batch.outgoing]
    return batch.plans[0]


def test_english_email_is_acknowledged_by_email_with_the_deadline_in_words(
    calendar: BusinessCalendar,
) -> None:
    batch = plan(calendar, triaged(received_at=local(2026, 12, 4, 10)))
    reply = only_plan(batch)
    assert reply.kind == "acknowledgement"
    assert reply.delivery == "email"
    assert reply.recipient == "karen.holm@example.dk"
    assert reply.deadline == local(2026, 12, 7, 16)
    assert reply.deadline_text == "You will hear from us by Monday 7 December"
    assert reply.text.startswith("Dear Karen Holm,")
    assert "about passport" in reply.text
    assert "You will hear from us by Monday 7 December." in reply.text
    assert reply.subject == "We have received your inquiry about passport"
    assert reply.notes == []
    # The e-mail itself goes out from the deadline watch; the bus learns of the plan now.
    assert [o.topic for o in batch.outgoing] == ["replies.planned"]
    assert batch.emails_waiting


def test_danish_inquiry_is_answered_in_danish(calendar: BusinessCalendar) -> None:
    reply = only_plan(plan(calendar, triaged(language=Language.DA)))
    assert reply.language is Language.DA
    assert reply.deadline_text == "Du hører fra os senest mandag den 7. december"
    assert reply.text.startswith("Kære Karen Holm")
    assert "om pas" in reply.text


def test_inquiry_in_another_language_is_answered_in_english(calendar: BusinessCalendar) -> None:
    reply = only_plan(plan(calendar, triaged(language=Language.OTHER)))
    assert reply.language is Language.EN


def test_letter_from_citizen_with_phone_number_is_planned_as_callback_with_reason(
    calendar: BusinessCalendar,
) -> None:
    letter = triaged(
        channel=Channel.LETTER,
        received_at=local(2026, 11, 16, 9),
        language=Language.DA,
        reply_channel=ReplyChannel.PHONE,
        reply_reason="Rule 5: phone is the cheapest channel we have contact details for "
        "(it came by letter).",
        citizen={"name": "Poul Jensen", "phone": "+45 21 43 65 87", "address": "Vesterbrogade 12"},
        queue="citizen-service",
    )
    batch = plan(calendar, letter)
    reply = only_plan(batch)
    assert reply.kind == "callback"
    assert reply.reply_channel is ReplyChannel.PHONE
    assert reply.recipient == "+45 21 43 65 87"
    assert reply.reason.startswith(
        "Channel shift on reply: it came by letter, we answer by phone. Rule 5: phone is the "
        "cheapest channel"
    )
    assert reply.deadline == local(2026, 11, 30, 16)  # ten business days
    topics = [o.topic for o in batch.outgoing]
    assert topics == ["replies.planned", "queue.contact-centre", "outbox.phone", "replies.sent"]
    task = batch.outgoing[1].event
    assert isinstance(task, InquiryRouted)
    assert task.callback == reply
    sms = batch.outgoing[2].event
    assert isinstance(sms, OutboxMessage)
    assert sms.recipient == "+45 21 43 65 87"
    assert "Vi ringer til dig på +45 21 43 65 87" in sms.text


def test_self_service_reply_carries_the_link_when_rule_4_decided(
    calendar: BusinessCalendar,
) -> None:
    url = "https://www.kk.dk/borger/pas-id-og-koerekort/pas"
    event = triaged(
        reply_channel=ReplyChannel.SELF_SERVICE,
        reply_reason="Rule 4: A simple matter with a self-service solution.",
        self_service_url=url,
    )
    reply = only_plan(plan(calendar, event))
    assert reply.kind == "reply"
    assert reply.delivery == "email"
    assert url in reply.text


def test_missing_email_address_falls_back_to_the_cheapest_channel_and_says_so(
    calendar: BusinessCalendar,
) -> None:
    event = triaged(
        reply_channel=ReplyChannel.EMAIL,
        reply_reason="Rule 1: The citizen asked to be answered by email.",
        channel=Channel.LETTER,
        citizen={"name": "Poul Jensen", "address": "Vesterbrogade 12, 1620 København V"},
    )
    batch = plan(calendar, event)
    reply = only_plan(batch)
    assert reply.reply_channel is ReplyChannel.LETTER
    assert reply.notes == ["No e-mail address on file for a reply by email: answered by letter."]
    assert reply.notes[0] in reply.reason
    assert reply.recipient == "Poul Jensen\nVesterbrogade 12, 1620 København V"
    assert [o.topic for o in batch.outgoing] == ["replies.planned", "outbox.letter", "replies.sent"]


def test_digital_post_goes_to_its_gateway_by_cpr_key_or_by_name_and_address(
    calendar: BusinessCalendar,
) -> None:
    citizen = {"name": "Ida", "address": "Nørregade 1"}
    with_key = triaged(reply_channel=ReplyChannel.DIGITAL_POST, citizen=citizen, citizen_key="k1")
    without = triaged(reply_channel=ReplyChannel.DIGITAL_POST, citizen=citizen)
    batch = plan(calendar, with_key, without)
    assert [p.reply_channel for p in batch.plans] == [ReplyChannel.DIGITAL_POST] * 2
    assert [p.recipient for p in batch.plans] == ["k1", "Ida\nNørregade 1"]
    assert [o.topic for o in batch.outgoing].count("outbox.digital_post") == 2


def test_digital_post_with_neither_key_nor_address_falls_back_and_says_so(
    calendar: BusinessCalendar,
) -> None:
    event = triaged(reply_channel=ReplyChannel.DIGITAL_POST, citizen={"phone": "+45 11 22 33 44"})
    reply = only_plan(plan(calendar, event))
    assert reply.reply_channel is ReplyChannel.PHONE
    assert reply.notes == [
        "No CPR key or postal address for digital post on file for a reply by digital_post: "
        "answered by phone."
    ]


def test_chat_is_answered_in_the_conversation_without_contact_details(
    calendar: BusinessCalendar,
) -> None:
    event = triaged(channel=Channel.CHAT, reply_channel=ReplyChannel.CHAT, citizen={})
    batch = plan(calendar, event)
    assert only_plan(batch).delivery == "conversation"
    assert [o.topic for o in batch.outgoing] == ["replies.planned"]


def test_letter_with_no_contact_details_at_all_is_a_clear_dead_letter(
    calendar: BusinessCalendar,
) -> None:
    event = triaged(channel=Channel.LETTER, reply_channel=ReplyChannel.LETTER, citizen={})
    batch = plan(calendar, event)
    assert batch.plans == []
    [letter] = [o.event for o in batch.outgoing]
    assert isinstance(letter, DeadLettered)
    assert letter.dead_letter.stage == "reply"
    assert letter.dead_letter.reason.startswith(
        "no reply planned: No postal address on file for a reply by letter"
    )
    assert InquiryTriaged.model_validate_json(letter.dead_letter.original).inquiry_id == (
        event.inquiry_id
    )


def test_triaged_event_with_unknown_fields_is_planned(calendar: BusinessCalendar) -> None:
    body = json.loads(triaged().model_dump_json())
    body["future_field"] = {"anything": 1}
    body["decision"]["new_score"] = 0.3
    body["inquiry"]["citizen"]["shoe_size"] = 44
    batch = plan(calendar, json.dumps(body).encode())
    assert only_plan(batch).kind == "acknowledgement"


def test_unreadable_event_is_dead_lettered_and_the_rest_of_the_batch_planned(
    calendar: BusinessCalendar,
) -> None:
    batch = plan(calendar, b'{"event_type": "inquiry.triaged"', triaged())
    assert len(batch.plans) == 1
    dead = [o.event for o in batch.outgoing if isinstance(o.event, DeadLettered)]
    assert len(dead) == 1
    assert "not a valid inquiry.triaged event" in dead[0].dead_letter.reason


def test_redelivered_event_in_one_batch_is_planned_once(calendar: BusinessCalendar) -> None:
    event = triaged()
    batch = plan(calendar, event, event)
    assert len(batch.plans) == 1
    planned = [o.event for o in batch.outgoing if isinstance(o.event, ReplyPlanned)]
    assert len(planned) == 1


def test_template_missing_for_english_falls_back_to_danish_and_the_plan_says_so(
    calendar: BusinessCalendar, tmp_path: Path
) -> None:
    (tmp_path / "da.yaml").write_text((TEMPLATES_DIR / "da.yaml").read_text(encoding="utf-8"))
    english = yaml.safe_load((TEMPLATES_DIR / "en.yaml").read_text(encoding="utf-8"))
    del english["acknowledgement"]
    (tmp_path / "en.yaml").write_text(yaml.safe_dump(english, allow_unicode=True))
    reply = only_plan(plan(calendar, triaged(language=Language.EN), templates_dir=tmp_path))
    assert reply.language is Language.DA
    assert reply.text.startswith("Kære Karen Holm")
    assert reply.notes == ["No English template for the acknowledgement: written in Danish."]


def test_inquiries_due_at_the_same_moment_each_say_what_their_deadline_fell_back_on(
    calendar: BusinessCalendar, tmp_path: Path
) -> None:
    (tmp_path / "da.yaml").write_text((TEMPLATES_DIR / "da.yaml").read_text(encoding="utf-8"))
    english = yaml.safe_load((TEMPLATES_DIR / "en.yaml").read_text(encoding="utf-8"))
    del english["deadline"]
    (tmp_path / "en.yaml").write_text(yaml.safe_dump(english, allow_unicode=True))
    friday = local(2026, 12, 4, 10)
    batch = plan(
        calendar,
        triaged(received_at=friday, language=Language.EN),
        triaged(received_at=friday, language=Language.EN),
        triaged(received_at=friday, language=Language.DA),
        templates_dir=tmp_path,
    )
    # The Danish sentence with the English names of the day and the month.
    fell_back = "No English template for the deadline: used the Danish one."
    assert [(p.deadline_text, p.notes) for p in batch.plans] == [
        ("Du hører fra os senest Monday den 7. December", [fell_back]),
        ("Du hører fra os senest Monday den 7. December", [fell_back]),
        ("Du hører fra os senest mandag den 7. december", []),
    ]


def test_a_deadline_is_worded_in_the_municipalitys_time_whatever_zone_it_is_given_in(
    calendar: BusinessCalendar,
) -> None:
    templates = ReplyTemplates.load(TEMPLATES_DIR, SETTINGS.template_fallback)
    due = local(2026, 12, 7, 14, 30)
    words = [
        templates.deadline_text(moment, Language.EN, show_time=True, notes=[])
        for moment in (due, due.astimezone(ZoneInfo("America/New_York")), due)
    ]
    assert words == [
        "You will hear from us by Monday 7 December at 14:30",
        "You will hear from us by Monday 7 December at 08:30",
        "You will hear from us by Monday 7 December at 14:30",
    ]


def test_templates_may_use_jinjas_own_globals(calendar: BusinessCalendar, tmp_path: Path) -> None:
    english = yaml.safe_load((TEMPLATES_DIR / "en.yaml").read_text(encoding="utf-8"))
    english["subject"] = "{% for _ in range(2) %}Re: {% endfor %}{{ matter }}"
    (tmp_path / "en.yaml").write_text(yaml.safe_dump(english, allow_unicode=True))
    reply = only_plan(plan(calendar, triaged(language=Language.EN), templates_dir=tmp_path))
    assert reply.subject == "Re: Re: Passport"


def test_template_naming_an_unknown_variable_is_refused_at_start_up(tmp_path: Path) -> None:
    (tmp_path / "en.yaml").write_text("acknowledgement: 'Dear {{ nmae }}'\n")
    with pytest.raises(TemplateProblem, match=r"en.yaml: template 'acknowledgement'.*nmae"):
        ReplyTemplates.load(tmp_path, SETTINGS.template_fallback)


def test_callback_announcement_is_counted_as_sent_on_the_bus(calendar: BusinessCalendar) -> None:
    event = triaged(reply_channel=ReplyChannel.PHONE, citizen={"phone": "+45 11 22 33 44"})
    sent = [o.event for o in plan(calendar, event).outgoing if isinstance(o.event, ReplySent)]
    assert [(s.kind, s.reply_channel, s.via) for s in sent] == [
        ("callback", ReplyChannel.PHONE, "outbox")
    ]
