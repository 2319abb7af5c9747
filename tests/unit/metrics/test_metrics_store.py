"""The persisted daily statistics: counted once per event, in the municipality's calendar."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from services.metrics.settings import MetricsSettings
from services.metrics.store import Statistics
from shared.database import make_engine
from shared.vocabulary import Channel, Complexity, ContactOutcome, Department
from tests.unit.metrics.events import as_read, at, received, triaged

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def _statistics(database_url: str) -> Statistics:
    return Statistics(make_engine(MetricsSettings(database_url=database_url)), zone=COPENHAGEN)


def _counts(statistics: Statistics, day: date) -> dict[tuple[str, ...], int]:
    return {
        (r.event_type, r.channel, r.complexity, r.department, r.outcome): r.count
        for r in statistics.daily_counts(day, day)
    }


def test_a_redelivered_batch_counts_nothing_twice_even_after_a_restart(database_url: str) -> None:
    noon = at("2026-03-02T12:00:00+01:00")
    phone = received(Channel.PHONE, noon, outcome=ContactOutcome.SETTLED_FIRST_CONTACT)
    email = received(Channel.EMAIL, noon)
    decision = triaged(email, noon, complexity=Complexity.SPECIALIST, department=Department.SOF)
    first = _statistics(database_url)
    assert first.record(as_read(phone, email, decision, email)) == as_read(phone, email, decision)
    first.engine.dispose()

    restarted = _statistics(database_url)
    late = received(Channel.EMAIL, noon)
    assert restarted.record(as_read(email, decision, late)) == as_read(late)
    assert _counts(restarted, date(2026, 3, 2)) == {
        ("inquiry.received", "phone", "", "", "settled_first_contact"): 1,
        ("inquiry.received", "email", "", "", ""): 2,
        ("inquiry.triaged", "email", "specialist", "SOF", ""): 1,
    }
    assert restarted.received_per_channel(date(2026, 3, 1), date(2026, 3, 31)) == {
        "phone": 1,
        "email": 2,
    }


def test_an_inquiry_at_half_past_midnight_in_copenhagen_counts_on_that_local_day(
    database_url: str,
) -> None:
    statistics = _statistics(database_url)
    statistics.record(as_read(received(Channel.LETTER, at("2026-01-01T23:30:00+00:00"))))
    assert statistics.received_per_channel(date(2026, 1, 1), date(2026, 1, 1)) == {}
    assert statistics.received_per_channel(date(2026, 1, 2), date(2026, 1, 2)) == {"letter": 1}


def test_counted_ids_are_forgotten_after_their_retention_but_the_counts_stay(
    database_url: str,
) -> None:
    statistics = _statistics(database_url)
    old = received(Channel.CHAT, at("2026-01-01T10:00:00+01:00"))
    recent = received(Channel.CHAT, at("2026-01-20T10:00:00+01:00"))
    statistics.record(as_read(old, recent))
    assert statistics.forget_counted_before(date(2026, 1, 10)) == 1
    # Within the retention a redelivery is still recognised.
    assert statistics.record(as_read(recent)) == []
    assert statistics.received_per_channel(date(2026, 1, 1), date(2026, 1, 31)) == {"chat": 2}
