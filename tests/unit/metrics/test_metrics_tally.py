"""The Prometheus metrics of the metrics service: what each event adds, with bounded labels."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client import CollectorRegistry, generate_latest

from services.metrics.settings import DEFAULT_DEAD_LETTER_REASONS
from services.metrics.tally import ReasonCategories, Tally
from shared.vocabulary import Channel, Complexity, ContactOutcome, Department, ReplyChannel
from tests.prometheus_tools import promtool
from tests.unit.metrics.events import (
    as_read,
    at,
    dead_lettered,
    overdue,
    received,
    reply_sent,
    sent,
    triaged,
)

NOON = at("2026-03-02T12:00:00+01:00")


def _tally() -> tuple[Tally, CollectorRegistry]:
    registry = CollectorRegistry()
    tally = Tally(
        registry, reason_categories=ReasonCategories(DEFAULT_DEAD_LETTER_REASONS), remember=100
    )
    return tally, registry


def _value(registry: CollectorRegistry, name: str, **labels: str) -> float:
    return registry.get_sample_value(name, labels) or 0.0


def test_a_days_events_are_counted_by_channel_decision_reply_and_outcome() -> None:
    tally, registry = _tally()
    call = received(Channel.PHONE, NOON, outcome=ContactOutcome.SETTLED_FIRST_CONTACT)
    visit = received(Channel.IN_PERSON, NOON, outcome=ContactOutcome.TRANSFERRED)
    email = received(Channel.EMAIL, NOON)
    decided = triaged(
        email,
        NOON + timedelta(seconds=0.2),
        complexity=Complexity.SPECIALIST,
        department=Department.SOF,
        reply_channel=ReplyChannel.DIGITAL_POST,
        confidence=0.83,
    )
    abstained = triaged(call, NOON, complexity=Complexity.UNDETERMINED, confidence=0.3)
    action = reply_sent(decided)
    tally.count(as_read(call, visit, email, decided, abstained, action))
    tally.count(
        as_read(sent(action, ReplyChannel.DIGITAL_POST), overdue(decided, ReplyChannel.LETTER))
    )

    assert _value(registry, "inquiries_received_total", channel="phone", language="da") == 1
    assert _value(registry, "inquiries_received_total", channel="email", language="da") == 1
    fcr = {"channel": "phone", "outcome": "settled_first_contact"}
    assert _value(registry, "inquiry_contact_outcomes_total", **fcr) == 1
    transferred = {"channel": "in_person", "outcome": "transferred"}
    assert _value(registry, "inquiry_contact_outcomes_total", **transferred) == 1
    specialist = {
        "channel": "email",
        "complexity": "specialist",
        "department": "SOF",
        "queue": "specialist.SOF",
        "reply_channel": "digital_post",
    }
    assert _value(registry, "inquiries_triaged_total", **specialist) == 1
    assert _value(registry, "triage_decision_confidence_count", complexity="undetermined") == 1
    assert _value(registry, "triage_decision_confidence_sum", complexity="specialist") == 0.83
    replied = {"reply_channel": "digital_post", "kind": "reply"}
    assert _value(registry, "replies_sent_total", **replied) == 1
    assert _value(registry, "replies_overdue_total", reply_channel="letter") == 1
    assert _value(registry, "caseworker_actions_total", action="reply_sent") == 1


def test_latency_runs_from_intakes_publish_not_from_an_old_email_date_header() -> None:
    tally, registry = _tally()
    # The e-mail was written three days ago; intake read it at noon, triage decided 0.3 s later.
    email = received(Channel.EMAIL, NOON, received_at=NOON - timedelta(days=3))
    tally.count(as_read(email, triaged(email, NOON + timedelta(seconds=0.3))))
    # Topics are consumed side by side: a decision read before its receipt still joins it.
    letter = received(Channel.LETTER, NOON)
    tally.count(as_read(triaged(letter, NOON + timedelta(seconds=2))))
    tally.count(as_read(letter))

    assert _value(registry, "inquiry_receipt_to_queue_seconds_sum", channel="email") == 0.3
    assert (
        _value(registry, "inquiry_receipt_to_queue_seconds_bucket", channel="email", le="0.5") == 1
    )
    assert _value(registry, "inquiry_receipt_to_queue_seconds_sum", channel="letter") == 2.0


def test_a_dead_letters_free_text_reason_becomes_a_bounded_category() -> None:
    tally, registry = _tally()
    tally.count(
        as_read(
            dead_lettered("intake", "phone payload is not valid JSON: Expecting value: line 1"),
            dead_lettered("triage", "not a valid inquiry.received event: payload.text: missing"),
            dead_lettered("intake", "Jens Hansen's letter about 120385-1234 made us fail oddly"),
        )
    )
    assert _value(registry, "dead_letters_total", stage="intake", reason="invalid_json") == 1
    assert _value(registry, "dead_letters_total", stage="triage", reason="invalid_format") == 1
    assert _value(registry, "dead_letters_total", stage="intake", reason="other") == 1
    exposition = generate_latest(registry).decode()
    assert "Jens" not in exposition
    assert "120385" not in exposition


def test_exposition_passes_promtool_check_metrics() -> None:
    tally, registry = _tally()
    email = received(Channel.EMAIL, NOON)
    tally.count(as_read(email, triaged(email, NOON), dead_lettered("reply", "not UTF-8")))
    result = promtool("check", "metrics", stdin=generate_latest(registry).decode())
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout + result.stderr == ""
