from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.reply.business_hours import BusinessCalendar
from services.reply.settings import ReplySettings
from tests.unit.reply.inquiries import local

ONE_DAY, TEN_DAYS, EIGHT_HOURS = timedelta(days=1), timedelta(days=10), timedelta(hours=8)


@pytest.fixture(scope="module")
def calendar() -> BusinessCalendar:
    return BusinessCalendar.from_settings(ReplySettings())


@pytest.mark.parametrize(
    ("received", "target", "due"),
    [
        # Friday morning: the next business day is Monday.
        (local(2026, 12, 4, 10), ONE_DAY, local(2026, 12, 7, 16)),
        # Friday after closing counts as Monday: due Tuesday.
        (local(2026, 12, 4, 17), ONE_DAY, local(2026, 12, 8, 16)),
        # Saturday counts as Monday.
        (local(2026, 12, 5, 11), ONE_DAY, local(2026, 12, 8, 16)),
        # Wednesday before Easter: Maundy Thursday, Good Friday, the weekend and Easter Monday.
        (local(2026, 4, 1, 10), ONE_DAY, local(2026, 4, 7, 16)),
        # Before Christmas: Christmas Eve (closed), Christmas, the Second Day, the weekend.
        (local(2026, 12, 23, 10), ONE_DAY, local(2026, 12, 28, 16)),
        # Ascension Day (Thursday 14 May 2026) is skipped; the Friday after is open till 15:00.
        (local(2026, 5, 13, 9), ONE_DAY, local(2026, 5, 15, 15)),
        # A letter on Monday 16 November: ten business days is Monday 30 November.
        (local(2026, 11, 16, 9), TEN_DAYS, local(2026, 11, 30, 16)),
        # Hours count inside opening hours: Friday 14:00 (closes 15:00) + 8 h is Monday 15:00.
        (local(2026, 11, 27, 14), EIGHT_HOURS, local(2026, 11, 30, 15)),
        # Before opening, the clock starts at opening: 08:00 + 8 h is the close, 16:00.
        (local(2026, 11, 30, 6), EIGHT_HOURS, local(2026, 11, 30, 16)),
    ],
)
def test_deadline_lands_on_the_right_business_day(
    calendar: BusinessCalendar, received: object, target: timedelta, due: object
) -> None:
    assert calendar.deadline(received, target) == due  # type: ignore[arg-type]


def test_constitution_day_and_extra_closing_days_are_closed() -> None:
    settings = ReplySettings(closed_dates=frozenset({date(2026, 6, 8)}))
    calendar = BusinessCalendar.from_settings(settings)
    assert not calendar.is_business_day(date(2026, 6, 5))  # Grundlovsdag, a Friday
    assert not calendar.is_business_day(date(2026, 6, 8))  # the municipality's own closing day
    assert calendar.deadline(local(2026, 6, 4, 10), ONE_DAY) == local(2026, 6, 9, 16)


def test_business_time_between_counts_only_opening_hours(calendar: BusinessCalendar) -> None:
    # Friday 12:00 to Wednesday 10:00: Friday 3 h, Monday 8 h, Tuesday 8 h, Wednesday 2 h.
    waited = calendar.business_time_between(local(2026, 11, 27, 12), local(2026, 12, 2, 10))
    assert waited == timedelta(hours=21)
    assert calendar.business_time_between(local(2026, 11, 28, 9), local(2026, 11, 29, 20)) == (
        timedelta(0)
    )


def test_adding_business_time_from_closing_continues_next_business_day(
    calendar: BusinessCalendar,
) -> None:
    assert calendar.add_business_time(local(2026, 12, 4, 15), timedelta(hours=3)) == local(
        2026, 12, 7, 11
    )


def test_opening_hours_are_configuration() -> None:
    settings = ReplySettings(
        opening_hours={"monday": "10:00-17:30", "thursday": "10:00-17:30"}  # type: ignore[dict-item]
    )
    calendar = BusinessCalendar.from_settings(settings)
    # Friday counts as the next business day, Monday; one business day more is Thursday.
    assert calendar.deadline(local(2026, 12, 4, 10), ONE_DAY) == local(2026, 12, 10, 17, 30)


def test_opening_hours_that_close_before_they_open_are_refused() -> None:
    with pytest.raises(ValueError, match="close before they open"):
        ReplySettings(opening_hours={"monday": "16:00-08:00"})  # type: ignore[dict-item]
