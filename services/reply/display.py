"""Words and figures a caseworker reads, the same in the terminal and on the desk: short ids,
local times, the state of a deadline and what is left of it in business hours."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from services.reply.business_hours import BusinessCalendar
from services.reply.tables import PlanRecord, as_utc
from shared.events import InquiryRouted, utc_now
from shared.vocabulary import Language


def short(inquiry_id: uuid.UUID | None) -> str:
    return str(inquiry_id)[:8] if inquiry_id else "-"


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    return f"{as_utc(moment).astimezone(zone):%a %d %b %H:%M}"


def deadline_words(plan: PlanRecord | None, zone: ZoneInfo, now: datetime | None = None) -> str:
    if plan is None:
        return "not planned yet"
    now = now or utc_now()
    if not plan.is_open:
        return f"closed ({plan.closed_action})"
    if plan.paused_since is not None:
        return f"paused since {local_time(plan.paused_since, zone)} (awaiting citizen)"
    due = local_time(plan.deadline, zone)
    return f"OVERDUE since {due}" if as_utc(plan.deadline) <= now else due


def matter(task: InquiryRouted, language: Language = Language.EN) -> str:
    names = task.decision.service_names or {}
    other = Language.DA if language is Language.EN else Language.EN
    return names.get(language) or names.get(other) or task.decision.service_id or "-"


@dataclass(frozen=True)
class Countdown:
    """What is left of a deadline in business hours (negative: overdue by that much)."""

    state: str  # running | overdue | paused | closed | unplanned
    business_time: timedelta

    @property
    def hours(self) -> float:
        return self.business_time.total_seconds() / 3600

    def words(self, language: Language = Language.EN) -> str:
        h, m = divmod(int(abs(self.business_time.total_seconds())) // 60, 60)
        amount = f"{h} t {m} min" if language is Language.DA else f"{h} h {m} min"
        if self.state == "running":
            return (
                f"{amount} arbejdstid tilbage"
                if language is Language.DA
                else (f"{amount} of business time left")
            )
        if self.state == "overdue":
            return (
                f"overskredet med {amount} arbejdstid"
                if language is Language.DA
                else (f"overdue by {amount} of business time")
            )
        return {
            "paused": ("sat på pause: venter på borgeren", "paused: awaiting the citizen"),
            "closed": ("afsluttet", "closed"),
            "unplanned": ("ikke planlagt endnu", "not planned yet"),
        }[self.state][0 if language is Language.DA else 1]


def countdown(
    deadline: datetime | None,
    calendar: BusinessCalendar,
    now: datetime,
    *,
    paused: bool = False,
    closed: bool = False,
) -> Countdown:
    if closed:
        return Countdown("closed", timedelta(0))
    if paused:
        return Countdown("paused", timedelta(0))
    if deadline is None:
        return Countdown("unplanned", timedelta(0))
    if as_utc(deadline) > now:
        return Countdown("running", calendar.business_time_between(now, as_utc(deadline)))
    return Countdown("overdue", calendar.business_time_between(as_utc(deadline), now))
