"""Statistics that last: daily counts per channel, complexity, department and outcome.

Each consumer batch is written in one transaction: its event ids go into a table of counted
events (insert-or-ignore), and only the ids that were new there add to the daily counts. A
redelivered batch therefore counts nothing twice, and the daily table stays small enough to
compare the channel mix year on year.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, delete
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, select

from services.metrics.counted import CountedInquiryReceived, CountedInquiryTriaged
from shared.events import Envelope


class CountedEvent(SQLModel, table=True):
    __tablename__ = "metrics_counted_event"

    event_id: uuid.UUID = Field(primary_key=True)
    counted_on: date = Field(index=True)


class DailyCount(SQLModel, table=True):
    """Inquiries of one day with one combination of facts; "" where a fact does not apply."""

    __tablename__ = "metrics_daily_count"

    day: date = Field(primary_key=True)
    event_type: str = Field(primary_key=True, max_length=40)
    channel: str = Field(primary_key=True, max_length=20)
    complexity: str = Field(default="", primary_key=True, max_length=20)
    department: str = Field(default="", primary_key=True, max_length=8)
    outcome: str = Field(default="", primary_key=True, max_length=40)
    count: int = 0


class DailyKey(NamedTuple):
    day: date
    event_type: str
    channel: str
    complexity: str = ""
    department: str = ""
    outcome: str = ""


_KEY_COLUMNS = list(DailyKey._fields)


class Statistics:
    def __init__(self, engine: Engine, *, zone: ZoneInfo) -> None:
        self.engine = engine
        self.zone = zone

    def day_of(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def record(self, events: Sequence[Envelope]) -> list[Envelope]:
        """Count a batch once: returns the events that had not been counted before."""
        unique = list({e.event_id: e for e in events}.values())
        if not unique:
            return []
        with self.engine.begin() as connection:
            rows = [
                {"event_id": e.event_id, "counted_on": self.day_of(e.occurred_at)} for e in unique
            ]
            # One cached statement, executed for many rows: SQLAlchemy batches them into
            # multi-row INSERTs ("insertmanyvalues") and returns the ids that were new.
            statement = (
                self._insert(CountedEvent).on_conflict_do_nothing().returning(CountedEvent.event_id)
            )
            new_ids = set(connection.execute(statement, rows).scalars())
            fresh = [e for e in unique if e.event_id in new_ids]
            self._add_daily(connection, fresh)
        return fresh

    def _add_daily(self, connection: Connection, events: Sequence[Envelope]) -> None:
        keys = Counter(key for e in events if (key := self._daily_key(e)) is not None)
        if not keys:
            return
        insert = self._insert(DailyCount)
        statement = insert.on_conflict_do_update(
            index_elements=_KEY_COLUMNS,
            set_={"count": DailyCount.count + insert.excluded["count"]},
        )
        connection.execute(statement, [{**k._asdict(), "count": n} for k, n in keys.items()])

    def _daily_key(self, event: Envelope) -> DailyKey | None:
        match event:
            case CountedInquiryReceived(payload=inquiry):
                return DailyKey(
                    self.day_of(event.occurred_at),
                    event.event_type,
                    inquiry.channel.value,
                    outcome=inquiry.outcome.value if inquiry.outcome else "",
                )
            case CountedInquiryTriaged(inquiry=inquiry, decision=decision):
                return DailyKey(
                    self.day_of(event.occurred_at),
                    event.event_type,
                    inquiry.channel.value,
                    complexity=decision.complexity.value,
                    department=decision.department.value,
                )
        return None

    def _insert(self, table: type[SQLModel]) -> Any:
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
        return insert(table)

    def forget_counted_before(self, day: date) -> int:
        """Drop counted ids older than any redelivery can be; the daily counts stay."""
        with self.engine.begin() as connection:
            result = connection.execute(
                delete(CountedEvent).where(CountedEvent.counted_on < day)  # type: ignore[arg-type]
            )
        return int(result.rowcount or 0)

    def daily_counts(self, first: date, last: date) -> list[DailyCount]:
        """Every daily row from `first` to `last`, both included."""
        with Session(self.engine) as session:
            return list(
                session.exec(
                    select(DailyCount)
                    .where(DailyCount.day >= first, DailyCount.day <= last)
                    .order_by(DailyCount.day)  # type: ignore[arg-type]
                )
            )

    def received_per_channel(self, first: date, last: date) -> dict[str, int]:
        totals: Counter[str] = Counter()
        for row in self.daily_counts(first, last):
            if row.event_type == CountedInquiryReceived.EVENT_TYPE:
                totals[row.channel] += row.count
        return dict(totals)
