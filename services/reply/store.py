"""Reply's queries on its tables (services/reply/tables.py): plans added, actions applied once,
the e-mail outbox's leases, overdue deadlines, retention and erasure. SQLite by default,
PostgreSQL by DATABASE_URL; idempotent on the ids of the events that caused each row, so a
redelivery changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from services.reply import deadlines
from services.reply.business_hours import BusinessCalendar
from services.reply.settings import ReplySettings
from services.reply.tables import ActionRecord, CaseworkerEmail, DeadlinePause, PlanRecord, as_utc
from shared.database import insert_new
from shared.events import CaseworkerAction, InquiryTriaged, ReplyPlan
from shared.retention import Expiry, delete_rows

WAITING_FOR_PLAN = "waiting for the plan"


@dataclass(frozen=True)
class Applied:
    outcome: str
    plan: PlanRecord | None
    new: bool


def plan_row(event: InquiryTriaged, plan: ReplyPlan, event_json: str) -> dict[str, Any]:
    """The row of a new plan (the columns it leaves out start empty); e-mails wait for the deadline
    watch to send them.

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
        "delivery_state": state,
        "delivery_attempts": 0,
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
        claimed = _lease(
            self.engine,
            PlanRecord,
            _email_due(now),
            order_by=col(PlanRecord.received_at),
            limit=limit,
            delivery_state="sending",
            delivery_lease_owner=owner,
            delivery_lease_expires_at=now + lease,
        )
        if not claimed:
            return []
        with Session(self.engine) as session:
            rows = session.exec(
                select(PlanRecord).where(col(PlanRecord.plan_id).in_(claimed))
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
        return _end_lease(self.engine, PlanRecord, plan_id, owner, **values)

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
        claimed = _lease(
            self.engine,
            CaseworkerEmail,
            due,
            limit=limit,
            delivery_state="sending",
            delivery_lease_owner=owner,
            delivery_lease_expires_at=now + lease,
            delivery_attempts=CaseworkerEmail.delivery_attempts + 1,
        )
        if not claimed:
            return []
        with Session(self.engine) as session:
            return list(
                session.exec(
                    select(CaseworkerEmail).where(col(CaseworkerEmail.event_id).in_(claimed))
                ).all()
            )

    def caseworker_email_outcome(self, event_id: uuid.UUID, owner: str, **values: Any) -> bool:
        """Record what became of a desk reply this instance holds; the lease ends with it.
        False when another instance took it over meanwhile."""
        return _end_lease(self.engine, CaseworkerEmail, event_id, owner, **values)

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


Leased = type[PlanRecord] | type[CaseworkerEmail]


def _key(table: Leased) -> Any:
    return col(PlanRecord.plan_id) if table is PlanRecord else col(CaseworkerEmail.event_id)


def _lease(
    engine: Engine, table: Leased, due: Any, *, limit: int, order_by: Any = None, **values: Any
) -> list[uuid.UUID]:
    """Claim up to `limit` due e-mails with `values` (their lease); returns the ids claimed.
    PostgreSQL: instances claiming at once skip each other's rows; the conditional update lets
    one instance win each e-mail on SQLite too."""
    key = _key(table)
    with engine.begin() as connection:
        candidates = list(
            connection.execute(
                select(key)
                .where(due)
                .order_by(order_by)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).scalars()
        )
        if not candidates:
            return []
        return list(
            connection.execute(
                update(table).where(key.in_(candidates)).where(due).values(**values).returning(key)
            ).scalars()
        )


def _end_lease(engine: Engine, table: Leased, id_: uuid.UUID, owner: str, **values: Any) -> bool:
    """Record what became of an e-mail `owner` holds; False when another took it over."""
    with engine.begin() as connection:
        result = connection.execute(
            update(table)
            .where(_key(table) == id_)
            .where(col(table.delivery_state) == "sending")
            .where(col(table.delivery_lease_owner) == owner)
            .values(delivery_lease_owner=None, delivery_lease_expires_at=None, **values)
        )
    return bool(result.rowcount)


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
    """Apply one action to a plan in the session, with the pause it is in; returns the outcome."""
    open_pause = session.exec(
        select(DeadlinePause)
        .where(DeadlinePause.plan_id == plan.plan_id)
        .where(col(DeadlinePause.resumed_at).is_(None))
    ).first()
    outcome, pause = deadlines.apply_action(plan, action, open_pause, calendar)
    if pause is not None:
        session.add(pause)
    session.add(plan)
    return outcome


def expiries(settings: ReplySettings, engine: Engine) -> list[Expiry]:
    """What reply keeps and for how long after a plan is closed (docs/privacy.md)."""
    return [
        Expiry(
            "closed plans with their pauses and actions",
            settings.plan_retention_days,
            ReplyStore(engine).purge,
        )
    ]
