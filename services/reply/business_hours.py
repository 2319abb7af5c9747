"""The municipality's business hours: opening hours by weekday in its time zone, closed on
weekends and Danish public holidays (the maintained `holidays` package), and deadlines counted
in them."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

from services.reply.settings import OpeningHours, ReplySettings, Weekday

# A calendar with no business day for ten years is a configuration error, not a long wait.
_SEARCH_DAYS = 3660


class BusinessCalendar:
    def __init__(
        self,
        zone: ZoneInfo,
        opening_hours: Mapping[Weekday, OpeningHours],
        is_closed: Callable[[date], bool],
    ) -> None:
        self.zone = zone
        self._hours = {day.number: hours for day, hours in opening_hours.items()}
        self._is_closed = is_closed
        # Every deadline walks the days after its receipt; the calendar never changes, so each
        # day's hours are worked out once (a thousand days are about three years).
        self._day_hours = functools.lru_cache(maxsize=1024)(self._work_out_hours)

    @classmethod
    def from_settings(cls, settings: ReplySettings) -> BusinessCalendar:
        public = holidays.country_holidays(
            settings.holiday_country,
            categories=settings.holiday_categories,
            language="en_US",
        )
        optional = holidays.country_holidays(
            settings.holiday_country, categories=("optional",), language="en_US"
        )
        also_closed = settings.also_closed_holidays
        extra = settings.closed_dates

        def is_closed(day: date) -> bool:
            if day in public or day in extra:
                return True
            names = optional.get(day)
            return bool(names) and any(n.strip() in also_closed for n in str(names).split(";"))

        return cls(ZoneInfo(settings.timezone), settings.opening_hours, is_closed)

    # ---- days

    def is_business_day(self, day: date) -> bool:
        return day.weekday() in self._hours and not self._is_closed(day)

    def hours_of(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's opening and closing moments, or None when it is closed."""
        return self._day_hours(day)

    def _work_out_hours(self, day: date) -> tuple[datetime, datetime] | None:
        if not self.is_business_day(day):
            return None
        hours = self._hours[day.weekday()]
        return (
            datetime.combine(day, hours.opens, self.zone),
            datetime.combine(day, hours.closes, self.zone),
        )

    def _business_days_from(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        for offset in range(_SEARCH_DAYS):
            hours = self.hours_of(day + timedelta(days=offset))
            if hours:
                yield hours
        raise ValueError(f"no business day within {_SEARCH_DAYS} days of {day}")

    def open_periods(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The opening periods from `start` on, the first one cut at `start`."""
        local = start.astimezone(self.zone)
        for opens, closes in self._business_days_from(local.date()):
            if closes <= local:
                continue
            yield max(opens, local), closes

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        hours = self.hours_of(local.date())
        return hours is not None and hours[0] <= local < hours[1]

    def closes_at(self, moment: datetime) -> bool:
        """True when `moment` is the close of business of its day."""
        local = moment.astimezone(self.zone)
        hours = self.hours_of(local.date())
        return hours is not None and local == hours[1]

    # ---- deadlines

    def deadline(self, received_at: datetime, target: timedelta) -> datetime:
        """When a reply is due for something received at `received_at` with this target.

        The whole days of the target are business days: the reply is due by the close of the
        N-th business day after the day of receipt (a day that has closed, or is no business
        day, counts as the next business day). The hours that remain are counted inside opening
        hours from there.
        """
        days, rest = target.days, target - timedelta(days=target.days)
        moment = received_at
        if days:
            periods = (
                closes
                for _, closes in self._business_days_from(received_at.astimezone(self.zone).date())
            )
            closes = next(periods)
            if received_at >= closes:
                closes = next(periods)
            for _ in range(days):
                closes = next(periods)
            moment = closes
        return self.add_business_time(moment, rest).astimezone(UTC)

    def add_business_time(self, start: datetime, amount: timedelta) -> datetime:
        """The moment `amount` of opening hours after `start`."""
        if amount <= timedelta(0):
            return start
        remaining = amount
        for opens, closes in self.open_periods(start):
            if remaining <= closes - opens:
                return (opens + remaining).astimezone(UTC)
            remaining -= closes - opens
        raise AssertionError("open_periods never ends")  # pragma: no cover

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """The opening hours that lie between two moments (a pause's length in business time)."""
        total = timedelta(0)
        if end <= start:
            return total
        for opens, closes in self.open_periods(start):
            if opens >= end:
                break
            total += min(closes, end) - opens
        return total
