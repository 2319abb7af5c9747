"""Reply's store: every plan with its deadline, every pause of a deadline, every caseworker action
applied, and what went out. SQLite by default, PostgreSQL by DATABASE_URL; idempotent on the
ids of the events that caused each row, so a redelivery changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    String,
    TypeDecorator,
    and_,
    func,
    or_,
    text,
    update,
)
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from services.reply.business_hours import BusinessCalendar
from services.reply.settings import ReplySettings
from shared.database import insert_new
from shared.events import CaseworkerAction, InquiryRouted, InquiryTriaged, ReplyPlan
from shared.retention import Expiry, delete_rows
from shared.vocabulary import CaseworkerActionKind, Complexity, specialist_queue


def as_utc(moment: datetime) -> datetime:
    """SQLite keeps no time zone: every moment is stored in UTC and read back as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class UtcMoment(TypeDecorator[datetime]):
    """A moment stored in UTC and read back aware, on SQLite (which keeps no zone) as well."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)


def _moment(**kwargs: Any) -> Any:
    return Field(sa_column=Column(UtcMoment(), **kwargs))


# Plans the deadline watch looks at: open, running, not reported overdue yet. Indexed by deadline
# alone, the watch's question ("which of them are past their deadline?") reads only the plans that
# are, however many plans are open or were reported before.
_AWAITING_DEADLINE = "closed_at IS NULL AND paused_since IS NULL AND overdue_at IS NULL"
# E-mails sent or given up whose event is not published yet: a handful, however many went out.
_UNANNOUNCED = "delivery_announced_at IS NULL AND delivery_state IN ('sent', 'failed')"


class PlanRecord(SQLModel, table=True):
    __tablename__ = "reply_plan"
    __table_args__ = (
        Index(
            "ix_reply_plan_awaiting_deadline",
            "deadline",
            sqlite_where=text(_AWAITING_DEADLINE),
            postgresql_where=text(_AWAITING_DEADLINE),
        ),
        Index(
            "ix_reply_plan_unannounced",
            "plan_id",
            sqlite_where=text(_UNANNOUNCED),
            postgresql_where=text(_UNANNOUNCED),
        ),
    )

    plan_id: uuid.UUID = Field(primary_key=True)
    inquiry_id: uuid.UUID = Field(index=True, unique=True)
    # The salted hash of the citizen's CPR number, when the inquiry gave one: what an erasure finds.
    citizen_key: str | None = Field(default=None, index=True, max_length=128)
    triaged_event_id: uuid.UUID
    thread_key: str
    channel: str
    received_at: datetime = _moment(nullable=False)
    queue: str = Field(index=True)
    complexity: str
    department: str
    model_version: str
    kind: str
    reply_channel: str
    delivery: str
    language: str
    deadline: datetime = _moment(nullable=False)
    first_deadline: datetime = _moment(nullable=False)
    paused_since: datetime | None = _moment(nullable=True)
    # pending (e-mail to send) | sending | sent | failed | handed_over (outbox, callback)
    # | in_conversation
    delivery_state: str = Field(index=True)
    delivery_attempts: int = 0
    delivered_at: datetime | None = _moment(nullable=True)
    delivery_error: str | None = None
    # The e-mail outbox (docs/reliability.md): when a pending e-mail is due again after a
    # refusal, which instance is sending it until when, and when replies.sent or the dead
    # letter told the others what became of it.
    delivery_next_attempt_at: datetime | None = _moment(nullable=True)
    delivery_lease_owner: str | None = None
    delivery_lease_expires_at: datetime | None = _moment(nullable=True)
    delivery_announced_at: datetime | None = _moment(nullable=True)
    overdue_at: datetime | None = _moment(nullable=True)
    claimed_by: str | None = None
    claimed_at: datetime | None = _moment(nullable=True)
    closed_at: datetime | None = _moment(nullable=True)
    closed_by: str | None = None
    closed_action: str | None = None
    plan_json: str = Field(sa_column=Column(String, nullable=False))
    routed_json: str = Field(
        sa_column=Column(String, nullable=False),
        description="The triaged event as reply read it: the inquiry and its decision, for "
        "callbacks, reroutes and `queue show`, read back as the routed copy",
    )

    @property
    def plan(self) -> ReplyPlan:
        return ReplyPlan.model_validate_json(self.plan_json)

    @property
    def routed(self) -> InquiryRouted:
        # The routed copy carries the triaged event's fields; stores written before kept it
        # under the routed type already.
        routed = InquiryRouted.model_validate_json(self.routed_json)
        return routed.model_copy(update={"event_type": InquiryRouted.EVENT_TYPE})

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class DeadlinePause(SQLModel, table=True):
    """One wait for the citizen: kept for audit, with the deadline before and after."""

    __tablename__ = "reply_deadline_pause"

    pause_id: uuid.UUID = Field(primary_key=True, description="The awaiting_citizen action's id")
    plan_id: uuid.UUID = Field(index=True)
    paused_at: datetime = _moment(nullable=False)
    paused_by: str
    resumed_at: datetime | None = _moment(nullable=True)
    resumed_by: str | None = None
    resume_event_id: uuid.UUID | None = None
    paused_business_seconds: int | None = None
    deadline_before: datetime = _moment(nullable=False)
    deadline_after: datetime | None = _moment(nullable=True)


class ActionRecord(SQLModel, table=True):
    """Every caseworker action reply has read, and what it did to the plan."""

    __tablename__ = "reply_caseworker_action"

    event_id: uuid.UUID = Field(primary_key=True)
    inquiry_id: uuid.UUID | None = Field(index=True)
    plan_id: uuid.UUID | None = None
    action: str
    caseworker: str
    queue: str
    to_queue: str | None = None
    occurred_at: datetime = _moment(nullable=False)
    outcome: str
    action_json: str = Field(sa_column=Column(String, nullable=False))


class WorkItem(SQLModel, table=True):
    """One piece of a caseworker's work, fed from the queue topics: an inquiry (or a callback
    task) in its queue, claimed by at most one caseworker at a time, until its claim expires."""

    __tablename__ = "reply_work_item"
    __table_args__ = (Index("ix_reply_work_item_queue_open", "queue", "closed_at"),)

    item_id: uuid.UUID = Field(primary_key=True, description="From the inquiry id and the kind")
    inquiry_id: uuid.UUID = Field(index=True)
    kind: str = Field(description="inquiry | callback")
    queue: str
    thread_key: str
    received_at: datetime = _moment(nullable=False)
    routed_at: datetime = _moment(nullable=False)
    # A callback's own deadline; an inquiry's is its plan's (reply_plan), which pauses move.
    deadline: datetime | None = _moment(nullable=True)
    claimed_by: str | None = Field(default=None, index=True)
    claimed_at: datetime | None = _moment(nullable=True)
    # None with a claimant: held while the deadline is paused for the citizen.
    claim_expires_at: datetime | None = _moment(nullable=True)
    closed_at: datetime | None = _moment(nullable=True)
    closed_by: str | None = None
    routed_json: str = Field(sa_column=Column(String, nullable=False))

    @property
    def routed(self) -> InquiryRouted:
        return InquiryRouted.model_validate_json(self.routed_json)


class WorkFeedPosition(SQLModel, table=True):
    """How far the work table has read each partition of each queue topic; moved in the same
    transaction as the items, so any number of feeders (the desk, the command) agree."""

    __tablename__ = "reply_work_feed"

    topic: str = Field(primary_key=True)
    partition: int = Field(primary_key=True)
    next_offset: int


class CaseworkerEmail(SQLModel, table=True):
    """A caseworker's reply written on the desk, sent over SMTP once by the e-mail sender, under
    a lease as the planned e-mails are (services/reply/sender.py)."""

    __tablename__ = "reply_caseworker_email"

    event_id: uuid.UUID = Field(primary_key=True, description="The reply_sent action's id")
    inquiry_id: uuid.UUID | None
    recipient: str
    subject: str
    language: str
    text: str = Field(sa_column=Column(String, nullable=False))
    in_reply_to: str | None = None
    # pending | sending | sent | failed
    delivery_state: str = Field(index=True)
    delivery_attempts: int = 0
    delivered_at: datetime | None = _moment(nullable=True)
    delivery_error: str | None = None
    # The instance sending it and until when; another takes it over only after that.
    delivery_lease_owner: str | None = None
    delivery_lease_expires_at: datetime | None = _moment(nullable=True)


WAITING_FOR_PLAN = "waiting for the plan"


@dataclass(frozen=True)
class Applied:
    outcome: str
    plan: PlanRecord | None
    new: bool


def plan_row(event: InquiryTriaged, plan: ReplyPlan, event_json: str) -> dict[str, Any]:
    """The row of a new plan; e-mails wait for the deadline watch to send them.

    `event_json` is the triaged event as read from the bus, kept as it came: serialising the
    event again cost a tenth of reply's handler (27 µs a plan).
    """
    decision = event.decision
    state = {"email": "pending", "conversation": "in_conversation"}.get(
        plan.delivery or "", "handed_over"
    )
    return {
        "plan_id": plan.plan_id,
        "inquiry_id": event.inquiry_id,
        "citizen_key": event.inquiry.citizen_key,
        "triaged_event_id": event.event_id,
        "thread_key": event.inquiry.thread_key,
        "channel": event.inquiry.channel.value,
        "received_at": as_utc(event.inquiry.received_at),
        "queue": decision.queue,
        "complexity": decision.complexity.value,
        "department": decision.department.value,
        "model_version": decision.model_version,
        "kind": plan.kind,
        "reply_channel": plan.reply_channel.value,
        "delivery": plan.delivery or "conversation",
        "language": plan.language.value,
        "deadline": as_utc(plan.deadline),
        "first_deadline": as_utc(plan.deadline),
        "paused_since": None,
        "delivery_state": state,
        "delivery_attempts": 0,
        "delivered_at": None,
        "delivery_error": None,
        "delivery_next_attempt_at": None,
        "delivery_lease_owner": None,
        "delivery_lease_expires_at": None,
        "delivery_announced_at": None,
        "overdue_at": None,
        "claimed_by": None,
        "claimed_at": None,
        "closed_at": None,
        "closed_by": None,
        "closed_action": None,
        "plan_json": plan.model_dump_json(),
        "routed_json": event_json,
    }


class ReplyStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ---- plans

    def add_plans(self, rows: Sequence[dict[str, Any]], calendar: BusinessCalendar) -> int:
        """Insert new plans (a redelivered one is skipped) and apply actions that came first."""
        added = insert_new(self.engine, PlanRecord, list(rows))
        inquiry_ids = [r["inquiry_id"] for r in rows]
        with Session(self.engine) as session:
            early = session.exec(
                select(ActionRecord)
                .where(col(ActionRecord.inquiry_id).in_(inquiry_ids))
                .where(ActionRecord.outcome == WAITING_FOR_PLAN)
                .order_by(col(ActionRecord.occurred_at))
            ).all()
            for record in early:
                plan = self._plan_of(session, record.inquiry_id)
                if plan is None:
                    continue
                action = CaseworkerAction.model_validate_json(record.action_json)
                record.outcome = _apply(session, plan, action, calendar)
                record.plan_id = plan.plan_id
                session.add(record)
            session.commit()
        return added

    @staticmethod
    def _plan_of(session: Session, inquiry_id: uuid.UUID | None) -> PlanRecord | None:
        if inquiry_id is None:
            return None
        return session.exec(select(PlanRecord).where(PlanRecord.inquiry_id == inquiry_id)).first()

    # ---- personal data: retention and erasure (docs/privacy.md)

    def purge(self, before: datetime) -> int:
        """Plans closed before the cutoff, with their pauses and actions; open plans stay."""
        with Session(self.engine) as session:
            closed = session.exec(
                select(PlanRecord.plan_id, PlanRecord.inquiry_id).where(
                    col(PlanRecord.closed_at) < as_utc(before)
                )
            ).all()
        return self._forget(closed)

    def citizen_plans(self, citizen_key: str) -> list[PlanRecord]:
        with Session(self.engine) as session:
            return list(
                session.exec(select(PlanRecord).where(PlanRecord.citizen_key == citizen_key))
            )

    def forget_inquiries(self, inquiry_ids: Iterable[uuid.UUID]) -> int:
        """A citizen's erasure: the plans of their inquiries, with their pauses and actions."""
        ids = list(inquiry_ids)
        with Session(self.engine) as session:
            plans = session.exec(
                select(PlanRecord.plan_id, PlanRecord.inquiry_id).where(
                    col(PlanRecord.inquiry_id).in_(ids)
                )
            ).all()
        actions = delete_rows(self.engine, ActionRecord, col(ActionRecord.inquiry_id).in_(ids))
        return self._forget(plans) + actions

    def _forget(self, plans: Sequence[tuple[uuid.UUID, uuid.UUID]]) -> int:
        plan_ids = [p for p, _ in plans]
        inquiry_ids = [i for _, i in plans]
        gone = delete_rows(self.engine, DeadlinePause, col(DeadlinePause.plan_id).in_(plan_ids))
        gone += delete_rows(
            self.engine, ActionRecord, col(ActionRecord.inquiry_id).in_(inquiry_ids)
        )
        return gone + delete_rows(self.engine, PlanRecord, col(PlanRecord.plan_id).in_(plan_ids))

    def plan_for(self, inquiry_id: uuid.UUID) -> PlanRecord | None:
        with Session(self.engine) as session:
            return self._plan_of(session, inquiry_id)

    def plans_for(self, inquiry_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, PlanRecord]:
        wanted = list(set(inquiry_ids))
        if not wanted:
            return {}
        with Session(self.engine) as session:
            rows = session.exec(
                select(PlanRecord).where(col(PlanRecord.inquiry_id).in_(wanted))
            ).all()
        return {r.inquiry_id: r for r in rows}

    def find(self, id_or_prefix: str) -> list[PlanRecord]:
        """Plans whose inquiry id starts with what a person typed (the short ids of the tables)."""
        prefix = id_or_prefix.strip().lower()
        with Session(self.engine) as session:
            try:
                exact = self._plan_of(session, uuid.UUID(prefix))
                return [exact] if exact else []
            except ValueError:
                pass
            rows = session.exec(select(PlanRecord).order_by(col(PlanRecord.received_at))).all()
        return [r for r in rows if str(r.inquiry_id).startswith(prefix)]

    def pauses(self, plan_id: uuid.UUID) -> list[DeadlinePause]:
        with Session(self.engine) as session:
            return list(
                session.exec(
                    select(DeadlinePause)
                    .where(DeadlinePause.plan_id == plan_id)
                    .order_by(col(DeadlinePause.paused_at))
                ).all()
            )

    def actions(self, inquiry_id: uuid.UUID) -> list[ActionRecord]:
        with Session(self.engine) as session:
            return list(
                session.exec(
                    select(ActionRecord)
                    .where(ActionRecord.inquiry_id == inquiry_id)
                    .order_by(col(ActionRecord.occurred_at))
                ).all()
            )

    def open_by_queue(self, now: datetime) -> dict[str, tuple[int, int]]:
        """Open plans and how many of them are past their deadline, by queue."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(
                    PlanRecord.queue,
                    func.count(),
                    func.count().filter(col(PlanRecord.deadline) <= as_utc(now)),
                )
                .where(col(PlanRecord.closed_at).is_(None))
                .group_by(PlanRecord.queue)
            ).all()
        return {queue: (int(open_), int(late)) for queue, open_, late in rows}

    def queue_backlog(self) -> dict[str, tuple[int, datetime]]:
        """Open plans and when the oldest of them was received, by caseworkers' queue."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(PlanRecord.queue, func.count(), func.min(PlanRecord.received_at))
                .where(col(PlanRecord.closed_at).is_(None))
                .group_by(PlanRecord.queue)
            ).all()
        return {queue: (int(open_), as_utc(oldest)) for queue, open_, oldest in rows}

    # ---- caseworker actions

    def apply_action(self, action: CaseworkerAction, calendar: BusinessCalendar) -> Applied:
        """Apply one action once: a redelivered action returns what it did the first time."""
        with Session(self.engine) as session:
            seen = session.get(ActionRecord, action.event_id)
            if seen is not None:
                return Applied(seen.outcome, self._plan_of(session, seen.inquiry_id), new=False)
            plan = self._plan_of(session, action.inquiry_id)
            outcome = _apply(session, plan, action, calendar) if plan else WAITING_FOR_PLAN
            session.add(
                ActionRecord(
                    event_id=action.event_id,
                    inquiry_id=action.inquiry_id,
                    plan_id=plan.plan_id if plan else None,
                    action=action.action.value,
                    caseworker=action.caseworker,
                    queue=action.queue,
                    to_queue=action.to_queue,
                    occurred_at=as_utc(action.occurred_at),
                    outcome=outcome,
                    action_json=action.model_dump_json(exclude={"note"}),
                )
            )
            session.commit()
            if plan is not None:
                session.refresh(plan)
            return Applied(outcome, plan, new=True)

    # ---- the e-mail outbox: claimed under a lease, one outcome recorded per e-mail

    def claim_emails(
        self, owner: str, now: datetime, *, lease: timedelta, limit: int
    ) -> list[PlanRecord]:
        """Take up to `limit` e-mails that are due for this instance until the lease expires:
        pending ones whose back-off has passed, and ones whose sender's lease ran out (it died).
        The conditional update lets one instance win each e-mail, on SQLite and PostgreSQL."""
        now = as_utc(now)
        due = _email_due(now)
        with self.engine.begin() as connection:
            candidates = list(
                connection.execute(
                    select(PlanRecord.plan_id)
                    .where(due)
                    .order_by(col(PlanRecord.received_at))
                    .limit(limit)
                    # PostgreSQL: instances claiming at once pick different e-mails.
                    .with_for_update(skip_locked=True)
                ).scalars()
            )
            if not candidates:
                return []
            claimed = set(
                connection.execute(
                    update(PlanRecord)
                    .where(col(PlanRecord.plan_id).in_(candidates))
                    .where(due)
                    .values(
                        delivery_state="sending",
                        delivery_lease_owner=owner,
                        delivery_lease_expires_at=now + lease,
                    )
                    .returning(col(PlanRecord.plan_id))
                ).scalars()
            )
        with Session(self.engine) as session:
            rows = session.exec(
                select(PlanRecord).where(col(PlanRecord.plan_id).in_(list(claimed)))
            ).all()
        return sorted(rows, key=lambda r: as_utc(r.received_at))

    def email_sent(self, plan_id: uuid.UUID, owner: str, now: datetime) -> bool:
        """The mail server accepted it; False if this instance no longer held it."""
        return self._outcome(
            plan_id,
            owner,
            delivery_state="sent",
            delivered_at=as_utc(now),
            delivery_error=None,
            delivery_attempts=col(PlanRecord.delivery_attempts) + 1,
        )

    def email_retry(
        self, plan_id: uuid.UUID, owner: str, error: str, *, next_attempt_at: datetime
    ) -> bool:
        """Refused for now: pending again, due after its back-off."""
        return self._outcome(
            plan_id,
            owner,
            delivery_state="pending",
            delivery_error=error[:500],
            delivery_next_attempt_at=as_utc(next_attempt_at),
            delivery_attempts=col(PlanRecord.delivery_attempts) + 1,
        )

    def email_failed(self, plan_id: uuid.UUID, owner: str, error: str, *, attempted: bool) -> bool:
        """Given up: a permanent refusal, the last attempt, or an e-mail that cannot be built."""
        attempts = col(PlanRecord.delivery_attempts) + (1 if attempted else 0)
        return self._outcome(
            plan_id,
            owner,
            delivery_state="failed",
            delivery_error=error[:500],
            delivery_attempts=attempts,
        )

    def release_emails(self, plan_ids: Sequence[uuid.UUID], owner: str) -> None:
        """E-mails claimed but not tried (the round stopped): pending again, due at once."""
        self._update(
            plan_ids,
            col(PlanRecord.delivery_state) == "sending",
            col(PlanRecord.delivery_lease_owner) == owner,
            delivery_state="pending",
            delivery_lease_owner=None,
            delivery_lease_expires_at=None,
        )

    def next_email_due(self) -> datetime | None:
        """When the earliest waiting e-mail is due: a back-off or a lease ending."""
        with Session(self.engine) as session:
            pending = session.exec(
                select(
                    func.min(
                        func.coalesce(PlanRecord.delivery_next_attempt_at, PlanRecord.received_at)
                    )
                ).where(PlanRecord.delivery_state == "pending")
            ).one()
            leased = session.exec(
                select(func.min(PlanRecord.delivery_lease_expires_at)).where(
                    PlanRecord.delivery_state == "sending"
                )
            ).one()
        moments = [as_utc(m) for m in (pending, leased) if m is not None]
        return min(moments) if moments else None

    def unannounced_emails(self, *, limit: int) -> list[PlanRecord]:
        """E-mails sent or given up whose replies.sent event or dead letter is not out yet."""
        with Session(self.engine) as session:
            return list(
                session.exec(
                    select(PlanRecord)
                    .where(col(PlanRecord.delivery_announced_at).is_(None))
                    .where(col(PlanRecord.delivery_state).in_(["sent", "failed"]))
                    .limit(limit)
                ).all()
            )

    def announced(self, plan_ids: Sequence[uuid.UUID], now: datetime) -> None:
        self._update(plan_ids, delivery_announced_at=as_utc(now))

    def _update(self, plan_ids: Sequence[uuid.UUID], *conditions: Any, **values: Any) -> None:
        if not plan_ids:
            return
        with self.engine.begin() as connection:
            connection.execute(
                update(PlanRecord)
                .where(col(PlanRecord.plan_id).in_(list(plan_ids)), *conditions)
                .values(**values)
            )

    def _outcome(self, plan_id: uuid.UUID, owner: str, **values: Any) -> bool:
        """Record what became of an e-mail this instance holds; the lease ends with it."""
        with self.engine.begin() as connection:
            result = connection.execute(
                update(PlanRecord)
                .where(col(PlanRecord.plan_id) == plan_id)
                .where(col(PlanRecord.delivery_state) == "sending")
                .where(col(PlanRecord.delivery_lease_owner) == owner)
                .values(
                    delivery_lease_owner=None,
                    delivery_lease_expires_at=None,
                    **values,
                )
            )
        return bool(result.rowcount)

    # ---- a caseworker's e-mail replies

    def add_caseworker_emails(self, rows: list[dict[str, Any]]) -> int:
        return insert_new(self.engine, CaseworkerEmail, rows)

    def claim_caseworker_emails(
        self, owner: str, now: datetime, *, lease: timedelta, limit: int = 50
    ) -> list[CaseworkerEmail]:
        """Desk replies waiting to be sent, and those whose sender's lease ran out (it died),
        claimed for `owner` until the lease expires: one instance wins each."""
        now = as_utc(now)
        due = or_(
            col(CaseworkerEmail.delivery_state) == "pending",
            and_(
                col(CaseworkerEmail.delivery_state) == "sending",
                col(CaseworkerEmail.delivery_lease_expires_at) < now,
            ),
        )
        with self.engine.begin() as connection:
            candidates = list(
                connection.execute(
                    select(CaseworkerEmail.event_id)
                    .where(due)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                ).scalars()
            )
            if not candidates:
                return []
            claimed = list(
                connection.execute(
                    update(CaseworkerEmail)
                    .where(col(CaseworkerEmail.event_id).in_(candidates))
                    .where(due)
                    .values(
                        delivery_state="sending",
                        delivery_lease_owner=owner,
                        delivery_lease_expires_at=now + lease,
                        delivery_attempts=CaseworkerEmail.delivery_attempts + 1,
                    )
                    .returning(col(CaseworkerEmail.event_id))
                ).scalars()
            )
        with Session(self.engine) as session:
            return list(
                session.exec(
                    select(CaseworkerEmail).where(col(CaseworkerEmail.event_id).in_(claimed))
                ).all()
            )

    def caseworker_email_outcome(self, event_id: uuid.UUID, owner: str, **values: Any) -> bool:
        """Record what became of a desk reply this instance holds; the lease ends with it.
        False when another instance took it over meanwhile."""
        with self.engine.begin() as connection:
            result = connection.execute(
                update(CaseworkerEmail)
                .where(col(CaseworkerEmail.event_id) == event_id)
                .where(col(CaseworkerEmail.delivery_state) == "sending")
                .where(col(CaseworkerEmail.delivery_lease_owner) == owner)
                .values(**values, delivery_lease_owner=None, delivery_lease_expires_at=None)
            )
        return bool(result.rowcount)

    # ---- overdue deadlines

    def past_deadline(self, now: datetime, *, limit: int = 500) -> list[PlanRecord]:
        """Open, running plans whose deadline has passed and that were not reported yet."""
        with Session(self.engine) as session:
            return list(
                session.exec(
                    select(PlanRecord)
                    .where(col(PlanRecord.closed_at).is_(None))
                    .where(col(PlanRecord.paused_since).is_(None))
                    .where(col(PlanRecord.overdue_at).is_(None))
                    .where(col(PlanRecord.deadline) <= as_utc(now))
                    .order_by(col(PlanRecord.deadline))
                    .limit(limit)
                ).all()
            )

    def mark_overdue(self, plan_ids: Sequence[uuid.UUID], now: datetime) -> list[uuid.UUID]:
        """Flag plans overdue; returns those this call flagged (another instance may race)."""
        if not plan_ids:
            return []
        with self.engine.begin() as connection:
            flagged = set(
                connection.execute(
                    update(PlanRecord)
                    .where(col(PlanRecord.plan_id).in_(plan_ids))
                    .where(col(PlanRecord.overdue_at).is_(None))
                    .values(overdue_at=as_utc(now))
                    .returning(col(PlanRecord.plan_id))
                ).scalars()
            )
        return [plan_id for plan_id in plan_ids if plan_id in flagged]

    def unmark_overdue(self, plan_ids: Sequence[uuid.UUID]) -> None:
        """The overdue event could not be published: let the next check try again."""
        self._update(plan_ids, overdue_at=None)


def _email_due(now: datetime) -> Any:
    """Pending and past its back-off, or being sent by an instance whose lease ran out."""
    return or_(
        and_(
            col(PlanRecord.delivery_state) == "pending",
            or_(
                col(PlanRecord.delivery_next_attempt_at).is_(None),
                col(PlanRecord.delivery_next_attempt_at) <= now,
            ),
        ),
        and_(
            col(PlanRecord.delivery_state) == "sending",
            col(PlanRecord.delivery_lease_expires_at) <= now,
        ),
    )


def _apply(
    session: Session, plan: PlanRecord, action: CaseworkerAction, calendar: BusinessCalendar
) -> str:
    """What one action does to an open plan; returns the outcome in words, for the audit."""
    at = as_utc(action.occurred_at)
    kind = action.action
    if kind is CaseworkerActionKind.CLAIM:
        plan.claimed_by, plan.claimed_at = action.caseworker, at
        outcome = f"claimed by {action.caseworker}"
    elif kind is CaseworkerActionKind.REROUTE:
        plan.queue = action.to_queue or (
            specialist_queue(action.to_department)
            if action.to_department and action.to_complexity is Complexity.SPECIALIST
            else plan.queue
        )
        if action.to_department:
            plan.department = action.to_department.value
        if action.to_complexity:
            plan.complexity = action.to_complexity.value
        plan.claimed_by = plan.claimed_at = None
        outcome = f"rerouted to {plan.queue}"
    elif not plan.is_open:
        return f"ignored: the plan was closed by {plan.closed_action} already"
    elif kind in (CaseworkerActionKind.RESOLVE, CaseworkerActionKind.REPLY_SENT):
        _end_pause(session, plan, action, at, calendar, closing=True)
        plan.closed_at, plan.closed_by, plan.closed_action = at, action.caseworker, kind.value
        outcome = f"closed: {kind.value}"
    elif kind is CaseworkerActionKind.AWAITING_CITIZEN:
        if plan.paused_since is not None:
            return "ignored: the deadline is paused already"
        plan.paused_since = at
        session.add(
            DeadlinePause(
                pause_id=action.event_id,
                plan_id=plan.plan_id,
                paused_at=at,
                paused_by=action.caseworker,
                deadline_before=as_utc(plan.deadline),
            )
        )
        outcome = "deadline paused"
    else:  # citizen answered
        if plan.paused_since is None:
            return "ignored: the deadline was not paused"
        outcome = _end_pause(session, plan, action, at, calendar, closing=False)
    session.add(plan)
    return outcome


def _end_pause(
    session: Session,
    plan: PlanRecord,
    action: CaseworkerAction,
    at: datetime,
    calendar: BusinessCalendar,
    *,
    closing: bool,
) -> str:
    """Resume: the deadline moves by the business time the municipality waited."""
    pause = session.exec(
        select(DeadlinePause)
        .where(DeadlinePause.plan_id == plan.plan_id)
        .where(col(DeadlinePause.resumed_at).is_(None))
    ).first()
    plan.paused_since = None
    if pause is None:
        return "ignored: no open pause"
    waited = calendar.business_time_between(as_utc(pause.paused_at), at)
    before = as_utc(plan.deadline)
    after = before if closing else calendar.add_business_time(before, waited)
    pause.resumed_at, pause.resumed_by, pause.resume_event_id = (
        at,
        action.caseworker,
        action.event_id,
    )
    pause.paused_business_seconds = int(waited.total_seconds())
    pause.deadline_after = after
    plan.deadline = after
    session.add(pause)
    return f"deadline resumed after {_hours(waited)} of business time: due {after.isoformat()}"


def _hours(amount: timedelta) -> str:
    hours = amount.total_seconds() / 3600
    return f"{hours:.1f} h"


def expiries(settings: ReplySettings, engine: Engine) -> list[Expiry]:
    """What reply keeps and for how long after a plan is closed (docs/privacy.md)."""
    return [
        Expiry(
            "closed plans with their pauses and actions",
            settings.plan_retention_days,
            ReplyStore(engine).purge,
        )
    ]
